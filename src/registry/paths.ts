import { parseDigest } from '../shared/digest.js';

// Where registry content lives in the BlobStore. Blobs are content-addressed and
// written once; upload sessions are scratch space until their digest is verified.

/** `blobs/sha256/ab/<hex>`, as DESIGN.md lays it out. */
export function blobPath(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex.slice(0, 2)}/${hex}`;
}

export function uploadDataPath(uuid: string): string {
  return `uploads/${uuid}/data`;
}

export function uploadDir(uuid: string): string {
  return `uploads/${uuid}`;
}
