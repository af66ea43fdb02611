import { hash, verify } from '@node-rs/argon2';
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';

// Password and secret hashing: argon2id (OWASP's recommended parameters: 19 MiB, t=2, p=1).

const argon2idOptions = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, argon2idOptions);
}

/**
 * An argon2id hash of a random secret, made once at start: an unknown account is
 * checked against it so that it costs what a wrong password costs.
 */
export function createDummyHash(): Promise<string> {
  return hashSecret(randomBytes(18).toString('base64url'));
}

export async function verifySecret(stored: string, secret: string): Promise<boolean> {
  try {
    return await verify(stored, secret);
  } catch {
    return false;
  }
}

/** Harbor's password rule: 8–128 characters with at least one upper-case letter, one lower-case letter and one digit. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8 || password.length > 128) return 'the password must be 8 to 128 characters long';
  if (!/[A-Z]/.test(password) || !/[a-z]/.test(password) || !/[0-9]/.test(password)) {
    return 'the password must contain at least one upper-case letter, one lower-case letter and one digit';
  }
  return undefined;
}

/** A random password that meets the rule: for the first admin and for robot secrets. */
export function generatePassword(length = 24): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  for (;;) {
    const bytes = randomBytes(length);
    const candidate = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
    if (!passwordProblem(candidate)) return candidate;
  }
}

/** Constant-time comparison of two strings (for CSRF tokens and cached credential digests). */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
