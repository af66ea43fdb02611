// Domain events: features publish what happened; audit, webhooks, scan-on-push and
// replication subscribe. The registry knows none of its subscribers.
//
// Publish after the database commit. Each subscriber chooses how it is delivered:
// - 'local': in the publishing process, after the publisher's work (audit, pull times);
// - 'every-replica': in every process of the deployment (through Redis when scaled out),
//   for state each replica keeps for itself;
// - 'once': as a job on the job service, run once per deployment with the job's retries
//   (webhooks, replication, scan-on-push): anything that must be retried is a job.

/** Who caused an event, when the caller knows: the HTTP layer resolves it, the registry passes it on. */
export interface EventActor {
  /** The principal's name (a username or `robot$…`); absent for anonymous or internal work. */
  actor?: string;
  clientIp?: string;
}

/** Every event type and its payload. */
export interface EventMap {
  'artifact.pushed': { repository: string; digest: string; mediaType: string; tag?: string; size: number };
  'artifact.pulled': { repository: string; digest: string; tag?: string };
  'artifact.deleted': { repository: string; digest: string; tags: string[] };
  'tag.created': { repository: string; tag: string; digest: string };
  'tag.deleted': { repository: string; tag: string; digest: string };
  'repository.deleted': { repository: string };
  /** `storageLimit`: the quota the creator asked for in bytes (-1 unlimited); absent = the default. */
  'project.created': { project: string; projectId: number; storageLimit?: number };
  'project.deleted': { project: string; projectId: number };
  'blob.deleted': { repository: string; digest: string };
  'quota.warning': { project: string; used: number; limit: number };
  'quota.exceeded': { project: string; used: number; limit: number; repository?: string };
  'scan.completed': { repository: string; digest: string; scanner: string };
  'scan.failed': { repository: string; digest: string; scanner: string; reason: string };
  'replication.done': { policyId: number; executionId: number; status: 'succeed' | 'failed' | 'stopped' };
}

export type EventType = keyof EventMap;

/** The event of one type (a union of events for a union of types). */
export type EventOf<T extends EventType> = T extends EventType ? { type: T } & EventMap[T] & EventActor : never;

/** Any one event: a union discriminated by `type`. */
export type DomainEvent = EventOf<EventType>;

export type Delivery = 'local' | 'every-replica' | 'once';

export interface Subscriber<T extends EventType = EventType> {
  /** Unique within the deployment; a 'once' subscriber's job type is derived from it. */
  name: string;
  events: readonly T[];
  delivery: Delivery;
  handle(event: EventOf<T>): void | Promise<void>;
  /** 'once' only: attempts before the delivery is marked failed (default 3). */
  maxFails?: number;
}

/** Declares a subscriber with its handler typed by the events it names. */
export function subscriber<T extends EventType>(definition: Subscriber<T>): Subscriber {
  return definition as unknown as Subscriber;
}

/** Carries events between replicas (Redis pub/sub when scaled out; nothing in one process). */
export interface EventRelay {
  send(event: DomainEvent): void;
  receive(handler: (event: DomainEvent) => void): void;
  close(): Promise<void>;
}

export const localRelay: EventRelay = { send() {}, receive() {}, close: async () => undefined };

export interface EventBus {
  publish(event: DomainEvent): void;
  add(subscriber: Subscriber): void;
}

export interface EventBusOptions {
  relay?: EventRelay;
  /** Queues a 'once' subscriber's delivery as a job; set once the job service exists. */
  enqueue?: (jobName: string, event: DomainEvent) => Promise<unknown>;
  onError(err: unknown, event: DomainEvent, subscriber: string): void;
}

/** The job type that delivers events to a 'once' subscriber. */
export function deliveryJobName(subscriberName: string): string {
  return `EVENT_${subscriberName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

export function createEventBus(options: EventBusOptions): EventBus & {
  /** Sets the job queue 'once' deliveries go to (the job service is built after the bus). */
  useQueue(enqueue: NonNullable<EventBusOptions['enqueue']>): void;
} {
  const relay = options.relay ?? localRelay;
  const byType = new Map<EventType, Subscriber[]>();
  const names = new Set<string>();
  let enqueue = options.enqueue;

  function run(sub: Subscriber, event: DomainEvent): void {
    queueMicrotask(() => {
      Promise.resolve()
        .then(() => (sub.delivery === 'once' ? deliverOnce(sub, event) : sub.handle(event)))
        .catch((err: unknown) => options.onError(err, event, sub.name));
    });
  }

  async function deliverOnce(sub: Subscriber, event: DomainEvent): Promise<void> {
    if (!enqueue) throw new Error(`no job queue for subscriber ${sub.name}`);
    await enqueue(deliveryJobName(sub.name), event);
  }

  function dispatch(event: DomainEvent, deliveries: readonly Delivery[]): void {
    for (const sub of byType.get(event.type) ?? []) if (deliveries.includes(sub.delivery)) run(sub, event);
  }

  // What another replica published reaches only the subscribers that want every replica.
  relay.receive((event) => dispatch(event, ['every-replica']));

  return {
    publish(event) {
      dispatch(event, ['local', 'every-replica', 'once']);
      if (byTypeHasRemote(event.type)) relay.send(event);
    },
    add(sub) {
      if (names.has(sub.name)) throw new Error(`event subscriber ${sub.name} is defined twice`);
      names.add(sub.name);
      for (const type of sub.events) byType.set(type, [...(byType.get(type) ?? []), sub]);
    },
    useQueue(fn) {
      enqueue = fn;
    },
  };

  // Events nobody subscribes to on every replica are not sent to Redis at all.
  function byTypeHasRemote(type: EventType): boolean {
    return (byType.get(type) ?? []).some((sub) => sub.delivery === 'every-replica');
  }
}
