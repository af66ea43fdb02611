import { repositoryAccess, type AccessRequest } from './access.js';
import type { OciContext } from './context.js';
import { deleteBlob, getBlob } from './handlers/blobs.js';
import { base, catalog, referrers, tagsList } from './handlers/listings.js';
import { deleteManifest, getManifest, putManifest } from './handlers/manifests.js';
import { cancelUpload, completeUpload, patchUpload, startUpload, uploadStatus } from './handlers/uploads.js';

// The /v2 route table: every OCI Distribution endpoint in one list, each naming the
// access it needs (Docker token scopes) and its handler. Policy checks that belong to
// a route (immutability, quota, pull blocking) slot into `checks`, run in order before
// the handler.

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OciRoute {
  name: string;
  methods: Method[];
  /** Matched against the path after "/v2/"; named groups become params. */
  path: RegExp;
  access(params: Record<string, string>): AccessRequest[];
  checks?: ((ctx: OciContext) => Promise<void>)[];
  handler(ctx: OciContext): Promise<unknown>;
}

const name = '(?<name>.+)';
const pull = (p: Record<string, string>) => [repositoryAccess(p.name, 'pull')];
const push = (p: Record<string, string>) => [repositoryAccess(p.name, 'pull', 'push')];
const del = (p: Record<string, string>) => [repositoryAccess(p.name, 'delete')];

export function ociRoutes(options: { maxManifestBytes: number }): OciRoute[] {
  return [
    { name: 'base', methods: ['GET', 'HEAD'], path: /^$/, access: () => [], handler: base },
    {
      name: 'catalog',
      methods: ['GET'],
      path: /^_catalog$/,
      access: () => [{ type: 'registry', name: 'catalog', actions: ['*'] }],
      handler: catalog,
    },
    {
      name: 'upload.start',
      methods: ['POST'],
      path: re(`^${name}/blobs/uploads/?$`),
      access: push,
      handler: startUpload,
    },
    {
      name: 'upload.status',
      methods: ['GET'],
      path: re(`^${name}/blobs/uploads/(?<uuid>[^/]+)$`),
      access: push,
      handler: uploadStatus,
    },
    {
      name: 'upload.patch',
      methods: ['PATCH'],
      path: re(`^${name}/blobs/uploads/(?<uuid>[^/]+)$`),
      access: push,
      handler: patchUpload,
    },
    {
      name: 'upload.complete',
      methods: ['PUT'],
      path: re(`^${name}/blobs/uploads/(?<uuid>[^/]+)$`),
      access: push,
      handler: completeUpload,
    },
    {
      name: 'upload.cancel',
      methods: ['DELETE'],
      path: re(`^${name}/blobs/uploads/(?<uuid>[^/]+)$`),
      access: push,
      handler: cancelUpload,
    },
    {
      name: 'blob.get',
      methods: ['GET', 'HEAD'],
      path: re(`^${name}/blobs/(?<digest>[^/]+)$`),
      access: pull,
      handler: getBlob,
    },
    {
      name: 'blob.delete',
      methods: ['DELETE'],
      path: re(`^${name}/blobs/(?<digest>[^/]+)$`),
      access: del,
      handler: deleteBlob,
    },
    {
      name: 'manifest.get',
      methods: ['GET', 'HEAD'],
      path: re(`^${name}/manifests/(?<reference>[^/]+)$`),
      access: pull,
      handler: getManifest,
    },
    {
      name: 'manifest.put',
      methods: ['PUT'],
      path: re(`^${name}/manifests/(?<reference>[^/]+)$`),
      access: push,
      handler: (ctx) => putManifest(ctx, options.maxManifestBytes),
    },
    {
      name: 'manifest.delete',
      methods: ['DELETE'],
      path: re(`^${name}/manifests/(?<reference>[^/]+)$`),
      access: del,
      handler: deleteManifest,
    },
    { name: 'tags.list', methods: ['GET'], path: re(`^${name}/tags/list$`), access: pull, handler: tagsList },
    {
      name: 'referrers',
      methods: ['GET'],
      path: re(`^${name}/referrers/(?<digest>[^/]+)$`),
      access: pull,
      handler: referrers,
    },
  ];
}

function re(source: string): RegExp {
  return new RegExp(source);
}

export type RouteMatch = { route: OciRoute; params: Record<string, string> } | { allowed: Method[] } | undefined;

/** Finds the route for a method and a path under /v2/; `allowed` when only the method is wrong. */
export function matchRoute(routes: OciRoute[], method: string, path: string): RouteMatch {
  const allowed: Method[] = [];
  for (const route of routes) {
    const match = route.path.exec(path);
    if (!match) continue;
    if (!route.methods.includes(method as Method)) {
      allowed.push(...route.methods);
      continue;
    }
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(match.groups ?? {})) params[key] = safeDecode(value);
    return { route, params };
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
