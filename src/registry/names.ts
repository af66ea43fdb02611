import { BerthError } from '../shared/errors.js';
import { tryParseDigest } from '../shared/digest.js';

// OCI Distribution Spec v1.1, "Pulling manifests": <name> and <reference> grammar.
const nameGrammar = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const tagGrammar = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** Name + "/" + path must fit within the 255 characters some clients assume (distribution's limit). */
export const maxNameLength = 255;

export function isValidRepositoryName(name: string): boolean {
  return name.length <= maxNameLength && nameGrammar.test(name);
}

export function checkRepositoryName(name: string): string {
  if (!isValidRepositoryName(name)) {
    throw new BerthError('NAME_INVALID', `invalid repository name "${name.slice(0, 300)}"`, { detail: { name } });
  }
  return name;
}

export function isValidTag(tag: string): boolean {
  return tagGrammar.test(tag);
}

export type Reference = { kind: 'digest'; digest: string } | { kind: 'tag'; tag: string };

/**
 * A reference to look a manifest up by: undefined when it is neither a tag nor a digest, which
 * names no manifest (distribution answers GET, HEAD and DELETE of one with 404 MANIFEST_UNKNOWN).
 */
export function lookupReference(reference: string): Reference | undefined {
  if (isValidTag(reference)) return { kind: 'tag', tag: reference };
  const digest = tryParseDigest(reference);
  return digest ? { kind: 'digest', digest: digest.value } : undefined;
}

/** A manifest reference to push under is a digest or a tag; anything else is invalid. */
export function parseReference(reference: string): Reference {
  if (reference.includes(':')) {
    const digest = tryParseDigest(reference);
    if (!digest)
      throw new BerthError('DIGEST_INVALID', `invalid digest "${reference.slice(0, 150)}"`, { detail: { reference } });
    return { kind: 'digest', digest: digest.value };
  }
  if (!isValidTag(reference))
    throw new BerthError('TAG_INVALID', `invalid tag "${reference.slice(0, 150)}"`, { detail: { reference } });
  return { kind: 'tag', tag: reference };
}
