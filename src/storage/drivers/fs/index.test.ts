import { blobStoreSuite } from '../../suite.js';
import { createFilesystemStore } from './index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

blobStoreSuite('filesystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-fs-store-'));
  return { store: createFilesystemStore({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
});
