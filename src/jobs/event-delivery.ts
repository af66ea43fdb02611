import { BerthError } from '../shared/errors.js';
import { deliveryJobName, type DomainEvent, type Subscriber } from '../shared/events.js';
import type { Job } from './job.js';

// A 'once' subscriber's deliveries run as jobs of their own type, so they get the job
// service's retries, logs and stop, and run on one worker of the deployment.

export function eventDeliveryJob(sub: Subscriber): Job<{ event: DomainEvent }> {
  return {
    name: deliveryJobName(sub.name),
    maxFails: sub.maxFails ?? 3,
    shouldRetry: (err) => !(err instanceof BerthError && err.status < 500),
    validate(params) {
      const event = params.event as DomainEvent | undefined;
      if (!event || typeof event !== 'object' || !sub.events.includes(event.type))
        throw new BerthError('BAD_REQUEST', `${sub.name} takes the events ${sub.events.join(', ')}`);
      return { event };
    },
    async run({ params, log }) {
      log.info(`delivering ${params.event.type} to ${sub.name}`);
      await sub.handle(params.event);
    },
  };
}
