import { ActionIcon, CopyButton, Menu, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useState } from 'react';
import { useT } from '../i18n/context';
import { pullCommand, type PullClient } from '../lib/format';

async function copyText(text: string): Promise<void> {
  // navigator.clipboard needs a secure context; plain-HTTP deployments fall back to execCommand.
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

/** A copy button for the pull command of each client that can pull this artifact. */
export function PullCommandButton({
  registry,
  repository,
  digest,
  tag,
  isChart,
}: {
  registry: string;
  repository: string;
  digest: string;
  tag?: string;
  isChart: boolean;
}) {
  const t = useT();
  const [copied, setCopied] = useState<string | null>(null);
  const clients: PullClient[] = isChart ? ['helm'] : ['docker', 'podman'];
  async function copy(client: PullClient) {
    const command = pullCommand(client, registry, repository, digest, tag);
    await copyText(command);
    setCopied(command);
    setTimeout(() => setCopied(null), 1500);
  }
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Tooltip label={copied ?? t('artifacts.copyPull')}>
          <ActionIcon variant="subtle" aria-label={t('artifacts.copyPull')} data-testid="pull-command">
            {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
          </ActionIcon>
        </Tooltip>
      </Menu.Target>
      <Menu.Dropdown>
        {clients.map((client) => (
          <Menu.Item
            key={client}
            onClick={() => void copy(client)}
            data-command={pullCommand(client, registry, repository, digest, tag)}
          >
            {t('artifacts.pullWith', { client })}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

/** Copies a value shown once (a robot secret). */
export function CopyValueButton({ value, label }: { value: string; label: string }) {
  const t = useT();
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? t('action.copied') : label}>
          <ActionIcon
            variant="default"
            aria-label={label}
            onClick={() => (window.isSecureContext ? copy() : void copyText(value))}
          >
            {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}
