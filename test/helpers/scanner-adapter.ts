import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A scanner adapter speaking Harbor's pluggable scanner API v1.2, started by a test on
// 127.0.0.1: its metadata behind the authorization a registration configures, and a count
// of the requests it served, so tests see what Berth sent.

export interface TestAdapter {
  url: string;
  /** Requests to /api/v1/metadata, with the headers they came with. */
  metadataRequests: IncomingMessage['headers'][];
  close(): Promise<void>;
}

export interface TestAdapterOptions {
  /** The Authorization header value it requires, if any. */
  authorization?: string;
  name?: string;
}

export async function startTestAdapter(options: TestAdapterOptions = {}): Promise<TestAdapter> {
  const metadataRequests: IncomingMessage['headers'][] = [];
  const server: Server = createServer((req, res) => {
    // Any base path: several registrations may point at one adapter under different URLs.
    if (req.url?.endsWith('/api/v1/metadata') && req.method === 'GET') {
      metadataRequests.push(req.headers);
      if (options.authorization && req.headers.authorization !== options.authorization) {
        res.writeHead(401, { 'content-type': 'application/vnd.scanner.adapter.error+json; version=1.0' });
        res.end(JSON.stringify({ error: { message: 'invalid credentials' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.scanner.adapter.metadata+json; version=1.1' });
      res.end(
        JSON.stringify({
          scanner: { name: options.name ?? 'Test Scanner', vendor: 'Berth tests', version: '1.2.3' },
          capabilities: [
            {
              type: 'vulnerability',
              consumes_mime_types: [
                'application/vnd.oci.image.manifest.v1+json',
                'application/vnd.docker.distribution.manifest.v2+json',
              ],
              produces_mime_types: ['application/vnd.security.vulnerability.report; version=1.1'],
            },
          ],
          properties: { 'harbor.scanner-adapter/scanner-type': 'os-package-vulnerability' },
        }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    metadataRequests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
