import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import type { Artifact, Label } from '../../api/types';
import { fakeApi, json, renderWith } from '../../test/render';
import { ArtifactLabelMenu } from './ArtifactLabelMenu';
import { LabelsSection } from './LabelsSection';

function label(id: number, name: string, scope: 'g' | 'p' = 'g'): Label {
  return {
    id,
    name,
    description: `${name} builds`,
    color: '#C92100',
    scope,
    project_id: scope === 'p' ? 3 : 0,
    creation_time: '2026-12-07T10:00:00.000Z',
    update_time: '2026-12-07T10:00:00.000Z',
  };
}

const everything = { create: true, update: true, delete: true };

describe('LabelsSection', () => {
  test('a new label is posted with its owner, name, description and the color picked', async () => {
    const api = fakeApi((call) => {
      if (call.url.pathname === '/api/v2.0/labels' && call.method === 'GET') return json([label(1, 'qa')], 1);
      if (call.method === 'POST') return new Response(null, { status: 201 });
      return undefined;
    });
    renderWith(api.client, <LabelsSection owner={{ scope: 'p', projectId: 3 }} rights={everything} />);
    const row = await screen.findByTestId('label-row');
    expect(within(row).getByTestId('label-chip').textContent).toBe('qa');
    expect(api.calls[0]?.url.searchParams.get('scope')).toBe('p');
    expect(api.calls[0]?.url.searchParams.get('project_id')).toBe('3');

    await userEvent.click(screen.getByRole('button', { name: 'New label' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'prod');
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Description' }), 'Running');
    await userEvent.click(within(dialog).getByRole('radio', { name: '#48960C' }));
    expect(within(dialog).getByRole('textbox', { name: 'Custom color' })).toHaveProperty('value', '#48960C');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    const post = api.calls.find((call) => call.method === 'POST');
    expect(post?.body).toEqual({ name: 'prod', description: 'Running', color: '#48960C', scope: 'p', project_id: 3 });
  });

  test("a taken name: the API's 409 shows in the dialog; a bad custom color disables Save", async () => {
    const conflict = { errors: [{ code: 'CONFLICT', message: 'label qa already exists' }] };
    const api = fakeApi((call) => {
      if (call.method === 'GET') return json([label(1, 'qa'), label(2, 'dev')], 2);
      return new Response(JSON.stringify(conflict), { status: 409 });
    });
    renderWith(api.client, <LabelsSection owner={{ scope: 'g' }} rights={everything} />);
    const rows = await screen.findAllByTestId('label-row');
    await userEvent.click(within(rows[1]!).getByRole('button', { name: 'Actions for label dev' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog');
    const custom = within(dialog).getByRole('textbox', { name: 'Custom color' });
    await userEvent.clear(custom);
    await userEvent.type(custom, '12');
    expect(within(dialog).getByRole('button', { name: 'Save' }).hasAttribute('disabled')).toBe(true);
    await userEvent.type(custom, '3456');
    const name = within(dialog).getByRole('textbox', { name: /Name/ });
    await userEvent.clear(name);
    await userEvent.type(name, 'qa');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await within(dialog).findByText('label qa already exists');
    const put = api.calls.find((call) => call.method === 'PUT');
    expect(put?.url.pathname).toBe('/api/v2.0/labels/2');
    expect(put?.body).toEqual({ name: 'qa', description: 'dev builds', color: '#123456' });
  });

  test('who may only list sees no New label and no row menu', async () => {
    const api = fakeApi(() => json([label(1, 'qa')], 1));
    renderWith(
      api.client,
      <LabelsSection owner={{ scope: 'g' }} rights={{ create: false, update: false, delete: false }} />,
      {
        language: 'zh-CN',
      },
    );
    const row = await screen.findByTestId('label-row');
    expect(within(row).queryByRole('button')).toBeNull();
    expect(screen.queryByRole('button', { name: '新建标记' })).toBeNull();
  });
});

describe('ArtifactLabelMenu', () => {
  const artifact = {
    id: 5,
    digest: 'sha256:0123456789abcdef',
    repository_name: 'team/app',
    labels: [label(1, 'qa')],
  } as Artifact;

  test('global and project labels, those on the artifact checked; picking adds or removes', async () => {
    const api = fakeApi((call) => {
      if (call.url.pathname === '/api/v2.0/labels')
        return call.url.searchParams.get('scope') === 'g'
          ? json([label(1, 'qa')], 1)
          : json([label(2, 'beta', 'p')], 1);
      return new Response(null);
    });
    renderWith(api.client, <ArtifactLabelMenu artifact={artifact} projectId={3} projectName="team" />);
    await userEvent.click(screen.getByRole('button', { name: 'Add labels to sha256:0123456789ab' }));
    const qa = await screen.findByRole('menuitem', { name: 'qa' });
    const beta = await screen.findByRole('menuitem', { name: 'beta' });
    expect(qa.getAttribute('data-checked')).toBe('true');
    expect(beta.getAttribute('data-checked')).toBe('false');
    await userEvent.click(beta);
    await userEvent.click(qa);
    const writes = api.calls.filter((call) => call.method !== 'GET');
    expect(writes.map((call) => `${call.method} ${call.url.pathname}`)).toEqual([
      'POST /api/v2.0/projects/team/repositories/app/artifacts/sha256:0123456789abcdef/labels',
      'DELETE /api/v2.0/projects/team/repositories/app/artifacts/sha256:0123456789abcdef/labels/1',
    ]);
    expect(writes[0]?.body).toEqual({ id: 2 });
  });
});
