import type { DomainEvent, EventOf, EventType } from '../shared/events.js';
import type { AuditOperation, AuditRecord } from './types.js';

// Registry events as audit entries, the way Harbor resolves its artifact events
// (src/controller/event/metadata): a push is "create", the resource is
// "<repository>:<tag>" or "<repository>:<digest>". Harbor keeps quota events out of its audit
// log (they go to webhooks); Berth records them too, as quota_exceeded / quota_warning on the project.

export interface AuditSubscriberDeps {
  record(entry: AuditRecord): Promise<void>;
  /** A project's id by name (a repository's project is its first path segment). */
  projectIdOf(projectName: string): Promise<number | undefined>;
}

function entryOf(
  event: DomainEvent,
): { operation: AuditOperation; resourceType: string; resource: string } | undefined {
  switch (event.type) {
    case 'artifact.pushed':
      return {
        operation: 'create',
        resourceType: 'artifact',
        resource: `${event.repository}:${event.tag ?? event.digest}`,
      };
    case 'artifact.pulled':
      return {
        operation: 'pull',
        resourceType: 'artifact',
        resource: `${event.repository}:${event.tag ?? event.digest}`,
      };
    case 'artifact.deleted':
      return { operation: 'delete', resourceType: 'artifact', resource: `${event.repository}:${event.digest}` };
    case 'tag.created':
      return { operation: 'create', resourceType: 'tag', resource: `${event.repository}:${event.tag}` };
    case 'tag.deleted':
      return { operation: 'delete', resourceType: 'tag', resource: `${event.repository}:${event.tag}` };
    case 'repository.deleted':
      return { operation: 'delete', resourceType: 'repository', resource: event.repository };
    case 'quota.exceeded':
      return { operation: 'quota_exceeded', resourceType: 'quota', resource: event.repository ?? event.project };
    case 'quota.warning':
      return { operation: 'quota_warning', resourceType: 'quota', resource: event.project };
    default:
      return undefined;
  }
}

/** The events that become audit entries. */
export const auditedEvents = [
  'artifact.pushed',
  'artifact.pulled',
  'artifact.deleted',
  'tag.created',
  'tag.deleted',
  'repository.deleted',
  'quota.exceeded',
  'quota.warning',
] as const satisfies readonly EventType[];

type AuditedEvent = EventOf<(typeof auditedEvents)[number]>;

export function createAuditSubscriber({ record, projectIdOf }: AuditSubscriberDeps) {
  return async (event: AuditedEvent): Promise<void> => {
    const entry = entryOf(event);
    if (!entry) return;
    const projectName = 'project' in event ? event.project : event.repository.split('/', 1)[0];
    await record({
      ...entry,
      // A refusal is an operation that did not happen.
      ...(event.type === 'quota.exceeded' && { success: false }),
      username: event.actor ?? 'anonymous',
      projectId: await projectIdOf(projectName),
      ...(event.clientIp ? { clientIp: event.clientIp } : {}),
    });
  };
}
