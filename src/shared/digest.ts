import { createHash, type Hash } from 'node:crypto';
import { BerthError } from './errors.js';

// OCI image-spec descriptor.md: algorithm ":" encoded; we verify sha256 and sha512.
const digestGrammar = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const encodedLength: Record<string, number> = { sha256: 64, sha512: 128 };

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface Digest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  /** The canonical `algorithm:hex` string. */
  readonly value: string;
}

/** Parses a digest string; throws DIGEST_INVALID for malformed or unsupported digests. */
export function parseDigest(value: string): Digest {
  const parsed = tryParseDigest(value);
  if (!parsed)
    throw new BerthError('DIGEST_INVALID', `invalid digest "${truncate(value)}"`, { detail: { digest: value } });
  return parsed;
}

export function tryParseDigest(value: string): Digest | undefined {
  if (!digestGrammar.test(value)) return undefined;
  const colon = value.indexOf(':');
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  const length = encodedLength[algorithm];
  if (length === undefined || hex.length !== length || !/^[a-f0-9]+$/.test(hex)) return undefined;
  return { algorithm: algorithm as DigestAlgorithm, hex, value };
}

export function isDigest(value: string): boolean {
  return tryParseDigest(value) !== undefined;
}

export function digestOf(data: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** An incremental hasher that remembers how many bytes it has seen. */
export class Digester {
  readonly algorithm: DigestAlgorithm;
  private readonly hash: Hash;
  private bytes = 0;

  constructor(algorithm: DigestAlgorithm = 'sha256') {
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  get size(): number {
    return this.bytes;
  }

  /** Finishes the hash; the digester cannot be updated afterwards. */
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }

  /** A copy that can be finished while this one keeps hashing. */
  copy(): Digester {
    const clone = Object.create(Digester.prototype) as Digester;
    Object.assign(clone, { algorithm: this.algorithm, hash: this.hash.copy(), bytes: this.bytes });
    return clone;
  }
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}
