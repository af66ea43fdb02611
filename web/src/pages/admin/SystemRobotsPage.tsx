import { Button, Card, CloseButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { RobotScope } from '../../api/robots';
import { AccessGrid } from '../../components/robots/AccessGrid';
import { CreateRobotDialog } from '../../components/robots/CreateRobotDialog';
import { RobotList, type CreateSlot } from '../../components/robots/RobotList';
import { useT } from '../../i18n/context';
import {
  accessKey,
  defaultRobotAccess,
  robotResources,
  systemRobotPermissions,
  systemRobotResources,
  type ProjectGrant,
} from '../../lib/robots';

const scope: RobotScope = { level: 'system' };
const newGrant = (): ProjectGrant => ({ namespace: '', chosen: new Set(defaultRobotAccess.map(accessKey)) });

/** A system robot's project permissions: one card per project (or "*" for all). */
function ProjectGrants({ grants, onChange }: { grants: ProjectGrant[]; onChange(next: ProjectGrant[]): void }) {
  const t = useT();
  const update = (index: number, grant: ProjectGrant) => onChange(grants.map((g, i) => (i === index ? grant : g)));
  return (
    <Stack gap="xs">
      {grants.map((grant, index) => (
        <Card withBorder key={index} data-testid="project-grant">
          <Group justify="space-between" align="flex-end" mb="xs">
            <TextInput
              label={t('robots.project')}
              description={t('robots.projectHint')}
              value={grant.namespace}
              onChange={(e) => update(index, { ...grant, namespace: e.currentTarget.value })}
              w={320}
            />
            <CloseButton
              aria-label={t('robots.removeProject')}
              onClick={() => onChange(grants.filter((_, i) => i !== index))}
            />
          </Group>
          <AccessGrid
            resources={robotResources}
            chosen={grant.chosen}
            onChange={(chosen) => update(index, { ...grant, chosen })}
            label={grant.namespace || `#${index + 1}`}
          />
        </Card>
      ))}
      <Group>
        <Button variant="light" size="xs" onClick={() => onChange([...grants, newGrant()])}>
          {t('robots.addProject')}
        </Button>
      </Group>
    </Stack>
  );
}

function CreateSystemRobot({ slot }: { slot: CreateSlot }) {
  const t = useT();
  const [system, setSystem] = useState<Set<string>>(() => new Set());
  const [grants, setGrants] = useState<ProjectGrant[]>([]);
  const permissions = systemRobotPermissions(system, grants);
  return (
    <CreateRobotDialog
      scope={scope}
      {...slot}
      permissions={permissions.length > 0 ? permissions : undefined}
      onReset={() => {
        setSystem(new Set());
        setGrants([]);
      }}
    >
      <Text size="sm" c="dimmed">
        {t('robots.systemPermissions')}
      </Text>
      <AccessGrid
        resources={systemRobotResources}
        chosen={system}
        onChange={setSystem}
        label={t('robots.system')}
        testId="robot-system-permissions"
      />
      <Text size="sm" c="dimmed">
        {t('robots.projectPermissions')}
      </Text>
      <ProjectGrants grants={grants} onChange={setGrants} />
    </CreateRobotDialog>
  );
}

/** System robot accounts: system permissions and permissions in chosen projects. */
export function SystemRobotsPage() {
  return <RobotList scope={scope} create={(slot) => <CreateSystemRobot slot={slot} />} />;
}
