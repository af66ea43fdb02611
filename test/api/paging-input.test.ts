import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminAuth, api, startApiBerth } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { createProject, pushImage } from '../helpers/projects.js';

// Every paged list of /api/v2.0 reads page and page_size as Harbor 2.x does (go-swagger binds them
// as int64, page_size at most 100; lib/orm skips nothing for page ≤ 0 and applies no LIMIT for
// page_size ≤ 0): a bad value is Harbor's 422, and no value is ever a 5xx.

interface Errors {
  errors: { code: string; message: string }[];
}

let server: TestBerth;
const artifact = '/projects/paged/repositories/app/artifacts/v1';

/** Every paged list, with what it needs to answer. */
const endpoints = [
  '/projects',
  '/users',
  '/users/search?username=ad',
  '/audit-logs',
  '/repositories',
  '/projects/paged/repositories',
  '/projects/paged/repositories/app/artifacts',
  `${artifact}/tags`,
  `${artifact}/accessories`,
  '/robots',
  '/projects/paged/logs',
  '/projects/paged/members',
  '/schedules',
];

const typeError = (name: string, value: string) => `${name} in query must be of type int64: ${JSON.stringify(value)}`;
const tooBig = 'page_size in query should be less than or equal to 100';

/** Query → the lines of Harbor's "validation failure list". */
const refused: [string, string[]][] = [
  ['page=1e300', [typeError('page', '1e300')]],
  ['page=1e20', [typeError('page', '1e20')]],
  ['page=99999999999999999999', [typeError('page', '99999999999999999999')]],
  ['page=9223372036854775808', [typeError('page', '9223372036854775808')]],
  ['page=abc', [typeError('page', 'abc')]],
  ['page=1.5', [typeError('page', '1.5')]],
  ['page=%201', [typeError('page', ' 1')]],
  ['page=0x10', [typeError('page', '0x10')]],
  ['page_size=1e300', [typeError('page_size', '1e300')]],
  ['page_size=99999999999999999999', [typeError('page_size', '99999999999999999999')]],
  ['page_size=ten', [typeError('page_size', 'ten')]],
  ['page_size=101', [tooBig]],
  ['page_size=9223372036854775807', [tooBig]],
  ['page=x&page_size=y', [typeError('page', 'x'), typeError('page_size', 'y')]],
  ['page=x&page_size=1000', [typeError('page', 'x'), tooBig]],
];

/** Valid int64 values, and how many of the whole list's rows (at most 100 here) they answer. */
const answered: { query: string; rows: (whole: number) => number }[] = [
  { query: 'page=1000', rows: () => 0 },
  { query: 'page=9223372036854775807', rows: () => 0 },
  { query: 'page=9223372036854775807&page_size=100', rows: () => 0 },
  { query: 'page=1000000000000000000&page_size=100', rows: () => 0 },
  { query: 'page=0', rows: (whole) => Math.min(whole, 10) },
  { query: 'page=-1', rows: (whole) => Math.min(whole, 10) },
  { query: 'page=-9223372036854775808', rows: (whole) => Math.min(whole, 10) },
  { query: 'page_size=0', rows: (whole) => whole },
  { query: 'page_size=-5', rows: (whole) => whole },
  { query: 'page_size=-9223372036854775808', rows: (whole) => whole },
  { query: 'page=%2B1&page_size=007', rows: (whole) => Math.min(whole, 7) },
  { query: 'page=1&page=1000', rows: () => 0 },
];

before(async () => {
  server = await startApiBerth();
  await createProject(server, 'paged');
  assert.equal((await pushImage(server, 'paged/app', 'v1', adminAuth)).status, 201);
  const robot = await api(server, 'POST', '/robots', {
    body: {
      name: 'pager',
      level: 'system',
      duration: -1,
      permissions: [{ kind: 'system', namespace: '/', access: [{ resource: 'catalog', action: 'read' }] }],
    },
  });
  assert.equal(robot.status, 201, JSON.stringify(robot.body));
});
after(() => server.close());

const withQuery = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;

test("a page or page_size that is no int64, or a page_size over 100, is Harbor's 422 on every paged list", async () => {
  for (const path of endpoints) {
    for (const [query, lines] of refused) {
      const res = await api<Errors>(server, 'GET', withQuery(path, query));
      assert.equal(res.status, 422, `${path} ${query}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(
        res.body.errors,
        [{ code: 'UNPROCESSABLE_ENTITY', message: ['validation failure list:', ...lines].join('\n') }],
        `${path} ${query}`,
      );
    }
  }
});

test('a page beyond the end is an empty 200; page ≤ 0 is the first page; page_size ≤ 0 the whole list', async () => {
  for (const path of endpoints) {
    const whole = await api<unknown[]>(server, 'GET', withQuery(path, 'page_size=100'));
    assert.equal(whole.status, 200, `${path}: ${JSON.stringify(whole.body)}`);
    for (const { query, rows } of answered) {
      const res = await api<unknown[]>(server, 'GET', withQuery(path, query));
      assert.ok(res.status < 500, `${path} ${query}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.status, 200, `${path} ${query}: ${JSON.stringify(res.body)}`);
      assert.ok(Array.isArray(res.body), `${path} ${query}`);
      assert.equal(res.body.length, rows(whole.body.length), `${path} ${query}`);
      assert.equal(res.headers.get('x-total-count'), whole.headers.get('x-total-count'), `${path} ${query}`);
    }
  }
});

test('an out-of-range page links back to no page; page_size ≤ 0 answers every row and no Link', async () => {
  for (let i = 0; i < 12; i++) await createProject(server, `paged-${String(i).padStart(2, '0')}`);
  const beyond = await api<unknown[]>(server, 'GET', '/projects?page=9223372036854775807&page_size=5');
  assert.deepEqual(beyond.body, []);
  assert.equal(beyond.headers.get('link'), null);
  const total = Number(beyond.headers.get('x-total-count'));
  assert.ok(total >= 13);
  const whole = await api<unknown[]>(server, 'GET', '/projects?page_size=0');
  assert.equal(whole.body.length, total);
  assert.equal(whole.headers.get('link'), null);
  const first = await api<unknown[]>(server, 'GET', '/projects?page=0&page_size=5');
  assert.equal(first.body.length, 5);
  assert.match(first.headers.get('link') ?? '', /page=2&page_size=5>; rel="next"/);
  assert.doesNotMatch(first.headers.get('link') ?? '', /rel="prev"/);
});
