import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type CryptoKey,
} from 'jose';
import { createPrivateKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ConfigError } from '../config/index.js';
import type { Database } from '../db/index.js';

// The token signing key: from configuration (a Kubernetes Secret), or generated on
// first start and kept in the database so every replica signs and verifies alike.

export interface SigningKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** JWK thumbprint of the public key (RFC 7638), the JWT `kid`. */
  kid: string;
}

const propertyName = 'token.signing_key';

export async function loadSigningKey(db: Kysely<Database>, configuredPem: string | undefined): Promise<SigningKey> {
  const pem = configuredPem ?? (await storedOrNewPem(db));
  const privateKey = await importPKCS8(toPkcs8(pem), 'RS256', { extractable: true });
  const publicKey = await publicFromPrivate(privateKey);
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return { privateKey, publicKey, kid };
}

/** Accepts PKCS#1 (`BEGIN RSA PRIVATE KEY`, what Helm's genPrivateKey makes) as well as PKCS#8. */
function toPkcs8(pem: string): string {
  try {
    return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (err) {
    throw new ConfigError(
      `invalid configuration: auth.tokenSigningKey: not a PEM RSA private key (${(err as Error).message}) (env BERTH_AUTH_TOKEN_SIGNING_KEY)`,
    );
  }
}

async function storedOrNewPem(db: Kysely<Database>): Promise<string> {
  const existing = await db.selectFrom('properties').select('v').where('k', '=', propertyName).executeTakeFirst();
  if (existing) return existing.v;
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const pem = await exportPKCS8(privateKey);
  // Two replicas starting at once: the first insert wins and both read it back.
  await db
    .insertInto('properties')
    .values({ k: propertyName, v: pem })
    .onConflict((oc) => oc.column('k').doNothing())
    .execute();
  const row = await db.selectFrom('properties').select('v').where('k', '=', propertyName).executeTakeFirstOrThrow();
  return row.v;
}

async function publicFromPrivate(privateKey: CryptoKey): Promise<CryptoKey> {
  const jwk = await exportJWK(privateKey);
  const { n, e, kty } = jwk;
  const key = await importJWK({ kty, n, e }, 'RS256');
  if (key instanceof Uint8Array) throw new Error('unexpected symmetric key');
  return key;
}
