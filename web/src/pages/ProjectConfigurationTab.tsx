import { Alert, Button, Card, Checkbox, Group, NativeSelect, Radio, Stack, Text, Title } from '@mantine/core';
import { IconCopy } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import {
  draftOf,
  parseCveIds,
  useSystemAllowlist,
  useUpdateProjectPolicy,
  type AllowlistDraft,
} from '../api/allowlists';
import { useProjectPermissions } from '../api/permissions';
import type { Project } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { AllowlistEditor } from '../components/scanning/AllowlistEditor';
import { ProjectScannerSection } from '../components/scanning/ProjectScannerSection';
import { useT } from '../i18n/context';
import type { MessageKey } from '../i18n/en';
import { useRouteProject } from './ProjectPage';

/** Harbor's severity choices for prevent_vul, highest first: images with a vulnerability this severe or worse are refused. */
const severityChoices: [string, MessageKey][] = [
  ['critical', 'scan.severity.Critical'],
  ['high', 'scan.severity.High'],
  ['medium', 'scan.severity.Medium'],
  ['low', 'scan.severity.Low'],
  ['none', 'projectConfig.severityNone'],
];

/** The policies this form edits, as Harbor's project metadata strings and the project's allowlist. */
interface Policy {
  metadata: {
    public: string;
    prevent_vul: string;
    severity: string;
    auto_scan: string;
    auto_sbom_generation: string;
    reuse_sys_cve_allowlist: string;
  };
  allowlist: AllowlistDraft;
}

/** What the project holds, with Harbor's defaults for keys never set (the system allowlist is reused unless "false"). */
function storedPolicy(project: Project): Policy {
  const meta: Record<string, string | undefined> = { ...project.metadata };
  const flag = (key: string) => String(meta[key] === 'true');
  return {
    metadata: {
      public: flag('public'),
      prevent_vul: flag('prevent_vul'),
      severity: meta.severity ?? 'low',
      auto_scan: flag('auto_scan'),
      auto_sbom_generation: flag('auto_sbom_generation'),
      reuse_sys_cve_allowlist: String(meta.reuse_sys_cve_allowlist !== 'false'),
    },
    allowlist: draftOf(project.cve_allowlist),
  };
}

/**
 * The project's policies as Harbor's Configuration tab shows them: the access level, deployment
 * security (prevent_vul at a severity), vulnerability scanning and SBOM generation on push, and
 * the CVE allowlist (the system's, or the project's own with its expiry). Project admins and
 * system administrators save them (PUT /projects/{id}); other members see them read-only.
 */
function ConfigurationForm({ project, editable }: { project: Project; editable: boolean }) {
  const t = useT();
  const update = useUpdateProjectPolicy(project);
  const system = useSystemAllowlist();
  const stored = storedPolicy(project);
  const [policy, setPolicy] = useState(stored);
  const { metadata } = policy;
  const changed = JSON.stringify(policy) !== JSON.stringify(stored);
  function edit(next: Partial<Policy['metadata']>, allowlist = policy.allowlist) {
    update.reset();
    setPolicy({ metadata: { ...metadata, ...next }, allowlist });
  }
  const check = (key: keyof Policy['metadata'], label: string, description?: string) => (
    <Checkbox
      label={label}
      description={description}
      checked={metadata[key] === 'true'}
      disabled={!editable}
      onChange={(e) => edit({ [key]: String(e.currentTarget.checked) })}
    />
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate(policy);
  }
  const reuse = metadata.reuse_sys_cve_allowlist === 'true';
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
          {check('public', t('projectConfig.public'), t('projectConfig.publicHint'))}
          <Title order={4}>{t('projectConfig.deploymentSecurity')}</Title>
          {check('prevent_vul', t('projectConfig.preventVul'), t('projectConfig.preventVulHint'))}
          <NativeSelect
            label={t('projectConfig.severity')}
            data-testid="prevent-severity"
            value={metadata.severity}
            disabled={!editable || metadata.prevent_vul !== 'true'}
            w={320}
            data={severityChoices.map(([value, key]) => ({ value, label: t(key) }))}
            onChange={(e) => edit({ severity: e.currentTarget.value })}
          />
          <Title order={4}>{t('projectConfig.vulnerabilityScanning')}</Title>
          {check('auto_scan', t('projectConfig.autoScan'))}
          {check('auto_sbom_generation', t('projectConfig.autoSbom'))}
          <Title order={4}>{t('projectConfig.allowlist')}</Title>
          <Text size="sm" c="dimmed">
            {t('projectConfig.allowlistHint')}
          </Text>
          <Radio.Group
            value={reuse ? 'system' : 'project'}
            onChange={(value) => edit({ reuse_sys_cve_allowlist: String(value === 'system') })}
          >
            <Group>
              <Radio value="system" label={t('projectConfig.systemAllowlist')} disabled={!editable} />
              <Radio value="project" label={t('projectConfig.projectAllowlist')} disabled={!editable} />
            </Group>
          </Radio.Group>
          {reuse ? (
            <Group gap={6} data-testid="system-allowlist-items">
              {draftOf(system.data).items.map((id) => (
                <Text key={id} size="sm" component="span" data-cve={id}>
                  {id}
                </Text>
              ))}
              {system.isSuccess && draftOf(system.data).items.length === 0 && (
                <Text size="sm" c="dimmed">
                  {t('allowlist.empty')}
                </Text>
              )}
            </Group>
          ) : (
            <AllowlistEditor
              testId="project-allowlist"
              value={policy.allowlist}
              disabled={!editable}
              onChange={(allowlist) => edit({}, allowlist)}
              extra={
                <Button
                  variant="subtle"
                  leftSection={<IconCopy size={16} />}
                  disabled={!system.data}
                  onClick={() =>
                    edit(
                      {},
                      {
                        ...policy.allowlist,
                        items: parseCveIds(draftOf(system.data).items.join(' '), policy.allowlist.items),
                      },
                    )
                  }
                >
                  {t('projectConfig.addSystem')}
                </Button>
              }
            />
          )}
          <ErrorAlert error={update.error ?? system.error} />
          {update.isSuccess && <Text c="green">{t('projectConfig.saved')}</Text>}
          {editable && (
            <Group>
              <Button type="submit" loading={update.isPending} disabled={!changed}>
                {t('action.save')}
              </Button>
              <Button variant="default" disabled={!changed} onClick={() => setPolicy(stored)}>
                {t('action.cancel')}
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
