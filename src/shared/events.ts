// Domain events: features publish what happened; webhooks, audit, scan-on-push and
// replication subscribe. The registry knows none of its subscribers.

/** Who caused an event, when the caller knows: the HTTP layer resolves it, the registry passes it on. */
export interface EventActor {
  /** The principal's name (a username or `robot$…`); absent for anonymous or internal work. */
  actor?: string;
  clientIp?: string;
}

export type DomainEvent = EventActor &
  (
    | { type: 'artifact.pushed'; repository: string; digest: string; mediaType: string; tag?: string; size: number }
    | { type: 'artifact.pulled'; repository: string; digest: string; tag?: string }
    | { type: 'artifact.deleted'; repository: string; digest: string; tags: string[] }
    | { type: 'tag.created'; repository: string; tag: string; digest: string }
    | { type: 'tag.deleted'; repository: string; tag: string; digest: string }
    | { type: 'repository.deleted'; repository: string }
    | { type: 'blob.deleted'; repository: string; digest: string }
  );

export type EventHandler = (event: DomainEvent) => void | Promise<void>;

export interface EventBus {
  publish(event: DomainEvent): void;
  subscribe(handler: EventHandler): () => void;
}

/** In-process bus: handlers run after the publisher's work, and their failures are logged, not thrown. */
export function createEventBus(onError: (err: unknown, event: DomainEvent) => void): EventBus {
  const handlers = new Set<EventHandler>();
  return {
    publish(event) {
      for (const handler of handlers) {
        queueMicrotask(() => {
          Promise.resolve()
            .then(() => handler(event))
            .catch((err: unknown) => onError(err, event));
        });
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
