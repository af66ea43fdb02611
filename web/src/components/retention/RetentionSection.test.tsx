import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import type { Project, RetentionExecution, RetentionPolicy, RetentionRule } from '../../api/types';
import type { Language } from '../../i18n/context';
import { fakeApi, json, renderWith, type Call } from '../../test/render';
import { RetentionSection } from './RetentionSection';

const metadata = {
  templates: [
    {
      rule_template: 'latestPushedK',
      display_text: 'the most recently pushed # artifacts',
      params: [{ unit: 'COUNT' }],
    },
    { rule_template: 'nDaysSinceLastPull', display_text: 'pulled within the last # days', params: [{ unit: 'DAYS' }] },
    { rule_template: 'always', display_text: 'always', params: [] },
  ],
};

const rule: RetentionRule = {
  id: 0,
  priority: 0,
  disabled: false,
  action: 'retain',
  template: 'latestPushedK',
  params: { latestPushedK: 10 },
  tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '{"untagged":true}' }],
  scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
};

const policy: RetentionPolicy = {
  id: 5,
  algorithm: 'or',
  rules: [rule],
  trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' } },
  scope: { level: 'project', ref: 3 },
};

const run: RetentionExecution = {
  id: 9,
  policy_id: 5,
  status: 'Running',
  trigger: 'MANUAL',
  dry_run: true,
  start_time: '2026-12-07T10:00:00Z',
  end_time: '',
};

const developer = ['create', 'read', 'update', 'delete', 'list'].map((action) => ({
  resource: 'tag-retention',
  action,
}));

/** Retention endpoints of project 3 (policy 5 when `withPolicy`); writes answer with `write(call)`. */
function retentionApi(
  withPolicy: boolean,
  write: (call: Call) => Response = () => new Response(null, { status: 201 }),
) {
  return fakeApi((call) => {
    const path = call.url.pathname.replace('/api/v2.0', '');
    if (path === '/users/current/permissions') return json(developer);
    if (path === '/retentions/metadatas') return json(metadata);
    if (call.method !== 'GET') return write(call);
    if (withPolicy && path === '/retentions/5') return json(policy);
    if (withPolicy && path === '/retentions/5/executions') return json([run], 1);
    if (withPolicy && path === '/retentions/5/executions/9/tasks')
      return json([{ id: 1, execution_id: 9, repository: 'app', status: 'Running', total: 3, retained: 2 }], 1);
    return undefined;
  });
}

function renderSection(
  client: ReturnType<typeof retentionApi>['client'],
  withPolicy: boolean,
  language: Language = 'en',
) {
  const project: Project = {
    project_id: 3,
    name: 'team',
    current_user_role_id: 2,
    metadata: withPolicy ? { retention_id: '5' } : {},
  };
  renderWith(client, <RetentionSection project={project} />, { language });
}

describe('RetentionSection', () => {
  test('the first rule creates the policy: POST with the dialog’s choices', async () => {
    const api = retentionApi(false);
    renderSection(api.client, false);
    await screen.findByTestId('empty');
    const add = await screen.findByRole('button', { name: 'Add rule' });
    expect(screen.getByRole('button', { name: 'Run now' }).hasAttribute('disabled')).toBe(true);
    await userEvent.click(add);
    const dialog = await screen.findByRole('dialog');
    await userEvent.selectOptions(within(dialog).getByRole('combobox', { name: 'Retain' }), 'nDaysSinceLastPull');
    const days = within(dialog).getByRole('textbox', { name: 'Days' });
    await userEvent.clear(days);
    await userEvent.type(days, '7');
    await userEvent.click(within(dialog).getByRole('checkbox', { name: 'Untagged artifacts' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const post = api.calls.find((call) => call.method === 'POST');
    expect(post?.url.pathname).toBe('/api/v2.0/retentions');
    expect(post?.body).toEqual({
      algorithm: 'or',
      rules: [
        {
          disabled: false,
          action: 'retain',
          template: 'nDaysSinceLastPull',
          params: { nDaysSinceLastPull: 7 },
          tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '{"untagged":false}' }],
          scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
        },
      ],
      trigger: { kind: 'Schedule', settings: { cron: '' } },
      scope: { level: 'project', ref: 3 },
    });
  });

  test('a stored policy: its rule in words, a disable PUT whole, a running dry run with Stop and its tasks', async () => {
    const api = retentionApi(true, () => new Response(null));
    renderSection(api.client, true);
    const row = await screen.findByTestId('retention-rule');
    expect(within(row).getByTestId('rule-text').textContent).toBe(
      'For the repositories matching **, retain the most recently pushed 10 artifacts with tags matching ** with untagged',
    );
    expect((screen.getByRole('combobox', { name: 'Schedule' }) as HTMLSelectElement).value).toBe('Daily');

    await userEvent.click(within(row).getByRole('button', { name: 'Actions for rule 1' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Disable' }));
    const put = api.calls.find((call) => call.method === 'PUT');
    expect(put?.url.pathname).toBe('/api/v2.0/retentions/5');
    expect(put?.body).toEqual({ ...policy, rules: [{ ...rule, disabled: true }] });

    const runRow = await screen.findByTestId('retention-run');
    expect(runRow.getAttribute('data-status')).toBe('Running');
    await userEvent.click(within(runRow).getByRole('button', { name: 'Stop' }));
    const patch = api.calls.find((call) => call.method === 'PATCH');
    expect(patch?.url.pathname).toBe('/api/v2.0/retentions/5/executions/9');
    expect(patch?.body).toEqual({ action: 'stop' });

    await userEvent.click(within(runRow).getByRole('button', { name: 'Show the repositories of run 9' }));
    const task = await screen.findByTestId('retention-task');
    expect(within(task).getByTestId('task-total').textContent).toBe('3');
    expect(within(task).getByTestId('task-retained').textContent).toBe('2');
    expect(within(task).getByRole('link', { name: 'Log of app' }).getAttribute('href')).toBe(
      '/api/v2.0/retentions/5/executions/9/tasks/1',
    );

    await userEvent.click(screen.getByRole('button', { name: 'Dry run' }));
    const dryRun = api.calls.find((call) => call.method === 'POST');
    expect(dryRun?.url.pathname).toBe('/api/v2.0/retentions/5/executions');
    expect(dryRun?.body).toEqual({ dry_run: true });
  });

  test('in 简体中文 the rule reads in Chinese', async () => {
    renderSection(retentionApi(true).client, true, 'zh-CN');
    const text = await screen.findByTestId('rule-text');
    expect(text.textContent).toBe('对于匹配 ** 的镜像仓库，保留最近推送的 10 个制品，其标签匹配 ** ，包括无标签的制品');
  });
});
