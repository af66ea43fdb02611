import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import type { ImmutableRule, Project } from '../../api/types';
import type { Language } from '../../i18n/context';
import { fakeApi, json, renderWith, type Call } from '../../test/render';
import { ImmutabilitySection } from './ImmutabilitySection';

const project: Project = { project_id: 3, name: 'team', current_user_role_id: 4 };

function rule(id: number, tags: string, disabled = false): ImmutableRule {
  return {
    id,
    priority: 0,
    disabled,
    action: 'immutable',
    template: 'immutable_template',
    params: {},
    tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: tags }],
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
  };
}

const maintainer = ['create', 'update', 'delete', 'list'].map((action) => ({ resource: 'immutable-tag', action }));

/** The rules endpoint over `rules`; writes answer with `write(call)`, 200 by default. */
function rulesApi(rules: ImmutableRule[], write: (call: Call) => Response = () => new Response(null)) {
  return fakeApi((call) => {
    if (call.url.pathname.endsWith('/users/current/permissions')) return json(maintainer);
    if (call.url.pathname.endsWith('/projects/3/immutabletagrules') && call.method === 'GET')
      return json(rules, rules.length);
    return write(call);
  });
}

function renderSection(client: ReturnType<typeof rulesApi>['client'], language: Language = 'en') {
  renderWith(client, <ImmutabilitySection project={project} />, { language });
}

describe('ImmutabilitySection', () => {
  test('each rule reads as Harbor words it; disabling sends the whole rule back', async () => {
    const api = rulesApi([rule(1, 'v*'), rule(2, 'release-*', true)]);
    renderSection(api.client);
    const rows = await screen.findAllByTestId('immutable-rule');
    expect(rows.map((row) => row.querySelector('[data-testid=rule-text]')?.textContent)).toEqual([
      'For the repositories matching **, tags matching v*',
      'For the repositories matching **, tags matching release-*',
    ]);
    expect(screen.getByTestId('rule-count').textContent).toBe('2 of 15 rules');

    await userEvent.click(within(rows[0]!).getByRole('button', { name: 'Actions for rule 1' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Disable' }));
    const put = api.calls.find((call) => call.method === 'PUT');
    expect(put?.url.pathname).toBe('/api/v2.0/projects/3/immutabletagrules/1');
    expect(put?.body).toEqual({ ...rule(1, 'v*'), disabled: true });
  });

  test("the API's refusal shows in the dialog, which stays open", async () => {
    const conflict = { errors: [{ code: 'CONFLICT', message: 'the project already has the same immutability rule' }] };
    const api = rulesApi([rule(1, 'v*')], () => new Response(JSON.stringify(conflict), { status: 409 }));
    renderSection(api.client);
    await userEvent.click(await screen.findByRole('button', { name: 'Add rule' }));
    const dialog = await screen.findByRole('dialog');
    const add = within(dialog).getByRole('button', { name: 'Add' });
    expect(add.hasAttribute('disabled')).toBe(true);
    await userEvent.type(within(dialog).getByRole('textbox', { name: /Tag pattern/ }), 'v*');
    await userEvent.click(add);
    await within(dialog).findByText('the project already has the same immutability rule');
    const post = api.calls.find((call) => call.method === 'POST');
    expect(post?.body).toMatchObject({ disabled: false, tag_selectors: [{ decoration: 'matches', pattern: 'v*' }] });
  });

  test('at 15 rules Add is disabled and says why, in 简体中文 too', async () => {
    const fifteen = Array.from({ length: 15 }, (_, i) => rule(i + 1, `v${i}`));
    renderSection(rulesApi(fifteen).client, 'zh-CN');
    const add = await screen.findByRole('button', { name: '添加规则' });
    await screen.findAllByTestId('immutable-rule');
    expect(add.hasAttribute('disabled')).toBe(true);
    expect(screen.getByTestId('rule-count').textContent).toBe(
      '一个项目最多有 15 条规则：请编辑或删除一条规则来保护其他标签。',
    );
    expect(screen.getAllByTestId('rule-text')[0]?.textContent).toBe('对于匹配 ** 的镜像仓库，匹配 v0 的标签');
  });
});
