import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, type ServerProcess } from './process.js';

// The CNCF reference registry (Debian's docker-registry, distribution 2.8): filesystem
// storage in `dir`, deletes on, no auth, its default in-memory blob descriptor cache,
// access log off (Berth does not log requests either).

export const referenceBinary = '/usr/bin/docker-registry';

export async function startReference(dir: string): Promise<ServerProcess> {
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      '  cache:',
      '    blobdescriptor: inmemory',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  return startProcess('reference', referenceBinary, ['serve', config], {}, `http://127.0.0.1:${port}`);
}
