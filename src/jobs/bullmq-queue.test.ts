import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { freshRedisDb } from '../../test/helpers/redis.js';
import { createBullQueue } from './bullmq-queue.js';
import { queueSuite, suiteRetryBaseMs } from './queue-suite.js';

// BullMQ on the machine's Redis, db 11 (this file's own index, flushed before and after).
const url = await freshRedisDb(11);

queueSuite(
  'BullMQ (Redis)',
  {
    async open(catalogue) {
      return createBullQueue({
        redis: { url: url!, prefix: 'berth' },
        catalogue,
        clock: systemClock,
        logger: createLogger('silent'),
        retryBaseMs: suiteRetryBaseMs,
        heartbeatMs: 200,
      });
    },
    async cleanup() {
      await freshRedisDb(11);
    },
  },
  { skip: url ? undefined : 'Redis is not running on 127.0.0.1:6379' },
);
