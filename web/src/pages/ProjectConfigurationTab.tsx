import { Alert, Button, Card, Checkbox, Group, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useUpdateProjectMetadata } from '../api/project-settings';
import { useProjectPermissions } from '../api/permissions';
import type { Project } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { ProjectScannerSection } from '../components/scanning/ProjectScannerSection';
import { useT } from '../i18n/context';
import { useRouteProject } from './ProjectPage';

/**
 * The project's policies as Berth enforces them: today only the access level (metadata `public`).
 * Project admins and system administrators save it; other members see it read-only, as in Harbor.
 */
function ConfigurationForm({ project, editable }: { project: Project; editable: boolean }) {
  const t = useT();
  const update = useUpdateProjectMetadata(project);
  const stored = project.metadata?.public === 'true';
  const [isPublic, setPublic] = useState(stored);
  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ public: String(isPublic) });
  }
  return (
    <Card withBorder>
      <form onSubmit={submit} data-testid="project-configuration">
        <Stack>
          {!editable && (
            <Alert color="gray" data-testid="read-only">
              {t('projectConfig.readOnly')}
            </Alert>
          )}
          <Title order={4}>{t('projectConfig.registry')}</Title>
          <Checkbox
            label={t('projectConfig.public')}
            description={t('projectConfig.publicHint')}
            checked={isPublic}
            disabled={!editable}
            onChange={(e) => {
              update.reset();
              setPublic(e.currentTarget.checked);
            }}
          />
          <ErrorAlert error={update.error} />
          {update.isSuccess && <Text c="green">{t('projectConfig.saved')}</Text>}
          {editable && (
            <Group>
              <Button type="submit" loading={update.isPending} disabled={isPublic === stored}>
                {t('action.save')}
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Card>
  );
}

/** Harbor's rule: configuration:update (project admins; system administrators hold every permission). */
export function ProjectConfigurationTab() {
  const { project } = useRouteProject();
  const { can } = useProjectPermissions(project?.project_id);
  if (!project) return null;
  return (
    <Stack>
      <ConfigurationForm key={project.project_id} project={project} editable={can('configuration', 'update')} />
      {can('scanner', 'read') && (
        <ProjectScannerSection projectId={project.project_id} editable={can('scanner', 'create')} />
      )}
    </Stack>
  );
}
