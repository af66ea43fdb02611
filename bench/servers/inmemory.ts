import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';

// The speed of light for this client on this machine: a registry in memory with no
// auth and no persistence, serving only the routes the scenarios use. It still
// checks upload digests, which any correct registry must. Run as a child process:
// `node --import tsx bench/servers/inmemory.ts <port>`.

const blobs = new Map<string, Buffer>();
const manifests = new Map<string, Map<string, { type: string; body: Buffer; digest: string }>>();
const uploads = new Map<string, Buffer[]>();

const route = /^\/v2\/(.+)\/(blobs\/uploads|blobs|manifests|tags)\/?([^/]*)$/;

function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/v2/' || url.pathname === '/v2') return void res.end('{}');
  if (url.pathname === '/v2/_catalog')
    return void res.end(JSON.stringify({ repositories: page([...manifests.keys()].sort(), url, res) }));
  const m = route.exec(url.pathname);
  if (!m) return notFound(res);
  const [, name, kind, ref] = m;
  if (kind === 'blobs/uploads') {
    if (req.method === 'POST') {
      const id = randomUUID();
      uploads.set(id, []);
      res.writeHead(202, { location: `/v2/${name}/blobs/uploads/${id}`, 'docker-upload-uuid': id, range: '0-0' });
      return void res.end();
    }
    const parts = uploads.get(ref);
    if (!parts) return notFound(res);
    parts.push(body);
    if (req.method === 'PATCH') {
      const size = parts.reduce((n, p) => n + p.length, 0);
      res.writeHead(202, { location: `/v2/${name}/blobs/uploads/${ref}`, range: `0-${size - 1}` });
      return void res.end();
    }
    const blob = Buffer.concat(parts);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    if (digest !== url.searchParams.get('digest'))
      return void res.writeHead(400).end('{"errors":[{"code":"DIGEST_INVALID"}]}');
    uploads.delete(ref);
    blobs.set(digest, blob);
    res.writeHead(201, { location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest });
    return void res.end();
  }
  if (kind === 'blobs') {
    const blob = blobs.get(ref);
    if (!blob) return notFound(res);
    res.writeHead(200, {
      'content-length': blob.length,
      'docker-content-digest': ref,
      'content-type': 'application/octet-stream',
    });
    return void res.end(req.method === 'HEAD' ? undefined : blob);
  }
  if (kind === 'tags') {
    const tags = [...(manifests.get(name)?.keys() ?? [])].filter((t) => !t.startsWith('sha256:')).sort();
    return void res.end(JSON.stringify({ name, tags: page(tags, url, res) }));
  }
  const repo = manifests.get(name) ?? new Map();
  if (req.method === 'PUT') {
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const entry = { type: req.headers['content-type'] ?? '', body, digest };
    repo.set(ref, entry).set(digest, entry);
    manifests.set(name, repo);
    res.writeHead(201, { location: `/v2/${name}/manifests/${digest}`, 'docker-content-digest': digest });
    return void res.end();
  }
  const entry = repo.get(ref);
  if (!entry) return notFound(res);
  res.writeHead(200, {
    'content-type': entry.type,
    'content-length': entry.body.length,
    'docker-content-digest': entry.digest,
  });
  res.end(req.method === 'HEAD' ? undefined : entry.body);
}

/** `n` and `last` paging with a Link header, as the distribution spec describes. */
function page(items: string[], url: URL, res: http.ServerResponse): string[] {
  const n = url.searchParams.get('n');
  const last = url.searchParams.get('last');
  const start = last ? items.findIndex((t) => t > last) : 0;
  const from = start < 0 ? items.length : start;
  if (n === null) return items.slice(from);
  const slice = items.slice(from, from + Number(n));
  if (from + Number(n) < items.length)
    res.setHeader('link', `<${url.pathname}?n=${n}&last=${encodeURIComponent(slice[slice.length - 1])}>; rel="next"`);
  return slice;
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404).end('{"errors":[{"code":"NOT_FOUND"}]}');
}

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks)));
});
server.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
