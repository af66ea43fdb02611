import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, importPKCS8 } from 'jose';
import { adminAuth, api, basic, startApiBerth } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { addMember, createProject, createUser, pushImage } from '../helpers/projects.js';
import { portalLogin, send, type Answer } from './client.js';

// Registry tokens that must not open a private repository: expired, not yet valid,
// unsigned, HMAC-signed with the public key, for another audience or issuer, signed by
// another Berth, with a widened access claim, or naming a user or robot deleted since.
// Each is refused with 401, the OCI error body and a Bearer challenge. A portal session
// writing without its CSRF token is refused with 403.

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();

let server: TestBerth;
let other: TestBerth;
let manifestUrl: string;
const scope = 'repository:tv-private/app:pull';

before(async () => {
  server = await startApiBerth({ auth: { tokenSigningKey: pem } });
  other = await startApiBerth();
  await createProject(server, 'tv-private');
  await createProject(server, 'tv-other');
  assert.equal((await pushImage(server, 'tv-private/app', 'v1', adminAuth)).status, 201);
  manifestUrl = `${server.url}/v2/tv-private/app/manifests/v1`;
});
after(async () => {
  await server.close();
  await other.close();
});

async function tokenFrom(target: TestBerth, auth: string, wanted = scope): Promise<string> {
  const res = await send(`${target.url}/service/token?service=harbor-registry&scope=${encodeURIComponent(wanted)}`, {
    headers: { authorization: auth },
  });
  assert.equal(res.status, 200, res.text);
  return res.json<{ token: string }>().token;
}

const pull = (token: string): Promise<Answer> =>
  send(manifestUrl, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.oci.image.manifest.v1+json' },
  });

function assertRefused(res: Answer): void {
  assert.equal(res.status, 401, res.text);
  assert.equal(res.json().errors[0].code, 'UNAUTHORIZED');
  assert.match(
    String(res.headers['www-authenticate']),
    /^Bearer realm="[^"]+\/service\/token",service="harbor-registry"/,
  );
}

const now = () => Math.floor(Date.now() / 1000);
const access = [{ type: 'repository', name: 'tv-private/app', actions: ['pull'] }];

/** A token signed with the server's own key, with the claims given. */
async function forged(claims: { iss?: string; aud?: string; iat?: number; nbf?: number; exp?: number }) {
  const key = await importPKCS8(pem, 'RS256');
  const iat = claims.iat ?? now();
  return new SignJWT({ access })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(claims.iss ?? 'harbor-token-issuer')
    .setAudience(claims.aud ?? 'harbor-registry')
    .setSubject('admin')
    .setIssuedAt(iat)
    .setNotBefore(claims.nbf ?? iat - 5)
    .setExpirationTime(claims.exp ?? iat + 600)
    .sign(key);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('control: a real token and a token forged with the right key and claims both pull', async () => {
  assert.equal((await pull(await tokenFrom(server, adminAuth))).status, 200);
  assert.equal((await pull(await forged({}))).status, 200);
});

test('an expired token is refused', async () => {
  assertRefused(await pull(await forged({ iat: now() - 3600, exp: now() - 60 })));
});

test('a token not yet valid (nbf in the future) is refused', async () => {
  assertRefused(await pull(await forged({ nbf: now() + 600, exp: now() + 1200 })));
});

test('an unsigned token (alg none) is refused', async () => {
  const real = await tokenFrom(server, adminAuth);
  const payload = JSON.parse(Buffer.from(real.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
  assertRefused(await pull(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`));
  assertRefused(await pull(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}`));
});

test("a token HMAC-signed (HS256) with the server's public key as the secret is refused", async () => {
  const token = await new SignJWT({ access })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('harbor-token-issuer')
    .setAudience('harbor-registry')
    .setSubject('admin')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(publicPem));
  assertRefused(await pull(token));
});

test('a token for another audience or from another issuer is refused', async () => {
  assertRefused(await pull(await forged({ aud: 'another-registry' })));
  assertRefused(await pull(await forged({ iss: 'another-issuer' })));
});

test("another Berth's token is refused (signed by its key)", async () => {
  const foreign = await tokenFrom(other, adminAuth);
  assert.notEqual(decodeProtectedHeader(foreign).kid, decodeProtectedHeader(await tokenFrom(server, adminAuth)).kid);
  assertRefused(await pull(foreign));
});

test('a real token whose access claim was widened (push on another repository) is refused', async () => {
  const [header, payload, signature] = (await tokenFrom(server, adminAuth, 'repository:tv-other/app:pull')).split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  claims.access = [{ type: 'repository', name: 'tv-private/app', actions: ['pull', 'push'] }];
  assertRefused(await pull(`${header}.${b64url(claims)}.${signature}`));
});

test('the token of a user deleted after it was issued is refused', async () => {
  const user = await createUser(server, 'tv-leaver');
  await addMember(server, 'tv-private', user.username, 3);
  const token = await tokenFrom(server, user.auth);
  assert.equal((await pull(token)).status, 200, 'works before the delete');
  assert.equal((await api(server, 'DELETE', `/users/${user.id}`)).status, 200);
  assertRefused(await pull(token));
});

test('the token of a robot deleted after it was issued is refused', async () => {
  const created = await api<{ id: number; name: string; secret: string }>(server, 'POST', '/robots', {
    body: {
      name: 'tv-bot',
      level: 'project',
      duration: -1,
      permissions: [{ kind: 'project', namespace: 'tv-private', access: [{ resource: 'repository', action: 'pull' }] }],
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = await tokenFrom(server, basic(created.body.name, created.body.secret));
  assert.equal((await pull(token)).status, 200, 'works before the delete');
  assert.equal((await api(server, 'DELETE', `/robots/${created.body.id}`)).status, 200);
  assertRefused(await pull(token));
});

test('a portal session without its X-Harbor-CSRF-Token is refused (403) on POST /api/v2.0/projects', async () => {
  const login = await portalLogin(server.url, 'admin', 'Harbor12345');
  assert.equal(login.status, 200);
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const csrf = String(login.headers['x-harbor-csrf-token']);
  const create = (headers: Record<string, string>, name: string) =>
    send(`${server.url}/api/v2.0/projects`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ project_name: name, metadata: { public: 'false' } }),
    });
  const refused = await create({}, 'tv-csrf-none');
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json().errors[0].code, 'FORBIDDEN');
  const wrong = await create({ 'x-harbor-csrf-token': `${csrf}x` }, 'tv-csrf-wrong');
  assert.equal(wrong.status, 403);
  assert.equal((await create({ 'x-harbor-csrf-token': csrf }, 'tv-csrf-right')).status, 201);
  assert.equal((await api(server, 'GET', '/projects/tv-csrf-none')).status, 404, 'nothing was created');
});
