import { fileURLToPath } from 'node:url';
import { freePort, startProcess, type ServerProcess } from './process.js';

const script = fileURLToPath(new URL('./inmemory.ts', import.meta.url));

export async function startInMemory(): Promise<ServerProcess> {
  const port = await freePort();
  return startProcess(
    'in-memory',
    process.execPath,
    ['--import', 'tsx', script, String(port)],
    { NODE_PATH: process.env.NODE_PATH },
    `http://127.0.0.1:${port}`,
  );
}
