import fc from 'fast-check';
import type { Exchange } from './http.js';

// Generators of Harbor REST API requests (/api/v2.0): paging, q with every operator and
// garbage, sort, JSON bodies of the writable resources, and token service scopes.

const junkUnit = fc.constantFrom(...'aZ09._-/:@%+~!$&\'()*,;=[]{}|^`"<>\\# ');
const junk = (maxLength: number) => fc.string({ unit: junkUnit, maxLength });

const numberish = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom(
    '1e300',
    '1e3',
    '-1',
    '0',
    '0x10',
    '1.5',
    'NaN',
    'Infinity',
    '',
    ' 1',
    '9007199254740993',
    '1'.repeat(400),
  ),
  fc.double().map(String),
);

const qKeys = fc.constantFrom(
  'name',
  'public',
  'owner',
  'project_id',
  'tags',
  'digest',
  'type',
  'media_type',
  'username',
  'email',
  'Level',
  'ProjectID',
  'operation',
  'resource',
  'op_time',
  'creation_time',
  'label_id',
  '',
);
const qValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 8 }).map((v) => `~${v}`),
  fc.tuple(fc.option(numberish), fc.option(numberish)).map(([a, b]) => `[${a ?? ''}~${b ?? ''}]`),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }).map((v) => `{${v.join(' ')}}`),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }).map((v) => `(${v.join(' ')})`),
  fc.constantFrom('true', 'false', '[', '{', '(', ']', '~', '[~]', '{)', '[2020-01-01T00:00:00Z~2030-01-01]'),
);
export const qParam = fc.oneof(
  fc
    .array(fc.tuple(qKeys, fc.constantFrom('=', '=~', '==', ''), qValue), { maxLength: 4 })
    .map((terms) => terms.map(([k, op, v]) => `${k}${op}${v}`).join(',')),
  junk(40),
);
const sortParam = fc.oneof(
  fc
    .array(fc.tuple(fc.boolean(), fc.constantFrom('name', 'creation_time', 'update_time', 'id', 'op_time', 'x')), {
      maxLength: 3,
    })
    .map((parts) => parts.map(([desc, c]) => `${desc ? '-' : ''}${c}`).join(',')),
  junk(20),
);
const listQuery = fc
  .record(
    {
      page: numberish,
      page_size: numberish,
      q: qParam,
      sort: sortParam,
      name: fc.string({ maxLength: 10 }),
      public: fc.constantFrom('true', 'false', 'maybe', ''),
      with_tag: fc.constantFrom('true', 'false', 'x'),
      with_label: fc.constantFrom('true', 'false', 'x'),
      username: fc.string({ maxLength: 10 }),
    },
    { requiredKeys: [] },
  )
  .map((params) =>
    Object.entries(params)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&'),
  );

const projectRef = fc.oneof(
  fc.constantFrom('library', '1', '0', '-1', '99999999999999999999', '1e300', 'nosuch', '%2e%2e'),
  fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
  fc.integer().map(String),
);
const repoRef = fc.oneof(
  fc.constantFrom('fuzz-base', 'fuzz-base%252Fx', 'a%2Fb', '%25', 'x'),
  fc.stringMatching(/^[a-z0-9]{1,10}$/),
);
const artifactRef = fc.oneof(
  fc.constantFrom('latest', 'v1', 'sha256:', 'sha256:abc'),
  fc.stringMatching(/^[a-z0-9.]{1,10}$/),
);
const idRef = fc.oneof(fc.integer({ min: 2 }).map(String), fc.constantFrom('0', '-1', 'x', '1e300', 'current', '2'));

const listPaths = fc.oneof(
  fc.constantFrom('/projects', '/repositories', '/users', '/users/search', '/robots', '/audit-logs', '/schedules'),
  projectRef.map((p) => `/projects/${p}/repositories`),
  projectRef.map((p) => `/projects/${p}/members`),
  projectRef.map((p) => `/projects/${p}/logs`),
  fc.tuple(projectRef, repoRef).map(([p, r]) => `/projects/${p}/repositories/${r}/artifacts`),
  fc.tuple(projectRef, repoRef, artifactRef).map(([p, r, a]) => `/projects/${p}/repositories/${r}/artifacts/${a}/tags`),
);

/** GET (and HEAD) listings with generated paging, q and sort. */
export const apiListings: fc.Arbitrary<Exchange> = fc
  .tuple(fc.constantFrom('GET', 'GET', 'GET', 'HEAD'), listPaths, listQuery)
  .map(([method, path, query]) => ({ method, path: `/api/v2.0${path}?${query}` }));

/** Any JSON value, with the shapes a lenient parser may trip on. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(1e300, -0, 2 ** 63, '', 'true', '1', '-1'),
  fc.jsonValue({ maxDepth: 2 }),
);
const loose = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...Object.keys(fields), 'x', '__proto__'), anyValue) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );

const metadata = fc.dictionary(
  fc.constantFrom('public', 'auto_scan', 'severity', 'prevent_vul', 'enable_content_trust', 'retention_id', 'x'),
  fc.oneof(fc.constantFrom('true', 'false', 'high', 'low', 'none', '1'), anyValue),
);
const projectBody = loose({
  project_name: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,30}$/), fc.string({ maxLength: 300 })),
  public: anyValue,
  metadata: fc.oneof(metadata, anyValue),
  storage_limit: fc.oneof(fc.integer({ min: -2 }), anyValue),
  registry_id: anyValue,
  cve_allowlist: fc.oneof(fc.record({ items: fc.array(fc.record({ cve_id: fc.string() })) }), anyValue),
});
const userBody = loose({
  username: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/), fc.string({ maxLength: 300 })),
  email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 40 })),
  realname: fc.string({ maxLength: 40 }),
  password: fc.oneof(fc.constant('Passw0rd!Passw0rd'), fc.string({ maxLength: 300 })),
  comment: fc.string({ maxLength: 40 }),
});
const access = fc.record(
  {
    resource: fc.constantFrom('repository', 'artifact', 'tag', 'project', '*', 'x'),
    action: fc.constantFrom('pull', 'push', 'list', 'read', 'delete', '*', 'x'),
    effect: fc.constantFrom('allow', 'deny', 'x'),
  },
  { requiredKeys: [] },
);
const robotBody = loose({
  name: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.string({ maxLength: 300 })),
  description: fc.string({ maxLength: 40 }),
  duration: fc.oneof(fc.integer({ min: -2 }), anyValue),
  level: fc.oneof(fc.constantFrom('system', 'project'), anyValue),
  disable: anyValue,
  permissions: fc.oneof(
    fc.array(
      fc.record(
        {
          kind: fc.constantFrom('project', 'system', 'x'),
          namespace: fc.constantFrom('library', '*', '/'),
          access: fc.array(access, { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
    anyValue,
  ),
});
/** Settings keys except read_only: switching it on would turn every later write into a 403 and hide them. */
const configurationBody = loose({
  project_creation_restriction: fc.oneof(fc.constantFrom('everyone', 'adminonly'), anyValue),
  self_registration: anyValue,
  token_expiration: fc.oneof(fc.integer(), anyValue),
  robot_token_duration: fc.oneof(fc.integer(), anyValue),
  robot_name_prefix: fc.oneof(fc.constantFrom('robot$', ''), anyValue),
  auth_mode: fc.oneof(fc.constantFrom('db_auth', 'ldap_auth', 'oidc_auth'), anyValue),
  storage_per_project: anyValue,
  notification_enable: anyValue,
  audit_log_forward_endpoint: anyValue,
});

const rawBody = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '{"a":', '\u0000', '{"__proto__":{"x":1}}') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
);
const jsonContentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin-99',
  '',
);

function writes(method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<unknown>): fc.Arbitrary<Exchange> {
  return fc.tuple(path, body, rawBody, jsonContentType).map(([p, value, raw, contentType]): Exchange => ({
    method,
    path: `/api/v2.0${p}`,
    headers: contentType ? { 'content-type': contentType } : {},
    body: Buffer.from(raw ?? JSON.stringify(value) ?? ''),
  }));
}

/** POST /projects, /users, /robots, PUT /configurations and project metadata with generated JSON. */
export const apiWrites: fc.Arbitrary<Exchange> = fc.oneof(
  writes('POST', fc.constant('/projects'), projectBody),
  writes(
    'PUT',
    projectRef.map((p) => `/projects/${p}`),
    projectBody,
  ),
  writes('POST', fc.constant('/users'), userBody),
  writes(
    'PUT',
    idRef.map((id) => `/users/${id}`),
    userBody,
  ),
  writes(
    'PUT',
    idRef.map((id) => `/users/${id}/sysadmin`),
    loose({ sysadmin_flag: anyValue }),
  ),
  writes('POST', fc.constant('/robots'), robotBody),
  writes(
    'PUT',
    idRef.map((id) => `/robots/${id}`),
    robotBody,
  ),
  writes(
    'PATCH',
    idRef.map((id) => `/robots/${id}`),
    loose({ secret: fc.string({ maxLength: 40 }) }),
  ),
  writes('PUT', fc.constant('/configurations'), configurationBody),
  writes(
    'POST',
    projectRef.map((p) => `/projects/${p}/metadatas`),
    metadata,
  ),
  writes(
    'PUT',
    fc
      .tuple(projectRef, fc.constantFrom('public', 'auto_scan', 'severity', 'x', '%'))
      .map(([p, m]) => `/projects/${p}/metadatas/${m}`),
    metadata,
  ),
  writes(
    'POST',
    projectRef.map((p) => `/projects/${p}/members`),
    loose({ role_id: anyValue, member_user: fc.record({ username: fc.string() }) }),
  ),
  writes(
    'POST',
    fc
      .tuple(projectRef, repoRef, artifactRef)
      .map(([p, r, a]) => `/projects/${p}/repositories/${r}/artifacts/${a}/tags`),
    loose({ name: fc.string({ maxLength: 200 }) }),
  ),
  fc
    .tuple(
      fc.constantFrom('DELETE', 'GET'),
      fc.oneof(
        idRef.map((id) => `/robots/${id}`),
        idRef.map((id) => `/users/${id}`),
        fc.tuple(projectRef, fc.constantFrom('x', 'public', '%')).map(([p, m]) => `/projects/${p}/metadatas/${m}`),
        fc
          .tuple(projectRef, repoRef, artifactRef)
          .map(([p, r, a]) => `/projects/${p}/repositories/${r}/artifacts/${a}`),
      ),
    )
    .map(([method, p]) => ({ method, path: `/api/v2.0${p}` })),
);

const scopeAction = fc.constantFrom('pull', 'push', 'delete', '*', 'pull,push', '', 'x', 'pull,,push');
const scope = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('repository', 'registry', 'x', ''),
      fc.oneof(fc.constantFrom('library/fuzz-base', 'catalog', 'library/a:b'), junk(30)),
      scopeAction,
    )
    .map(([type, name, actions]) => `${type}:${name}:${actions}`),
  fc.constantFrom('repository', 'repository:', ':::', 'repository:library/x', 'repository(plugin):library/x:pull'),
  junk(60),
);

/** GET /service/token with generated scopes (repeated or space-separated), service and account. */
export const tokenRequests: fc.Arbitrary<Exchange> = fc
  .record(
    {
      scopes: fc.array(scope, { maxLength: 4 }),
      joined: fc.boolean(),
      service: fc.oneof(fc.constantFrom('harbor-registry', '', 'other'), junk(20)),
      account: fc.oneof(fc.constantFrom('admin', ''), junk(20)),
      offline_token: fc.constantFrom('true', 'false', 'x'),
    },
    { requiredKeys: ['scopes'] },
  )
  .map(({ scopes, joined, ...rest }) => {
    const parts = joined
      ? [`scope=${encodeURIComponent(scopes.join(' '))}`]
      : scopes.map((s) => `scope=${encodeURIComponent(s)}`);
    for (const [k, v] of Object.entries(rest)) parts.push(`${k}=${encodeURIComponent(String(v))}`);
    return { method: 'GET', path: `/service/token?${parts.join('&')}` };
  });
