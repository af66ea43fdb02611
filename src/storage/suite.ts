import { describe, test } from 'node:test';
import type { BlobStore } from './driver.js';
import { contentCases, listCases, readerCases, statCases } from './suite/reading.js';
import { deleteCases, moveCases, writerCases } from './suite/writing.js';
import { pathCases, scaleCases } from './suite/limits.js';

// The one BlobStore test suite (distribution's habit: every driver runs the same cases).
// A driver's test file is a single call: blobStoreSuite('fs', makeStore). Each case
// gets a fresh, empty store from makeStore and calls cleanup when it ends. The cases
// live in suite/, by what they exercise.

export interface StoreUnderTest {
  store: BlobStore;
  cleanup(): Promise<void>;
}

export function blobStoreSuite(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  const it = (title: string, fn: (store: BlobStore) => Promise<void>) =>
    test(title, async () => {
      const { store, cleanup } = await makeStore();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });

  describe(`BlobStore suite: ${name}`, () => {
    describe('stat', () => statCases(it));
    describe('getContent and putContent', () => contentCases(it));
    describe('reader', () => readerCases(it));
    describe('writer', () => writerCases(it));
    describe('move', () => moveCases(it));
    describe('delete', () => deleteCases(it));
    describe('list', () => listCases(it));
    describe('paths', () => pathCases(it));
    describe('large and concurrent', () => scaleCases(it));
  });
}
