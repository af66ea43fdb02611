import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BerthError } from '../shared/errors.js';
import { sendHarborError } from './v2/errors.js';
import { portalSecurityHeaders } from './security-headers.js';

// The portal at `/`: web/dist (built by `npm run build`) as static files, with index.html
// for every other non-API path so the single-page app owns its URLs.

export interface PortalOptions {
  /** The built portal; web/dist next to this package by default (the same from src/ and dist/). */
  root?: string;
}

export const defaultPortalRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Paths other handlers own: they keep their own 404 bodies. */
const apiPrefixes = ['/v2', '/api', '/service', '/c', '/metrics'];

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

// Vite names bundled files by content hash, so a URL under /assets/ never changes meaning.
const immutable = 'public, max-age=31536000, immutable';

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Berth</title></head>
<body style="font-family:sans-serif;max-width:40rem;margin:4rem auto">
<h1>Berth</h1>
<p>The web portal is not built. Run <code>npm run build</code> in Berth's directory, then reload this page.</p>
<p>The registry (<code>/v2/</code>) and the REST API (<code>/api/v2.0/</code>) work without it.</p>
</body></html>
`;

function isApiPath(path: string): boolean {
  return apiPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** The file `path` names inside `root`, or undefined when it escapes root or is not a regular file. */
async function fileIn(root: string, path: string): Promise<{ file: string; size: number; mtime: Date } | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = normalize(join(root, decoded));
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? { file, size: info.size, mtime: info.mtime } : undefined;
}

function sendFile(
  reply: FastifyReply,
  found: { file: string; size: number; mtime: Date },
  cacheControl: string,
  head: boolean,
): FastifyReply {
  reply
    .header('content-type', contentTypes[extname(found.file).toLowerCase()] ?? 'application/octet-stream')
    .header('content-length', String(found.size))
    .header('last-modified', found.mtime.toUTCString())
    .header('cache-control', cacheControl)
    .headers(portalSecurityHeaders);
  return head ? reply.send() : reply.send(createReadStream(found.file));
}

/** The not-found answer of the server (Harbor's or the OCI error body). */
function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

export async function portal(app: FastifyInstance, options: PortalOptions = {}): Promise<void> {
  const root = normalize(options.root ?? defaultPortalRoot);

  async function serve(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const path = request.url.split('?', 1)[0];
    if (isApiPath(path)) {
      // The REST API's own answer for an unknown path under it (v2/plugin.ts).
      if (path.startsWith('/api/v2.0/'))
        return sendHarborError(request, reply, new BerthError('NOT_FOUND', `no such API: ${request.method} ${path}`));
      return notFound(reply);
    }
    const head = request.method === 'HEAD';
    const asset = path === '/' ? undefined : await fileIn(root, path);
    if (asset) return sendFile(reply, asset, path.startsWith('/assets/') ? immutable : 'no-cache', head);
    // A missing hashed asset is a real 404, not the app: a stale page must not get HTML as script.
    if (path.startsWith('/assets/')) return notFound(reply);
    const index = await fileIn(root, '/index.html');
    if (!index)
      return reply
        .code(200)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .headers(portalSecurityHeaders)
        .send(notBuilt);
    return sendFile(reply, index, 'no-cache', head);
  }

  // Wildcard routes lose to every static or parametric route, so the API keeps its paths.
  for (const url of ['/', '/*']) {
    app.get(url, serve);
  }
}
