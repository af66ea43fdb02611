import { LRUCache } from 'lru-cache';

/**
 * An LRU cache of at most `max` entries that allocates as it fills. lru-cache's own
 * `max` preallocates arrays of that length up front: Berth's count-bounded caches
 * (100k rate-limit windows, 20k tokens, …) held ~4 MiB of an idle process that way.
 * Counting each entry as size 1 against `maxSize` bounds them the same way.
 */
export function lazyLru<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(
  max: number,
  options: { ttl?: number } = {},
): LRUCache<K, V> {
  return new LRUCache<K, V>({ ...options, maxSize: max, sizeCalculation: () => 1 });
}

/**
 * An LRU cache bounded by an estimate of the bytes its entries hold, for values whose size
 * depends on client input (a count bound alone lets a few large values take the memory).
 */
export function byteLru<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(
  maxBytes: number,
  bytesOf: (value: V, key: K) => number,
  options: { ttl?: number } = {},
): LRUCache<K, V> {
  return new LRUCache<K, V>({
    ...options,
    maxSize: maxBytes,
    // An entry larger than the whole budget is simply not kept.
    maxEntrySize: maxBytes,
    sizeCalculation: (value, key) => Math.max(1, Math.ceil(bytesOf(value, key))),
  });
}
