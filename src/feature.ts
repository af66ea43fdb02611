import type { FastifyInstance } from 'fastify';
import type { Job } from './jobs/index.js';
import type { Subscriber } from './shared/events.js';

// What a feature hands main.ts: every feature folder's index.ts returns this shape, and
// main.ts mounts them all in one loop (routes into the REST API, jobs into the job
// service, subscribers onto the event bus). A feature switched off by configuration is
// simply not in the list.

export interface Feature {
  /** Unique; names the feature in logs. */
  name: string;
  /**
   * Its Harbor REST API routes, registered under /api/v2.0 with the API's security
   * (principal, CSRF), error bodies and read-only guard. Declare RBAC per route.
   */
  routes?: (app: FastifyInstance) => void;
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
