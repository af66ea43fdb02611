import { Badge, Button, Card, Group, Menu, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useImmutableRuleWrites, useImmutableRules } from '../../api/immutable';
import { useProjectPermissions } from '../../api/permissions';
import type { ImmutableRule, Project } from '../../api/types';
import { useT } from '../../i18n/context';
import { maxImmutableRules, withDisabled } from '../../lib/immutable';
import { ConfirmMutation } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import { EmptyRow } from '../List';
import { RowMenu } from '../RowActions';
import { ImmutableRuleDialog } from './ImmutableRuleDialog';
import { RuleSentence } from './RuleSentence';

/**
 * Harbor's "Tag Immutability" section of a project's Policy tab: the rules in the order they
 * were added, each enabled or disabled, edited or deleted; Add stops at Harbor's 15.
 */
export function ImmutabilitySection({ project }: { project: Project }) {
  const t = useT();
  const { can } = useProjectPermissions(project.project_id);
  const rules = useImmutableRules(project.project_id);
  const writes = useImmutableRuleWrites(project.project_id);
  const [editing, setEditing] = useState<ImmutableRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<ImmutableRule | null>(null);
  const rows = rules.data?.items ?? [];
  const total = rules.data?.total ?? 0;
  const full = total >= maxImmutableRules;
  const mayUpdate = can('immutable-tag', 'update');
  const mayDelete = can('immutable-tag', 'delete');
  return (
    <Card withBorder data-testid="immutability">
      <Stack>
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            <Title order={4}>{t('policy.immutability')}</Title>
            <Text size="sm" c="dimmed">
              {t('policy.immutabilityIntro')}
            </Text>
          </div>
          {can('immutable-tag', 'create') && (
            <Button onClick={() => setEditing('new')} disabled={!rules.isSuccess || full}>
              {t('immutable.addRule')}
            </Button>
          )}
        </Group>
        <ErrorAlert error={rules.error ?? writes.update.error} />
        <Table striped data-testid="immutable-rules">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('immutable.ruleColumn')}</Table.Th>
              <Table.Th>{t('immutable.status')}</Table.Th>
              <Table.Th aria-label={t('action.actions')} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((rule, index) => (
              <Table.Tr
                key={rule.id}
                data-testid="immutable-rule"
                data-rule={rule.id}
                data-status={rule.disabled ? 'disabled' : 'enabled'}
              >
                <Table.Td data-testid="rule-text">
                  <RuleSentence rule={rule} />
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={rule.disabled ? 'gray' : 'green'}>
                    {rule.disabled ? t('immutable.disabled') : t('immutable.enabled')}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {(mayUpdate || mayDelete) && (
                    <RowMenu label={t('immutable.actionsFor', { index: index + 1 })}>
                      {mayUpdate && (
                        <Menu.Item onClick={() => writes.update.mutate(withDisabled(rule, !rule.disabled))}>
                          {rule.disabled ? t('immutable.enable') : t('immutable.disable')}
                        </Menu.Item>
                      )}
                      {mayUpdate && <Menu.Item onClick={() => setEditing(rule)}>{t('immutable.edit')}</Menu.Item>}
                      {mayDelete && (
                        <Menu.Item color="red" onClick={() => setDeleting(rule)}>
                          {t('action.delete')}
                        </Menu.Item>
                      )}
                    </RowMenu>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
            {rules.isSuccess && rows.length === 0 && <EmptyRow columns={3}>{t('immutable.empty')}</EmptyRow>}
          </Table.Tbody>
        </Table>
        {rules.isSuccess && (
          <Text size="sm" c={full ? 'orange' : 'dimmed'} data-testid="rule-count">
            {full
              ? t('immutable.full', { max: maxImmutableRules })
              : t('immutable.count', { count: total, max: maxImmutableRules })}
          </Text>
        )}
      </Stack>
      {editing && (
        <ImmutableRuleDialog projectId={project.project_id} rule={editing} onClose={() => setEditing(null)} />
      )}
      <ConfirmMutation
        target={deleting}
        mutation={writes.remove}
        onDone={() => setDeleting(null)}
        title={t('immutable.deleteTitle')}
        message={
          <>
            {deleting && <RuleSentence rule={deleting} />}
            <br />
            {t('immutable.deleteConfirm')}
          </>
        }
      />
    </Card>
  );
}
