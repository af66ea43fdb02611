import { describe, expect, test } from 'vitest';
import { ApiClient, ApiError, repositoryPath } from './client';

type Call = { url: string; init: RequestInit };

function fakeServer(responses: Response[]) {
  const calls: Call[] = [];
  const transport = async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = responses.shift();
    if (!next) throw new Error(`unexpected request ${url}`);
    return next;
  };
  return { calls, client: new ApiClient(transport) };
}

describe('ApiClient', () => {
  test('echoes the CSRF token of the last API response on writes, not on reads', async () => {
    const { calls, client } = fakeServer([
      new Response('[]', { headers: { 'x-harbor-csrf-token': 'tok-1', 'x-total-count': '42' } }),
      new Response(null, { status: 201, headers: { 'x-harbor-csrf-token': 'tok-2' } }),
    ]);
    const page = await client.list('/projects', { page: 2, page_size: 10, q: undefined });
    expect(page.total).toBe(42);
    expect(calls[0].url).toBe('/api/v2.0/projects?page=2&page_size=10');
    expect(new Headers(calls[0].init.headers).get('x-harbor-csrf-token')).toBeNull();
    await client.write('POST', '/projects', { project_name: 'x' });
    expect(new Headers(calls[1].init.headers).get('x-harbor-csrf-token')).toBe('tok-1');
  });

  test("turns Harbor's error body into the error's message", async () => {
    const body = JSON.stringify({ errors: [{ code: 'CONFLICT', message: 'project x already exists' }] });
    const { client } = fakeServer([new Response(body, { status: 409 }), new Response('bad gateway', { status: 502 })]);
    const error = await client.write('POST', '/projects', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('project x already exists');
    expect((error as ApiError).status).toBe(409);
    const plain = await client.get('/ping').catch((e: unknown) => e);
    expect((plain as ApiError).message).toBe('bad gateway');
  });

  test('logs in with a form post and keeps the CSRF token it answers', async () => {
    const { calls, client } = fakeServer([
      new Response(null, { headers: { 'x-harbor-csrf-token': 'login-tok' } }),
      new Response(null),
    ]);
    await client.login('admin', 'p&ss word');
    expect(calls[0].url).toBe('/c/login');
    expect(calls[0].init.body).toBe('principal=admin&password=p%26ss+word');
    await client.write('DELETE', '/projects/1');
    expect(new Headers(calls[1].init.headers).get('x-harbor-csrf-token')).toBe('login-tok');
  });

  test("repository paths encode the name inside the project twice, as Harbor's API wants", () => {
    expect(repositoryPath('lib', 'lib/a/b')).toBe('/projects/lib/repositories/a%252Fb');
  });
});
