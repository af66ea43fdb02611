import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { fakeApi, json, renderWith, type Call } from '../../test/render';
import { GcPage } from './GcPage';
import { QuotasPage } from './QuotasPage';

const GiB = 1024 ** 3;
const writes = (calls: Call[], method: string, path: string) =>
  calls.filter((c) => c.method === method && c.url.pathname === `/api/v2.0${path}`);

const run = (id: number, status: string, dryRun: boolean) => ({
  id,
  job_name: 'GARBAGE_COLLECTION',
  job_kind: 'MANUAL',
  job_parameters: JSON.stringify({ delete_untagged: false, dry_run: dryRun, time_window: 2, workers: 1 }),
  job_status: status,
  creation_time: '2024-01-01T00:00:00Z',
  update_time: '2024-01-01T00:01:00Z',
  progress: {
    blobs_marked: 4,
    blobs_swept: status === 'Running' ? 1 : 3,
    manifests_deleted: 2,
    freed_bytes: 1.5 * 1024 ** 2,
  },
});

function gcApi(schedule: object, history: object[]) {
  return fakeApi((call) => {
    const path = call.url.pathname;
    if (path === '/api/v2.0/system/gc/schedule' && call.method === 'GET') return json(schedule);
    if (path === '/api/v2.0/system/gc/schedule')
      return new Response(null, { status: call.method === 'POST' ? 201 : 200 });
    if (path === '/api/v2.0/system/gc') return json(history, history.length);
    if (path.startsWith('/api/v2.0/system/gc/') && call.method === 'PUT') return new Response(null);
    return undefined;
  });
}

describe('GcPage', () => {
  test('a dry run posts a Manual schedule with the options; rows show their counts and a log link', async () => {
    const { client, calls } = gcApi({}, [run(2, 'Success', true), run(1, 'Success', false)]);
    renderWith(client, <GcPage />);
    const rows = await screen.findAllByTestId('gc-run');
    expect(within(rows[0]).getByText('4 blobs, 2 manifests, 1.5 MiB to free')).toBeTruthy();
    expect(within(rows[1]).getByText('3 blobs, 2 manifests, 1.5 MiB freed')).toBeTruthy();
    expect(within(rows[1]).getByRole('link', { name: 'Log of run 1' }).getAttribute('href')).toBe(
      '/api/v2.0/system/gc/1/log',
    );
    await userEvent.click(screen.getByRole('checkbox', { name: /Delete untagged artifacts/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Dry run' }));
    await screen.findByText(/Garbage collection started/);
    expect(writes(calls, 'POST', '/system/gc/schedule')[0].body).toEqual({
      schedule: { type: 'Manual' },
      parameters: { delete_untagged: true, dry_run: true, time_window: 2, workers: 1 },
    });
  });

  test('polls the history while a run is running, with a live bar and a Stop action', async () => {
    const { client, calls } = gcApi({}, [run(3, 'Running', false)]);
    renderWith(client, <GcPage />);
    const row = await screen.findByTestId('gc-run');
    expect(within(row).getByText('1 of 4 blobs swept, 2 manifests, 1.5 MiB freed')).toBeTruthy();
    await waitFor(() => expect(writes(calls, 'GET', '/system/gc').length).toBeGreaterThan(1), { timeout: 3000 });
    await userEvent.click(within(row).getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(writes(calls, 'PUT', '/system/gc/3')[0]?.body).toEqual({ status: 'stop' }));
  });

  test('the first schedule is a POST, a custom cron needs six fields, an existing schedule is a PUT', async () => {
    const first = gcApi({}, []);
    const view = renderWith(first.client, <GcPage />);
    await screen.findByText('No run is scheduled.');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Schedule' }), 'Custom');
    await userEvent.type(screen.getByRole('textbox', { name: /Cron expression/ }), '0 0 * * *');
    expect(screen.getByText('A cron expression has six fields separated by spaces.')).toBeTruthy();
    await userEvent.type(screen.getByRole('textbox', { name: /Cron expression/ }), ' 1');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('The schedule was saved.');
    expect(writes(first.calls, 'POST', '/system/gc/schedule')[0].body).toEqual({
      schedule: { type: 'Custom', cron: '0 0 * * * 1' },
      parameters: { delete_untagged: false, time_window: 2, workers: 1 },
    });
    view.unmount();

    const saved = { schedule: { type: 'Daily', cron: '0 0 0 * * *', next_scheduled_time: '2030-01-02T00:00:00Z' } };
    const second = gcApi(saved, []);
    renderWith(second.client, <GcPage />);
    await screen.findByText(/^Next run: /);
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Schedule' }), 'Weekly');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('The schedule was saved.');
    expect(writes(second.calls, 'PUT', '/system/gc/schedule')[0].body).toMatchObject({
      schedule: { type: 'Weekly', cron: '0 0 0 * * 0' },
    });
  });
});

describe('QuotasPage', () => {
  const quota = {
    id: 7,
    ref: { id: 3, name: 'team', owner_name: 'admin' },
    hard: { storage: 10 * GiB },
    used: { storage: 9 * GiB },
    creation_time: '2024-01-01T00:00:00Z',
    update_time: '2024-01-01T00:00:00Z',
  };
  function quotasApi() {
    return fakeApi((call) => {
      const path = call.url.pathname;
      if (path === '/api/v2.0/configurations' && call.method === 'GET')
        return json({ storage_per_project: { value: -1, editable: true } });
      if (path === '/api/v2.0/quotas') return json([quota], 1);
      if (call.method === 'PUT') return new Response(null);
      return undefined;
    });
  }

  test('shows used of hard in orange from 85%, and edits a hard limit with a number and a unit', async () => {
    const { client, calls } = quotasApi();
    renderWith(client, <QuotasPage />);
    const row = await screen.findByTestId('quota-row');
    expect(within(row).getByText('9 GiB of 10 GiB')).toBeTruthy();
    expect(within(row).getByTestId('quota-bar').dataset.level).toBe('warning');
    expect(within(row).getByRole('link', { name: 'team' }).getAttribute('href')).toBe('/projects/3');
    expect(writes(calls, 'GET', '/quotas')[0].url.searchParams.get('reference')).toBe('project');

    await userEvent.click(within(row).getByRole('button', { name: 'Edit the quota of team' }));
    const dialog = await screen.findByRole('dialog');
    const amount = within(dialog).getByRole('textbox', { name: /Storage quota/ });
    await userEvent.clear(amount);
    await userEvent.type(amount, '512');
    await userEvent.selectOptions(within(dialog).getByRole('combobox', { name: 'Unit' }), 'MiB');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(writes(calls, 'PUT', '/quotas/7')[0]?.body).toEqual({ hard: { storage: 512 * 1024 ** 2 } }),
    );
  });

  test('the default quota is unlimited until set; Edit default quota saves storage_per_project', async () => {
    const { client, calls } = quotasApi();
    renderWith(client, <QuotasPage />);
    expect((await screen.findByTestId('default-quota-value')).textContent).toBe('unlimited');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Edit default quota' }).hasAttribute('disabled')).toBe(false),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Edit default quota' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('checkbox', { name: 'Unlimited' }));
    await userEvent.type(within(dialog).getByRole('textbox', { name: /Storage quota/ }), '20');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(writes(calls, 'PUT', '/configurations')[0]?.body).toEqual({ storage_per_project: 20 * GiB }),
    );
  });
});
