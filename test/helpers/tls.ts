import { mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { exec } from './tools.js';

// A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost,
// made with openssl, so that clients can talk HTTPS to Berth with verification on.

export interface TestCertificates {
  /** The CA certificate (PEM). */
  caCertificate: string;
  /** Server certificate and key (PEM files) for tls.certificate / tls.key. */
  certificate: string;
  key: string;
  /** A directory holding only ca.crt: what skopeo's --cert-dir / certs.d expects. */
  certDir: string;
}

/** Writes a CA and a server certificate (SAN IP:127.0.0.1, DNS:localhost) under `dir`. */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  mkdirSync(dir, { recursive: true });
  const path = (name: string) => join(dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await exec('openssl', [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=Berth test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await exec('openssl', [
    'req',
    ...ecKey,
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
    '-subj',
    '/CN=localhost',
  ]);
  writeFileSync(
    path('server.ext'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  await exec('openssl', [
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-days',
    '2',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.crt'),
    // an explicit serial: openssl 1.1 would otherwise want a ca.srl file
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
  ]);
  const certDir = path('certs.d');
  mkdirSync(certDir);
  copyFileSync(path('ca.crt'), join(certDir, 'ca.crt'));
  return { caCertificate: path('ca.crt'), certificate: path('server.crt'), key: path('server.key'), certDir };
}
