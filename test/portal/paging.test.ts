import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { adminAuth, api } from '../helpers/api.js';

// The portal's lists stay quick with 10,000 rows: Berth pages, sorts and searches on the
// server. 10,000 projects are created through the API (each also writes an audit entry),
// then the exact queries the portal sends are timed.

const rows = Number(process.env.BERTH_PORTAL_ROWS ?? 10_000);
const budgetMs = 500;
let server: TestBerth;

before(async () => {
  server = await startTestBerth();
  let next = 0;
  // Eight requests in flight: the API's own write path, as a script filling Berth would use it.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < rows) {
        const name = `row-${String(next++).padStart(5, '0')}`;
        const res = await api(server, 'POST', '/projects', { auth: adminAuth, body: { project_name: name } });
        assert.equal(res.status, 201, name);
      }
    }),
  );
});
after(() => server.close());

/** The median time of five requests, and the last response. */
async function timed(path: string): Promise<{ ms: number; total: number; names: string[] }> {
  const times: number[] = [];
  let total = 0;
  let names: string[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const res = await fetch(`${server.url}/api/v2.0${path}`, { headers: { authorization: adminAuth } });
    const body = (await res.json()) as { name?: string; resource?: string }[];
    times.push(performance.now() - start);
    assert.equal(res.status, 200, path);
    total = Number(res.headers.get('x-total-count'));
    names = body.map((row) => row.name ?? row.resource ?? '');
  }
  return { ms: times.sort((a, b) => a - b)[2], total, names };
}

test(`projects and the audit log page, sort and search ${rows} rows on the server within ${budgetMs} ms`, async (t) => {
  const lastPage = Math.ceil((rows + 1) / 10);
  const cases: { path: string; total: number; first?: string }[] = [
    { path: '/projects?page=1&page_size=10&sort=name', total: rows + 1, first: 'library' },
    { path: `/projects?page=${lastPage}&page_size=10&sort=name`, total: rows + 1 },
    { path: '/projects?page=2&page_size=100&sort=-creation_time', total: rows + 1 },
    {
      path: `/projects?page=1&page_size=10&sort=name&q=${encodeURIComponent('name=~row-0999')}`,
      total: 10,
      first: 'row-09990',
    },
    { path: '/audit-logs?page=1&page_size=10&sort=-op_time', total: rows },
    { path: `/audit-logs?page=${Math.floor(rows / 10)}&page_size=10&sort=-op_time`, total: rows },
    {
      path: `/audit-logs?page=1&page_size=10&sort=-op_time&q=${encodeURIComponent('operation=create,resource=~row-0999')}`,
      total: 10,
    },
  ];
  for (const c of cases) {
    const result = await timed(c.path);
    t.diagnostic(`${c.path}: ${result.ms.toFixed(1)} ms, X-Total-Count ${result.total}`);
    assert.equal(result.total, c.total, c.path);
    if (c.first) assert.equal(result.names[0], c.first, c.path);
    assert.ok(result.ms < budgetMs, `${c.path} took ${result.ms.toFixed(1)} ms`);
  }
});
