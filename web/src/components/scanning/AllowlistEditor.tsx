import { Badge, Button, Checkbox, CloseButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { isExpired, parseCveIds, type AllowlistDraft } from '../../api/allowlists';
import { useT } from '../../i18n/context';

/** A day (yyyy-mm-dd, UTC) as seconds since the epoch, and back. */
export function dayToSeconds(day: string): number | null {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? null : ms / 1000;
}

export function secondsToDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/**
 * A CVE allowlist as Harbor's portal edits it: CVE ids added (several at once, separated by commas
 * or spaces) and removed, and an expiry date or "Never expires". `extra` holds more actions beside
 * Add (the project's "Add system").
 */
export function AllowlistEditor({
  value,
  onChange,
  disabled = false,
  extra,
  testId,
}: {
  value: AllowlistDraft;
  onChange(value: AllowlistDraft): void;
  disabled?: boolean;
  extra?: ReactNode;
  testId: string;
}) {
  const t = useT();
  const [adding, setAdding] = useState('');
  const never = value.expiresAt === null;
  // The date shown while "Never expires" is ticked, restored when it is unticked: a week ahead by default.
  const [lastDay, setLastDay] = useState(() =>
    secondsToDay(value.expiresAt ?? Math.floor(Date.now() / 1000) + 7 * 86_400),
  );
  function add() {
    const items = parseCveIds(adding, value.items);
    if (items.length !== value.items.length) onChange({ ...value, items });
    setAdding('');
  }
  return (
    <Stack gap="xs" data-testid={testId}>
      {!disabled && (
        <Group gap="xs" align="flex-end">
          <TextInput
            label={t('allowlist.addLabel')}
            placeholder="CVE-2023-1234, CVE-2024-5678"
            value={adding}
            onChange={(e) => setAdding(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
            w={360}
          />
          <Button variant="light" leftSection={<IconPlus size={16} />} onClick={add} disabled={!adding.trim()}>
            {t('allowlist.add')}
          </Button>
          {extra}
        </Group>
      )}
      <Group gap={6} data-testid="allowlist-items">
        {value.items.map((id) => (
          <Badge
            key={id}
            variant="outline"
            tt="none"
            data-cve={id}
            rightSection={
              disabled ? undefined : (
                <CloseButton
                  size="xs"
                  aria-label={t('allowlist.remove', { id })}
                  onClick={() => onChange({ ...value, items: value.items.filter((item) => item !== id) })}
                />
              )
            }
          >
            {id}
          </Badge>
        ))}
        {value.items.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('allowlist.empty')}
          </Text>
        )}
      </Group>
      <Group gap="md" align="flex-end">
        <TextInput
          type="date"
          label={t('allowlist.expiresAt')}
          value={never ? '' : secondsToDay(value.expiresAt ?? 0)}
          disabled={disabled || never}
          onChange={(e) => {
            const seconds = dayToSeconds(e.currentTarget.value);
            if (seconds === null) return;
            setLastDay(e.currentTarget.value);
            onChange({ ...value, expiresAt: seconds });
          }}
        />
        <Checkbox
          label={t('allowlist.neverExpires')}
          checked={never}
          disabled={disabled}
          onChange={(e) => onChange({ ...value, expiresAt: e.currentTarget.checked ? null : dayToSeconds(lastDay) })}
        />
        {isExpired(value.expiresAt) && (
          <Badge color="red" variant="light" data-testid="allowlist-expired">
            {t('allowlist.expired')}
          </Badge>
        )}
      </Group>
    </Stack>
  );
}
