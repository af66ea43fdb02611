import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { lazyLru } from './lru.js';

test('lazyLru holds at most max entries, evicting the least recently used', () => {
  const cache = lazyLru<string, number>(3);
  for (const [i, key] of ['a', 'b', 'c'].entries()) cache.set(key, i);
  assert.equal(cache.get('a'), 0); // a is now the most recent
  cache.set('d', 3);
  assert.equal(cache.size, 3);
  assert.equal(cache.has('b'), false, 'b was the least recently used');
  assert.deepEqual([...cache.keys()].sort(), ['a', 'c', 'd']);
  for (let i = 0; i < 1000; i++) cache.set(`k${i}`, i);
  assert.equal(cache.size, 3);
});

test('lazyLru forgets entries after their ttl', async () => {
  const cache = lazyLru<string, true>(10, { ttl: 30 });
  cache.set('x', true);
  assert.equal(cache.get('x'), true);
  await sleep(60);
  assert.equal(cache.get('x'), undefined);
});
