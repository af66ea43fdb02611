import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { loadSigningKey } from './keys.js';

// A configured key (a Kubernetes Secret) may be PKCS#1, as Helm's genPrivateKey writes it, or PKCS#8.
const unusedDb = {} as Kysely<Database>;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

for (const type of ['pkcs1', 'pkcs8'] as const) {
  test(`a configured ${type} PEM signs tokens that its public key verifies`, async () => {
    const pem = privateKey.export({ type, format: 'pem' }).toString();
    const key = await loadSigningKey(unusedDb, pem);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setSubject('admin')
      .sign(key.privateKey);
    const { payload } = await jwtVerify(token, key.publicKey);
    assert.equal(payload.sub, 'admin');
    assert.match(key.kid, /^[A-Za-z0-9_-]{43}$/);
  });
}

test('a configured key that is not a PEM RSA key stops the start naming auth.tokenSigningKey', async () => {
  await assert.rejects(loadSigningKey(unusedDb, 'not a key'), /auth\.tokenSigningKey/);
});
