import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VulnDb } from '../model.js';
import { builtinMetadata } from '../scanners/builtin.js';
import { harborReportType, manifestMediaTypes, vulnerabilityReportType } from '../scanners/adapter.js';
import type { ScanRequest } from './client.js';
import { createScanQueue } from './scan-queue.js';

// `berth scanner serve`: the built-in scanner behind Harbor's pluggable scanner API v1.2
// (reference/pluggable-scanner-openapi-v1.2.yaml), so a Harbor, or another Berth, can register
// it as a scanner adapter. GET /api/v1/metadata; POST /api/v1/scan (202 with an id, the scan
// runs in the background); GET /api/v1/scan/{id}/report (302 + Refresh-After while it runs,
// 200 with the report, 404 for an unknown id, 500 with the reason when it failed).

export interface ScannerServerOptions {
  vulnDb: VulnDb;
  /** Berth's version, the scanner's. */
  version: string;
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  /** When set, every request must carry it (X-ScannerAdapter-API-Key, or Authorization: Bearer). */
  apiKey?: string;
  /** Scans running at once. */
  concurrency?: number;
  log?: (message: string) => void;
}

export interface ScannerServer {
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

const errorType = 'application/vnd.scanner.adapter.error+json; version=1.0';
const reportTypes = [vulnerabilityReportType, harborReportType];
const maxRequestBytes = 256 * 1024;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, type: string, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxRequestBytes)
      throw new HttpFailure(413, `the scan request is larger than ${String(maxRequestBytes)} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'the scan request is not JSON');
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A ScanRequest checked as the spec describes it: 400 for wrong JSON types, 422 for wrong values, 501 for what is not scanned here. */
export function parseScanRequest(body: unknown): ScanRequest {
  if (!isObject(body) || !isObject(body.registry) || !isObject(body.artifact))
    throw new HttpFailure(400, 'a scan request has a registry and an artifact');
  const { registry, artifact } = body;
  if (typeof registry.url !== 'string' || !/^https?:\/\/[^/]/.test(registry.url))
    throw new HttpFailure(422, 'registry.url must be an http or https URL');
  const authorization = registry.authorization ?? '';
  if (typeof authorization !== 'string') throw new HttpFailure(400, 'registry.authorization must be a string');
  const { repository, digest, mime_type: mimeType } = artifact;
  if (typeof repository !== 'string' || !/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(repository) || repository.length > 255)
    throw new HttpFailure(422, 'artifact.repository must be a repository name');
  if (typeof digest !== 'string' || !/^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/.test(digest))
    throw new HttpFailure(422, 'artifact.digest must be a sha256 or sha512 digest');
  if (typeof mimeType !== 'string' || !manifestMediaTypes.includes(mimeType))
    throw new HttpFailure(422, `unsupported artifact.mime_type: use ${manifestMediaTypes.join(' or ')}`);
  const enabled = body.enabled_capabilities;
  if (enabled !== undefined && enabled !== null) {
    if (!Array.isArray(enabled)) throw new HttpFailure(400, 'enabled_capabilities must be an array');
    if (!enabled.some((c) => isObject(c) && c.type === 'vulnerability'))
      throw new HttpFailure(501, 'this scanner writes vulnerability reports only');
  }
  return {
    registry: { url: registry.url, authorization },
    artifact: { repository, digest, mime_type: mimeType },
    enabled_capabilities: [{ type: 'vulnerability', produces_mime_types: reportTypes }],
  };
}

/** The report type an Accept header asks for: ours, or the default for none or a wildcard; undefined for another. */
function acceptedType(accept: string | undefined): string | undefined {
  if (!accept || accept.trim() === '*/*') return vulnerabilityReportType;
  const asked = accept.split(',').map((t) => t.trim());
  return reportTypes.find((type) => asked.some((a) => a.replace(/\s+/g, '') === type.replace(/\s+/g, '')));
}

function keyMatches(req: IncomingMessage, apiKey: string): boolean {
  const header = req.headers['x-scanneradapter-api-key'];
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const given = Buffer.from((Array.isArray(header) ? header[0] : header) ?? bearer ?? '');
  const wanted = Buffer.from(apiKey);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function startScannerServer(options: ScannerServerOptions): Promise<ScannerServer> {
  const log = options.log ?? (() => undefined);
  const scanner = { name: 'Berth', vendor: 'Berth', version: options.version };
  const queue = createScanQueue({
    vulnDb: options.vulnDb,
    scanner,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    onError: (id, err) => log(`scan ${id} failed: ${err instanceof Error ? err.message : String(err)}`),
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://scanner').pathname;
    if (options.apiKey && !keyMatches(req, options.apiKey)) throw new HttpFailure(401, 'invalid or missing API key');
    if (req.method === 'GET' && path === '/api/v1/metadata') {
      const meta = builtinMetadata(options.version, await options.vulnDb.status());
      // Only what this server does: vulnerability reports (SBOMs are the registry's own feature).
      const capabilities = meta.capabilities.filter((c) => c.type === 'vulnerability');
      return send(res, 200, 'application/vnd.scanner.adapter.metadata+json; version=1.1', { ...meta, capabilities });
    }
    if (req.method === 'POST' && path === '/api/v1/scan') {
      const request = parseScanRequest(await readJson(req));
      const id = queue.submit(request);
      log(`scan ${id}: ${request.artifact.repository}@${request.artifact.digest} from ${request.registry.url}`);
      return send(res, 202, 'application/vnd.scanner.adapter.scan.response+json; version=1.0', { id });
    }
    const report = /^\/api\/v1\/scan\/([^/]+)\/report$/.exec(path);
    if (req.method === 'GET' && report) {
      const type = acceptedType(req.headers.accept);
      if (!type) throw new HttpFailure(501, `this scanner writes ${reportTypes.join(' and ')} only`);
      const state = queue.state(decodeURIComponent(report[1]!));
      if (!state) throw new HttpFailure(404, 'no scan request with this id (reports are kept for an hour)');
      if (state.status === 'failed') throw new HttpFailure(500, state.error);
      if (state.status !== 'done') {
        res.writeHead(302, { 'refresh-after': '1' });
        return void res.end();
      }
      return send(res, 200, type, state.report);
    }
    throw new HttpFailure(404, `no route ${req.method ?? ''} ${path.slice(0, 100)}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpFailure ? err.status : 500;
      if (!(err instanceof HttpFailure)) log(`${req.method ?? ''} ${req.url ?? ''} failed: ${String(err)}`);
      if (!res.headersSent)
        send(res, status, errorType, { error: { message: err instanceof Error ? err.message : String(err) } });
      else res.destroy();
    });
  });
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${String(port)}`,
    close: async () => {
      queue.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
