import { ActionIcon, Button, Menu, Text, TextInput, Tooltip } from '@mantine/core';
import { IconCheck, IconTag } from '@tabler/icons-react';
import { useState } from 'react';
import { useArtifactLabelWrites, useUsableLabels } from '../../api/labels';
import type { Artifact, Label } from '../../api/types';
import { useT } from '../../i18n/context';
import { labelIds } from '../../lib/labels';
import { shortDigest } from '../../lib/format';
import { ErrorAlert } from '../ErrorAlert';
import { LabelChip } from './LabelChip';

/**
 * Harbor's "Add labels": a menu of the global labels and the project's, those on the
 * artifact checked; picking one puts it on or takes it off. Stays open for several picks.
 */
export function ArtifactLabelMenu({
  artifact,
  projectId,
  projectName,
  variant = 'icon',
}: {
  artifact: Artifact;
  projectId: number;
  projectName: string;
  variant?: 'icon' | 'button';
}) {
  const t = useT();
  const usable = useUsableLabels(projectId);
  const writes = useArtifactLabelWrites(projectName, artifact.repository_name);
  const [filter, setFilter] = useState('');
  const on = labelIds(artifact.labels);
  const shown = usable.labels.filter((label) => label.name.toLowerCase().includes(filter.trim().toLowerCase()));
  const name = t('labels.addTo', { digest: shortDigest(artifact.digest) });
  function toggle(label: Label) {
    const change = on.has(label.id) ? writes.remove : writes.add;
    writes.add.reset();
    writes.remove.reset();
    change.mutate({ digest: artifact.digest, label });
  }
  return (
    <Menu position="bottom-end" closeOnItemClick={false} width={260} onClose={() => setFilter('')}>
      <Menu.Target>
        {variant === 'icon' ? (
          <Tooltip label={t('labels.add')}>
            <ActionIcon variant="subtle" aria-label={name}>
              <IconTag size={16} />
            </ActionIcon>
          </Tooltip>
        ) : (
          <Button variant="default" leftSection={<IconTag size={16} />} aria-label={name}>
            {t('labels.add')}
          </Button>
        )}
      </Menu.Target>
      <Menu.Dropdown data-testid="label-menu">
        <TextInput
          size="xs"
          m={4}
          aria-label={t('labels.filterMenu')}
          placeholder={t('labels.filterMenu')}
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
        />
        {shown.map((label) => (
          <Menu.Item
            key={label.id}
            // Mantine keeps role menuitem; the check mark and data-checked say the label is on the artifact.
            data-checked={on.has(label.id)}
            aria-label={label.name}
            leftSection={<IconCheck size={14} style={{ visibility: on.has(label.id) ? 'visible' : 'hidden' }} />}
            disabled={writes.add.isPending || writes.remove.isPending}
            onClick={() => toggle(label)}
          >
            <LabelChip label={label} />
          </Menu.Item>
        ))}
        {usable.isSuccess && shown.length === 0 && (
          <Text size="sm" c="dimmed" p="xs">
            {t('labels.none')}
          </Text>
        )}
        <ErrorAlert error={usable.error ?? writes.add.error ?? writes.remove.error} />
      </Menu.Dropdown>
    </Menu>
  );
}
