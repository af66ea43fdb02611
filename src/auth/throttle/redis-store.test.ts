import { Redis } from 'ioredis';
import { freshRedisDb } from '../../../test/helpers/redis.js';
import { createRedisThrottleStore } from './redis-store.js';
import { throttleStoreSuite } from './suite.js';

// The Redis store on the machine's Redis, db 7 (this file's own index, flushed before and after).
const url = await freshRedisDb(7);
const clients: Redis[] = [];

throttleStoreSuite(
  'Redis',
  {
    async open() {
      const client = new Redis(url!);
      clients.push(client);
      return createRedisThrottleStore(client, { prefix: 'berth-test' });
    },
    async cleanup() {
      for (const client of clients) client.disconnect();
      await freshRedisDb(7);
    },
  },
  { skip: url ? undefined : 'Redis is not running on 127.0.0.1:6379' },
);
