import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displaySize, overflowMessage } from './format.js';

test("displaySize prints sizes as Harbor's quota errors do: bytes under 1 KiB, else one decimal in binary units", () => {
  assert.equal(displaySize(0), '0 B');
  assert.equal(displaySize(1023), '1023 B');
  assert.equal(displaySize(1024), '1.0 KiB');
  assert.equal(displaySize(1536), '1.5 KiB');
  assert.equal(displaySize(20.3 * 1024 ** 2), '20.3 MiB');
  assert.equal(displaySize(300 * 1024 ** 3), '300.0 GiB');
  assert.equal(displaySize(2 * 1024 ** 4), '2.0 TiB');
});

test("overflowMessage is Harbor's refusal, word for word", () => {
  assert.equal(
    overflowMessage({ adding: Math.round(20.3 * 1024 ** 2), used: 300 * 1024 ** 3, hard: 300 * 1024 ** 3 }),
    'Quota exceeded when processing the request of adding 20.3 MiB of storage resource, which when updated to ' +
      'current usage of 300.0 GiB will exceed the configured upper limit of 300.0 GiB.',
  );
});
