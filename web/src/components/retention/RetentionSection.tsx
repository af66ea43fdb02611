import { Badge, Button, Card, Divider, Group, Menu, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useProjectPermissions } from '../../api/permissions';
import { retentionId, useRetentionMetadata, useRetentionPolicy, useRetentionWrites } from '../../api/retention';
import type { Project, RetentionPolicy } from '../../api/types';
import { useT } from '../../i18n/context';
import { emptyPolicy, maxRetentionRules, withoutRule, withRule } from '../../lib/retention';
import { ConfirmDialog } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import { EmptyRow } from '../List';
import { RowMenu } from '../RowActions';
import { RetentionRuleDialog } from './RetentionRuleDialog';
import { RetentionRuleSentence } from './RetentionRuleSentence';
import { RetentionRuns } from './RetentionRuns';
import { RetentionSchedule } from './RetentionSchedule';

/** Run now (after a confirmation: it deletes) and Dry run; the API's 409 while a run goes on shows below. */
function RunButtons({ policyId, disabled }: { policyId: number | undefined; disabled: boolean }) {
  const t = useT();
  const { run } = useRetentionWrites(policyId);
  const [confirming, setConfirming] = useState(false);
  return (
    <Stack gap="xs">
      <Group>
        <Button onClick={() => setConfirming(true)} disabled={disabled}>
          {t('retention.runNow')}
        </Button>
        <Button
          variant="default"
          onClick={() => run.mutate(true)}
          disabled={disabled}
          loading={run.isPending && run.variables}
        >
          {t('gc.dryRun')}
        </Button>
      </Group>
      {!confirming && <ErrorAlert error={run.error} />}
      <ConfirmDialog
        opened={confirming}
        title={t('retention.runNow')}
        message={t('retention.runConfirm')}
        confirmLabel={t('retention.run')}
        pending={run.isPending}
        error={run.error}
        onConfirm={() => run.mutate(false, { onSuccess: () => setConfirming(false) })}
        onClose={() => {
          run.reset();
          setConfirming(false);
        }}
      />
    </Stack>
  );
}

/** The rules as Harbor words them, each enabled or disabled, edited or deleted (the policy written whole). */
function RulesTable({
  policyId,
  policy,
  editable,
  onEdit,
}: {
  policyId: number | undefined;
  policy: RetentionPolicy;
  editable: boolean;
  onEdit(index: number): void;
}) {
  const t = useT();
  const metadata = useRetentionMetadata();
  const { save } = useRetentionWrites(policyId);
  const [deleting, setDeleting] = useState<number | null>(null);
  const deletingRule = deleting === null ? undefined : policy.rules[deleting];
  return (
    <>
      <ErrorAlert error={deleting === null ? save.error : null} />
      <Table striped data-testid="retention-rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('immutable.ruleColumn')}</Table.Th>
            <Table.Th>{t('immutable.status')}</Table.Th>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {policy.rules.map((rule, index) => (
            <Table.Tr key={index} data-testid="retention-rule" data-status={rule.disabled ? 'disabled' : 'enabled'}>
              <Table.Td data-testid="rule-text">
                <RetentionRuleSentence rule={rule} metadata={metadata.data} />
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={rule.disabled ? 'gray' : 'green'}>
                  {rule.disabled ? t('immutable.disabled') : t('immutable.enabled')}
                </Badge>
              </Table.Td>
              <Table.Td>
                {editable && (
                  <RowMenu label={t('immutable.actionsFor', { index: index + 1 })}>
                    <Menu.Item
                      onClick={() => save.mutate(withRule(policy, index, { ...rule, disabled: !rule.disabled }))}
                    >
                      {rule.disabled ? t('immutable.enable') : t('immutable.disable')}
                    </Menu.Item>
                    <Menu.Item onClick={() => onEdit(index)}>{t('immutable.edit')}</Menu.Item>
                    <Menu.Item color="red" onClick={() => setDeleting(index)}>
                      {t('action.delete')}
                    </Menu.Item>
                  </RowMenu>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
          {policy.rules.length === 0 && <EmptyRow columns={3}>{t('retention.empty')}</EmptyRow>}
        </Table.Tbody>
      </Table>
      <ConfirmDialog
        opened={deleting !== null}
        title={t('immutable.deleteTitle')}
        message={
          <>
            {deletingRule && <RetentionRuleSentence rule={deletingRule} metadata={metadata.data} />}
            <br />
            {t('retention.deleteConfirm')}
          </>
        }
        pending={save.isPending}
        error={save.error}
        onConfirm={() =>
          deleting !== null && save.mutate(withoutRule(policy, deleting), { onSuccess: () => setDeleting(null) })
        }
        onClose={() => {
          save.reset();
          setDeleting(null);
        }}
      />
    </>
  );
}

/**
 * Harbor's "Tag Retention" section of a project's Policy tab: the policy's rules (the first one
 * added creates the policy), its schedule, Run now and Dry run, and the history of runs.
 */
export function RetentionSection({ project }: { project: Project }) {
  const t = useT();
  const { can } = useProjectPermissions(project.project_id);
  const policyId = retentionId(project);
  const stored = useRetentionPolicy(policyId);
  const metadata = useRetentionMetadata();
  const [editing, setEditing] = useState<number | null>(null);
  const policy = policyId === undefined ? emptyPolicy(project.project_id) : stored.data;
  const editable = can('tag-retention', policyId === undefined ? 'create' : 'update');
  const ruleCount = policy?.rules.length ?? 0;
  const full = ruleCount >= maxRetentionRules;
  return (
    <Card withBorder data-testid="retention">
      <Stack>
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            <Title order={4}>{t('policy.retention')}</Title>
            <Text size="sm" c="dimmed">
              {t('policy.retentionIntro')}
            </Text>
          </div>
          {editable && (
            <Button onClick={() => setEditing(ruleCount)} disabled={!policy || !metadata.isSuccess || full}>
              {t('immutable.addRule')}
            </Button>
          )}
        </Group>
        <ErrorAlert error={stored.error ?? metadata.error} />
        {policy && (
          <>
            <RulesTable policyId={policyId} policy={policy} editable={editable} onEdit={setEditing} />
            <Text size="sm" c={full ? 'orange' : 'dimmed'} data-testid="retention-rule-count">
              {full
                ? t('retention.full', { max: maxRetentionRules })
                : t('immutable.count', { count: ruleCount, max: maxRetentionRules })}
            </Text>
            <Divider />
            <RetentionSchedule key={`${policyId ?? 'new'}`} policyId={policyId} policy={policy} editable={editable} />
            {can('tag-retention', 'update') && (
              <RunButtons policyId={policyId} disabled={policyId === undefined || ruleCount === 0} />
            )}
            {policyId !== undefined && <RetentionRuns policyId={policyId} mayStop={can('tag-retention', 'update')} />}
          </>
        )}
      </Stack>
      {editing !== null && policy && (
        <RetentionRuleDialog
          policyId={policyId}
          policy={policy}
          index={editing}
          metadata={metadata.data}
          onClose={() => setEditing(null)}
        />
      )}
    </Card>
  );
}
