import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { AuditLogTable } from '../../components/AuditLogTable';
import { fakeApi, json, renderWith, type Call } from '../../test/render';
import { AdminPage } from './AdminPage';
import { SystemRobotsPage } from './SystemRobotsPage';
import { UsersPage } from './UsersPage';

const me = (sysadmin: boolean) => ({ user_id: 1, username: sysadmin ? 'admin' : 'alice', sysadmin_flag: sysadmin });
const bob = {
  user_id: 2,
  username: 'bob',
  email: 'bob@example.com',
  realname: 'Bob',
  sysadmin_flag: false,
  creation_time: '2024-01-01T00:00:00Z',
  update_time: '',
};
const lastQuery = (calls: Call[], path: string) =>
  calls.filter((c) => c.method === 'GET' && c.url.pathname === `/api/v2.0${path}`).at(-1)?.url.searchParams;

describe('AdminPage', () => {
  test('a user who is not a system administrator is told so and sees no admin tabs', async () => {
    const { client } = fakeApi((call) => (call.url.pathname.endsWith('/users/current') ? json(me(false)) : undefined));
    renderWith(client, <AdminPage />, { path: '/admin/users' });
    await screen.findByText('Only system administrators can open the administration pages.');
    expect(screen.queryByRole('tab')).toBeNull();
  });

  test('a system administrator gets the eight admin tabs, in 简体中文 too', async () => {
    const { client } = fakeApi((call) => (call.url.pathname.endsWith('/users/current') ? json(me(true)) : undefined));
    renderWith(client, <AdminPage />, { path: '/admin/audit-logs', language: 'zh-CN' });
    await screen.findByRole('tab', { name: '用户' });
    expect(screen.getAllByRole('tab').map((tab) => tab.textContent)).toEqual([
      '用户',
      '机器人账户',
      '审计日志',
      '标记',
      '项目配额',
      '垃圾清理',
      '审查服务',
      '配置',
    ]);
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('审计日志');
  });
});

describe('UsersPage', () => {
  function usersApi() {
    return fakeApi((call) => {
      if (call.url.pathname.endsWith('/users/current')) return json(me(true));
      if (call.url.pathname === '/api/v2.0/users' && call.method === 'GET') return json([bob], 1);
      if (call.method === 'PUT') return new Response(null);
      return undefined;
    });
  }

  test('searches users on the server with q=username=~ and sorts by username', async () => {
    const { client, calls } = usersApi();
    renderWith(client, <UsersPage />);
    await screen.findByText('bob@example.com');
    expect(lastQuery(calls, '/users')?.get('sort')).toBe('username');
    await userEvent.type(screen.getByRole('textbox', { name: 'Search users' }), 'bo');
    await waitFor(() => expect(lastQuery(calls, '/users')?.get('q')).toBe('username=~bo'));
    expect(lastQuery(calls, '/users')?.get('page')).toBe('1');
  });

  test('makes a user administrator with PUT /users/{id}/sysadmin', async () => {
    const { client, calls } = usersApi();
    renderWith(client, <UsersPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for bob' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Make administrator' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PUT')).toMatchObject({
        url: new URL('http://portal/api/v2.0/users/2/sysadmin'),
        body: { sysadmin_flag: true },
      }),
    );
  });

  test('a new password must be typed twice alike before it is sent', async () => {
    const { client, calls } = usersApi();
    renderWith(client, <UsersPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for bob' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Reset password' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/^New password/), 'Changed12345');
    await userEvent.type(within(dialog).getByLabelText(/^Confirm password/), 'Changed1234');
    expect(within(dialog).getByText('The passwords differ.')).toBeTruthy();
    expect((within(dialog).getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText(/^Confirm password/), '5');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PUT')).toMatchObject({
        url: new URL('http://portal/api/v2.0/users/2/password'),
        body: { new_password: 'Changed12345' },
      }),
    );
  });
});

describe('AuditLogTable', () => {
  test('filters by operation exactly and by resource fuzzily, newest first, from page 1', async () => {
    const entry = {
      id: 1,
      username: 'admin',
      resource: 'lib/app:v1',
      resource_type: 'artifact',
      operation: 'create',
      op_time: '2024-01-01T00:00:00Z',
    };
    const { client, calls } = fakeApi((call) =>
      call.url.pathname === '/api/v2.0/audit-logs' ? json([entry], 1) : undefined,
    );
    renderWith(client, <AuditLogTable />);
    await screen.findByText('lib/app:v1');
    expect(lastQuery(calls, '/audit-logs')?.get('sort')).toBe('-op_time');
    await userEvent.type(screen.getByRole('textbox', { name: 'Resource' }), 'lib');
    await userEvent.click(screen.getByRole('combobox', { name: 'Operation' }));
    await userEvent.click(await screen.findByRole('option', { name: 'push' }));
    await waitFor(() => expect(lastQuery(calls, '/audit-logs')?.get('q')).toBe('operation=push,resource=~lib'));
  });

  test("a project's log reads /projects/{name}/logs", async () => {
    const { client, calls } = fakeApi(() => json([], 0));
    renderWith(client, <AuditLogTable projectName="lib" />);
    await screen.findByText('No audit entries yet.');
    expect(calls[0].url.pathname).toBe('/api/v2.0/projects/lib/logs');
  });
});

describe('SystemRobotsPage', () => {
  test('creates a system robot with system permissions and a project permission, and shows its secret once', async () => {
    const { client, calls } = fakeApi((call) => {
      if (call.method === 'POST') return json({ id: 7, name: 'robot$ops', secret: 's3cret', expires_at: -1 });
      return json([], 0);
    });
    renderWith(client, <SystemRobotsPage />);
    await screen.findByText(/No robot accounts/);
    expect(lastQuery(calls, '/robots')?.get('q')).toBe('Level=system');
    await userEvent.click(screen.getByRole('button', { name: 'New robot account' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'ops');
    expect((within(dialog).getByRole('button', { name: 'Create' }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(within(dialog).getByLabelText('System project list'));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add a project' }));
    await userEvent.type(within(dialog).getByRole('textbox', { name: /^Project/ }), 'lib');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    await screen.findByText('s3cret');
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      name: 'ops',
      level: 'system',
      permissions: [
        { kind: 'system', namespace: '/', access: [{ resource: 'project', action: 'list' }] },
        {
          kind: 'project',
          namespace: 'lib',
          access: [
            { resource: 'repository', action: 'pull' },
            { resource: 'repository', action: 'push' },
          ],
        },
      ],
    });
  });
});
