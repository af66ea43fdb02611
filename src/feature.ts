import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Job } from './jobs/index.js';
import type { EventActor, Subscriber } from './shared/events.js';

// What a feature hands main.ts: every feature folder's index.ts returns this shape, and
// main.ts mounts them all in one loop (routes into the REST API, jobs into the job
// service, subscribers onto the event bus). A feature switched off by configuration is
// simply not in the list.

/** Who called a feature's route: enough to authorise, audit and attribute events. */
export interface RouteCaller {
  kind: 'anonymous' | 'user' | 'robot';
  /** The login name (a username or `robot$…`); 'anonymous' for anonymous callers. */
  name: string;
  /** In events and the audit log: the caller's name and address. */
  actor: EventActor;
}

/** A page of a Harbor list (`page`, `page_size`), parsed and checked as every list of the API does. */
export interface RoutePage {
  page: number;
  pageSize: number;
  offset: number;
}

/** A text match of Harbor's `q`: exact (`name=x`) or fuzzy (`name=~x`, contains, ASCII case ignored). */
export interface RouteTextMatch {
  value: string;
  fuzzy: boolean;
}

/** One term of Harbor's `q` (src/lib/q): exact `k=v`, fuzzy `k=~v`, range `k=[min~max]`, any of `k={a b}`, all of `k=(a b)`. */
export type RouteQueryTerm =
  | { key: string; kind: 'exact' | 'fuzzy'; value: string }
  | { key: string; kind: 'range'; min?: string; max?: string }
  | { key: string; kind: 'or' | 'and'; values: string[] };

/**
 * What the REST API lends a feature's routes: Harbor's authorisation (401/403/404 answers,
 * worded for people), its paging and paging headers. Errors thrown as BerthError become
 * Harbor's error body.
 */
export interface RouteKit {
  /** A system-level permission (e.g. 'garbage-collection', 'create'); system admins have all. */
  requireSystem(request: FastifyRequest, resource: string, action: string): Promise<RouteCaller>;
  /** A project-level permission; an unknown project is 404 to callers who could see it. */
  requireProject(
    request: FastifyRequest,
    project: string | number,
    resource: string,
    action: string,
  ): Promise<{ caller: RouteCaller; project: { id: number; name: string } }>;
  /** Any authenticated caller. */
  requireAuthenticated(request: FastifyRequest): Promise<RouteCaller>;
  /** Harbor's `{project_name_or_id}` path parameter (a name or an id, as X-Is-Resource-Name says). */
  projectParam(request: FastifyRequest): string | number;
  /** Harbor's `{repository_name}` path parameter, decoded (`a%252Fb` → `a/b`), without the project. */
  repositoryParam(request: FastifyRequest): string;
  page(query: Record<string, unknown>): RoutePage;
  /** Harbor's `q`, for keys matched as text (exact or fuzzy); other keys are ignored as Harbor ignores them, other match kinds are 400. */
  textTerms<K extends string>(query: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, RouteTextMatch>>;
  /** Every term of Harbor's `q`, in order, for routes that check keys and match kinds themselves; a malformed `q` is 400. */
  queryTerms(query: Record<string, unknown>): RouteQueryTerm[];
  /** Harbor's `sort` (`name,-create_time`): the first of the `keys` named, else undefined. */
  sort<K extends string>(
    query: Record<string, unknown>,
    keys: readonly K[],
  ): { column: K; descending: boolean } | undefined;
  /** X-Total-Count and Link, as Harbor sets them. */
  setPageHeaders(request: FastifyRequest, reply: FastifyReply, page: RoutePage, total: number): void;
}

/** A manifest about to be served by a /v2 GET (a pull): a check throws a coded error to refuse it. */
export interface ManifestPull {
  /** The repository, project included ('library/app'). */
  repository: string;
  reference: string;
  manifest: { digest: string; mediaType: string };
  /**
   * Whether the caller pulls for a scanner (its token grants `scanner-pull` on the repository,
   * as Harbor's scan robots do): policies that wait for a scan let it through. Asked lazily.
   */
  isScannerPull(): Promise<boolean>;
}

export type PullCheck = (pull: ManifestPull) => Promise<void>;

export interface Feature {
  /** Unique; names the feature in logs. */
  name: string;
  /**
   * Its Harbor REST API routes, registered under /api/v2.0 with the API's security
   * (principal, CSRF), error bodies and read-only guard. Declare RBAC per route.
   */
  routes?: (app: FastifyInstance, kit: RouteKit) => void;
  /** Fields it adds to `GET /projects/{name}/summary` (Harbor's `quota`, …); `caller.can` checks the caller's project permissions. */
  projectSummary?: (
    project: { id: number; name: string },
    caller: { can(resource: string, action: string): Promise<boolean> },
  ) => Promise<Record<string, unknown>>;
  /**
   * Fields it keeps on Harbor's Project (cve_allowlist): shown with a project's details, taken
   * from POST and PUT /projects bodies (`check` runs before anything is written).
   */
  projectFields?: {
    read(projectIds: number[]): Promise<Map<number, Record<string, unknown>>>;
    check(request: Record<string, unknown>): void;
    write(projectId: number, request: Record<string, unknown>): Promise<void>;
  };
  /** Checks on /v2 manifest GETs (Harbor's pull policies: prevent_vul); keep them cheap, they run on every pull. */
  pullChecks?: PullCheck[];
  /** Its job types, with retry policy, concurrency and an optional schedule. */
  jobs?: Job[];
  /** Its event subscribers. */
  subscribers?: Subscriber[];
  /** Flushes and releases what it holds; called on shutdown after the HTTP server has drained. */
  close?(): Promise<void>;
}

/** Refuses two features, jobs or subscribers of one name: a mistake made at start, not at run time. */
export function checkFeatures(features: Feature[]): void {
  const seen = new Set<string>();
  for (const { name } of features) {
    if (seen.has(name)) throw new Error(`feature ${name} is defined twice`);
    seen.add(name);
  }
}
