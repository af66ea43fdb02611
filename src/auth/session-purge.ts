import type { Job } from '../jobs/index.js';
import type { Feature } from '../feature.js';
import type { SessionStore } from './sessions.js';

// SESSION_PURGE: portal sessions past their idle timeout are refused at once, but their
// rows stayed for ever; this job deletes them. Robot accounts keep no tokens or sessions
// of their own (a robot logs in with its secret each time), so they leave nothing to purge.

export const sessionPurgeJobType = 'SESSION_PURGE';

export function sessionPurgeJob(sessions: Pick<SessionStore, 'purgeExpired'>, cron: string): Job {
  return {
    name: sessionPurgeJobType,
    maxFails: 3,
    concurrency: 1,
    schedule: { cron, params: {} },
    shouldRetry: () => true,
    validate: () => ({}),
    async run({ log, progress }) {
      const purged = await sessions.purgeExpired();
      progress(1, 1);
      log.info(`purged ${purged} expired portal session(s)`);
    },
  };
}

/** Sessions as a feature: the purge of expired ones. */
export function sessionsFeature(sessions: Pick<SessionStore, 'purgeExpired'>, options: { purgeCron: string }): Feature {
  return { name: 'sessions', jobs: [sessionPurgeJob(sessions, options.purgeCron)] };
}
