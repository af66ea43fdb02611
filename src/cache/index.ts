// Bounded in-memory caches (each one's bound is documented in docs/operations.md, "Memory").
export { byteLru, lazyLru } from './lru.js';
