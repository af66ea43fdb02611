import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DomainEvent, EventRelay } from './events.js';

// Events for 'every-replica' subscribers, carried between replicas on Redis pub/sub
// (`<prefix>:events`). Delivery is at most once per replica: a replica that is down
// when an event is sent does not see it, which suits state a replica rebuilds on start.

export async function createRedisEventRelay(
  publisher: Redis,
  subscriber: Redis,
  options: { prefix: string; onError(err: unknown): void },
): Promise<EventRelay> {
  const channel = `${options.prefix}:events`;
  const origin = randomBytes(8).toString('hex');
  const handlers: ((event: DomainEvent) => void)[] = [];
  await subscriber.subscribe(channel);
  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    try {
      const { sender, event } = JSON.parse(text) as { sender: string; event: DomainEvent };
      if (sender === origin) return;
      for (const handler of handlers) handler(event);
    } catch (err) {
      options.onError(err);
    }
  });
  return {
    send(event) {
      publisher.publish(channel, JSON.stringify({ sender: origin, event })).catch(options.onError);
    },
    receive(handler) {
      handlers.push(handler);
    },
    async close() {
      subscriber.disconnect();
    },
  };
}
