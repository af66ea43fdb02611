import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, type Config } from '../config/index.js';

export interface TlsFiles {
  key: Buffer;
  cert: Buffer;
}

/** Reads tls.certificate and tls.key; a missing file or a mismatched pair stops the start naming the key. */
export function loadTlsFiles(tls: Config['tls']): TlsFiles | undefined {
  if (!tls.certificate || !tls.key) return undefined;
  const cert = readPem(tls.certificate, 'tls.certificate', 'BERTH_TLS_CERTIFICATE');
  const key = readPem(tls.key, 'tls.key', 'BERTH_TLS_KEY');
  try {
    createSecureContext({ key, cert });
  } catch (err) {
    throw new ConfigError(
      `invalid configuration: tls: ${tls.certificate} and ${tls.key} are not a usable PEM certificate and matching key: ${(err as Error).message} (env BERTH_TLS_CERTIFICATE, BERTH_TLS_KEY)`,
    );
  }
  return { key, cert };
}

function readPem(path: string, key: string, env: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(
      `invalid configuration: ${key}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (env ${env})`,
    );
  }
}
