import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { ApiClient } from '../api/client';
import type { Language } from '../i18n/context';
import { renderWith } from '../test/render';
import { ProjectsPage } from './ProjectsPage';

const project = (id: number, name: string) => ({
  project_id: id,
  name,
  creation_time: '2024-01-01T00:00:00Z',
  update_time: '',
  repo_count: id,
  current_user_role_id: 1,
  metadata: { public: id % 2 ? 'true' : 'false' },
});

const admin = { user_id: 1, username: 'admin', sysadmin_flag: true };

/** Who is signed in and the system settings the page reads; undefined for any other path. */
function session(url: string, user: object, restriction = 'everyone'): Response | undefined {
  const path = new URL(url, 'http://portal').pathname;
  if (path.endsWith('/users/current')) return new Response(JSON.stringify(user));
  if (path.endsWith('/systeminfo')) return new Response(JSON.stringify({ project_creation_restriction: restriction }));
  if (path.endsWith('/statistics'))
    return new Response(
      JSON.stringify({
        private_project_count: 3,
        public_project_count: 4,
        private_repo_count: 5,
        public_repo_count: 6,
      }),
    );
  return undefined;
}

/** A /projects endpoint over `names` that pages, sorts and searches like Berth's, recording each query. */
function projectsApi(names: string[], user: object = admin, restriction?: string, role = 1) {
  const queries: URLSearchParams[] = [];
  const client = new ApiClient(async (url) => {
    const known = session(url, user, restriction);
    if (known) return known;
    const query = new URL(url, 'http://portal').searchParams;
    queries.push(query);
    const fuzzy = /^name=~(.*)$/.exec(query.get('q') ?? '')?.[1];
    let rows = names
      .map((name, i) => ({ ...project(i + 1, name), current_user_role_id: role }))
      .filter((p) => !fuzzy || p.name.includes(fuzzy));
    if (query.get('sort') === '-name') rows = rows.sort((a, b) => b.name.localeCompare(a.name));
    else rows = rows.sort((a, b) => a.name.localeCompare(b.name));
    const size = Number(query.get('page_size'));
    const page = Number(query.get('page'));
    return new Response(JSON.stringify(rows.slice((page - 1) * size, page * size)), {
      headers: { 'x-total-count': String(rows.length) },
    });
  });
  return { client, queries };
}

function renderPage(client: ApiClient, language: Language = 'en') {
  renderWith(client, <ProjectsPage />, { language });
}

describe('ProjectsPage', () => {
  test('asks the server for one page, shows the total, and sorts and pages on the server', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `proj-${String(i).padStart(2, '0')}`);
    const { client, queries } = projectsApi(names);
    renderPage(client);
    const table = await screen.findByTestId('projects');
    await within(table).findByText('proj-00');
    expect(screen.getByTestId('total').textContent).toBe('23 in total');
    expect(within(table).getAllByRole('row')).toHaveLength(11);
    expect(queries.at(-1)?.get('sort')).toBe('name');

    await userEvent.click(screen.getByRole('button', { name: /Project name/ }));
    await within(table).findByText('proj-22');
    expect(queries.at(-1)?.get('sort')).toBe('-name');

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await within(table).findByText('proj-12');
    expect(queries.at(-1)?.get('page')).toBe('2');
  });

  test('searches with q=name=~ from page 1 and says when nothing matches', async () => {
    const { client, queries } = projectsApi(['alpha', 'beta']);
    renderPage(client);
    await screen.findByText('alpha');
    await userEvent.type(screen.getByRole('textbox', { name: 'Search projects' }), 'zzz');
    await screen.findByText('No project matches this search.');
    expect(queries.at(-1)?.get('q')).toBe('name=~zzz');
    expect(queries.at(-1)?.get('page')).toBe('1');
  });

  test('an empty registry invites creating a project, in 简体中文 too', async () => {
    renderPage(projectsApi([]).client, 'zh-CN');
    await screen.findByText('还没有项目。创建一个项目后即可推送镜像。');
    expect(screen.getByRole('button', { name: '新建项目' })).toBeTruthy();
  });

  test('delete asks first and shows the API refusal in its words', async () => {
    const client = new ApiClient(async (url, init) => {
      const known = session(url, admin);
      if (known) return known;
      if (init.method === 'DELETE')
        return new Response(
          JSON.stringify({ errors: [{ code: 'PRECONDITION', message: 'the project contains repositories' }] }),
          { status: 412 },
        );
      return new Response(JSON.stringify(url.includes('/projects') ? [project(1, 'busy')] : []), {
        headers: { 'x-total-count': '1' },
      });
    });
    renderPage(client);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete project busy' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/Delete the project busy\?/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await within(dialog).findByText('the project contains repositories');
  });

  test('a developer gets no way to delete the project, with the reason, nor to create one when only admins may', async () => {
    const developer = { user_id: 2, username: 'dev', sysadmin_flag: false };
    renderPage(projectsApi(['shared'], developer, 'adminonly', 2).client);
    const remove = await screen.findByRole('button', { name: 'Delete project shared' });
    expect(remove.getAttribute('data-disabled')).toBe('true');
    expect(remove.getAttribute('data-denied')).toBe(
      'Only project admins and system administrators can delete this project.',
    );
    await userEvent.click(remove);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByRole('button', { name: 'New project' })).toBeNull();
  });

  test('an administrator gets both', async () => {
    renderPage(projectsApi(['shared'], admin, 'adminonly', 0).client);
    const remove = await screen.findByRole('button', { name: 'Delete project shared' });
    expect(remove.getAttribute('data-disabled')).toBeNull();
    expect(await screen.findByRole('button', { name: 'New project' })).toBeTruthy();
  });
});
