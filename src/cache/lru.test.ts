import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { byteLru, lazyLru } from './lru.js';

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

test('byteLru keeps its entries within the byte budget, and never an entry larger than it', () => {
  const cache = byteLru<string, string>(100, (value, key) => value.length + key.length);
  for (let i = 0; i < 50; i++) cache.set(`k${i}`, 'x'.repeat(18));
  assert.ok(cache.calculatedSize <= 100, `${cache.calculatedSize} bytes held`);
  assert.ok(cache.size >= 4 && cache.size <= 5, `${cache.size} 20-byte entries in 100 bytes`);
  assert.equal(cache.has('k49'), true, 'the newest entries stay');
  cache.set('huge', 'x'.repeat(1000));
  assert.equal(cache.has('huge'), false);
  assert.ok(cache.calculatedSize <= 100);
});
