import {
  Button,
  Checkbox,
  Group,
  Modal,
  NativeSelect,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { IconPlugConnected } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { scannerAuths, useScannerWrites, type Scanner, type ScannerRequest } from '../../api/scanning';
import { useT } from '../../i18n/context';
import { DialogButtons } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';

type Auth = (typeof scannerAuths)[number];

function isAuth(value: string | undefined): value is Auth {
  return value !== undefined && (scannerAuths as readonly string[]).includes(value);
}

function draftOf(scanner: Scanner | undefined): ScannerRequest {
  return {
    name: scanner?.name ?? '',
    description: scanner?.description ?? '',
    url: scanner?.url ?? '',
    auth: isAuth(scanner?.auth) ? scanner.auth : '',
    // Never sent back: on edit, an empty credential keeps the stored one (Harbor's rule).
    access_credential: '',
    skip_certVerify: scanner?.skip_certVerify ?? false,
    use_internal_addr: scanner?.use_internal_addr ?? false,
  };
}

/** Harbor's Basic credential is "user:password"; the others are one token. */
function credentialLabel(auth: string): 'scanners.credentialBasic' | 'scanners.credentialToken' {
  return auth === 'Basic' ? 'scanners.credentialBasic' : 'scanners.credentialToken';
}

/**
 * Registers a scanner adapter (`scanner` "new") or edits one: name, URL, authorization, TLS
 * verification. Test connection pings the adapter with the form's settings, saving nothing.
 */
export function ScannerDialog({ scanner, onClose }: { scanner: Scanner | 'new'; onClose(): void }) {
  const t = useT();
  const { create, update, ping } = useScannerWrites();
  const existing = scanner === 'new' ? undefined : scanner;
  const [draft, setDraft] = useState<ScannerRequest>(() => draftOf(existing));
  const mutation = existing ? update : create;
  const change = (patch: Partial<ScannerRequest>) => {
    mutation.reset();
    ping.reset();
    setDraft((current) => ({ ...current, ...patch }));
  };
  const request = (): ScannerRequest => ({ ...draft, name: draft.name.trim(), url: draft.url.trim() });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (existing) update.mutate({ uuid: existing.uuid, request: request() }, { onSuccess: onClose });
    else create.mutate(request(), { onSuccess: onClose });
  }
  const auth = draft.auth ?? '';
  return (
    <Modal opened onClose={onClose} title={existing ? t('scanners.edit') : t('scanners.new')} centered size="lg">
      <form onSubmit={submit} data-testid="scanner-dialog">
        <Stack>
          <TextInput
            label={t('scanners.name')}
            required
            value={draft.name}
            onChange={(e) => change({ name: e.currentTarget.value })}
          />
          <Textarea
            label={t('scanners.description')}
            value={draft.description}
            onChange={(e) => change({ description: e.currentTarget.value })}
          />
          <TextInput
            label={t('scanners.endpoint')}
            placeholder="http://scanner-adapter:8080"
            required
            type="url"
            value={draft.url}
            onChange={(e) => change({ url: e.currentTarget.value })}
          />
          <NativeSelect
            label={t('scanners.auth')}
            value={auth}
            data={scannerAuths.map((value) => ({ value, label: value || t('scanners.authNone') }))}
            onChange={(e) => change({ auth: e.currentTarget.value, access_credential: '' })}
          />
          {auth !== '' && (
            <PasswordInput
              label={t(credentialLabel(auth))}
              description={existing ? t('scanners.credentialKept') : undefined}
              required={!existing}
              value={draft.access_credential}
              onChange={(e) => change({ access_credential: e.currentTarget.value })}
            />
          )}
          <Checkbox
            label={t('scanners.skipCertVerify')}
            checked={draft.skip_certVerify ?? false}
            onChange={(e) => change({ skip_certVerify: e.currentTarget.checked })}
          />
          <Checkbox
            label={t('scanners.useInternalAddr')}
            checked={draft.use_internal_addr ?? false}
            onChange={(e) => change({ use_internal_addr: e.currentTarget.checked })}
          />
          <Group>
            <Button
              variant="default"
              leftSection={<IconPlugConnected size={16} />}
              loading={ping.isPending}
              disabled={!draft.url.trim() || !draft.name.trim()}
              onClick={() => ping.mutate(request())}
            >
              {t('scanners.testConnection')}
            </Button>
            {ping.isSuccess && (
              <Text c="green" size="sm" data-testid="ping-ok">
                {t('scanners.connectionOk')}
              </Text>
            )}
          </Group>
          <ErrorAlert error={ping.error} title={t('scanners.connectionFailed')} />
          <ErrorAlert error={mutation.error} />
          <DialogButtons
            onCancel={onClose}
            submitLabel={existing ? t('action.save') : t('scanners.add')}
            pending={mutation.isPending}
          />
        </Stack>
      </form>
    </Modal>
  );
}
