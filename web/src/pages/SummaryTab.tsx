import { Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useProjectSummary } from '../api/project-settings';
import { ErrorAlert } from '../components/ErrorAlert';
import { QuotaBar } from '../components/quota/QuotaBar';
import { useT } from '../i18n/context';
import type { MessageKey } from '../i18n/en';
import { useRouteProject } from './ProjectPage';
import { RoleName } from './roles';

function Figure({ label, value, testId }: { label: string; value: number | string; testId: string }) {
  return (
    <Card withBorder data-testid={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={600}>
        {value}
      </Text>
    </Card>
  );
}

const memberCounts = [
  ['project_admin_count', 'summary.projectAdmins'],
  ['maintainer_count', 'summary.maintainers'],
  ['developer_count', 'summary.developers'],
  ['guest_count', 'summary.guests'],
  ['limited_guest_count', 'summary.limitedGuests'],
] as const satisfies readonly (readonly [string, MessageKey])[];

/** Harbor's project summary: repositories, access level, storage quota, members by role (to who may list members). */
export function SummaryTab() {
  const t = useT();
  const { projectId, project } = useRouteProject();
  const summary = useProjectSummary(projectId);
  const data = summary.data;
  const isPublic = project?.metadata?.public === 'true';
  return (
    <Stack>
      <ErrorAlert error={summary.error} />
      {data && project && (
        <>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Figure testId="summary-repositories" label={t('summary.repositories')} value={data.repo_count} />
            <Figure
              testId="summary-access"
              label={t('summary.accessLevel')}
              value={isPublic ? t('projects.publicBadge') : t('projects.privateBadge')}
            />
            <Card withBorder data-testid="summary-role">
              <Text size="xs" c="dimmed">
                {t('summary.myRole')}
              </Text>
              <Text size="xl" fw={600}>
                {project.current_user_role_id ? (
                  <RoleName roleId={project.current_user_role_id} />
                ) : (
                  t('summary.noRole')
                )}
              </Text>
            </Card>
          </SimpleGrid>
          {data.quota?.hard?.storage !== undefined && (
            <Card withBorder data-testid="summary-quota">
              <Title order={4} mb="sm">
                {t('quota.storage')}
              </Title>
              <QuotaBar used={data.quota.used?.storage ?? 0} hard={data.quota.hard.storage} />
            </Card>
          )}
          {data.project_admin_count !== undefined && (
            <Card withBorder>
              <Title order={4} mb="sm">
                {t('summary.members')}
              </Title>
              <Group gap="xl" data-testid="summary-members">
                {memberCounts.map(([field, label]) => (
                  <div key={field} data-count={field}>
                    <Text size="xs" c="dimmed">
                      {t(label)}
                    </Text>
                    <Text size="lg" fw={600}>
                      {data[field] ?? 0}
                    </Text>
                  </div>
                ))}
              </Group>
            </Card>
          )}
        </>
      )}
    </Stack>
  );
}
