import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';

// No container engine runs on the test machines: these check the Dockerfile's and
// compose.yaml's structure; building and running them needs docker or podman with a registry.

const dockerDir = new URL('../../deploy/docker/', import.meta.url).pathname;

/** Dockerfile instructions with continuation lines joined; comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('deploy/docker', () => {
  const dockerfile = instructions(readFileSync(dockerDir + 'Dockerfile', 'utf8'));
  const stages: { op: string; args: string }[][] = [];
  for (const i of dockerfile) {
    if (i.op === 'FROM') stages.push([i]);
    else stages[stages.length - 1]?.push(i); // ARGs before the first FROM belong to no stage
  }
  const runtime = stages[stages.length - 1];

  it('Dockerfile: multi-stage, production dependencies only in the runtime stage, non-root, HEALTHCHECK on /api/v2.0/ping, berth serve as entrypoint', () => {
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    const build = stages[0].map((i) => i.args).join('\n');
    assert.match(build, /npm ci/);
    assert.match(build, /npm prune --omit=dev/);
    assert.ok(
      runtime.some((i) => i.op === 'COPY' && i.args.startsWith('--from=')),
      'the runtime stage copies the pruned build',
    );
    assert.ok(
      !runtime.some((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args)),
      'the runtime stage installs nothing from npm',
    );
    const user = runtime.find((i) => i.op === 'USER');
    assert.ok(user && !/^(0|root)(:|$)/.test(user.args), `runs as a non-root user (${user?.args})`);
    assert.match(runtime.find((i) => i.op === 'HEALTHCHECK')?.args ?? '', /\/api\/v2\.0\/ping/);
    assert.deepEqual(JSON.parse(runtime.find((i) => i.op === 'ENTRYPOINT')!.args), ['berth', 'serve']);
    assert.match(runtime.find((i) => i.op === 'ENV')?.args ?? '', /BERTH_ROLE=all/);
  });

  it('compose.yaml: core and jobservice roles of one image on PostgreSQL and Redis, with named volumes', () => {
    const compose = parseYaml(readFileSync(dockerDir + 'compose.yaml', 'utf8'), { merge: true }) as {
      services: Record<
        string,
        {
          image: string;
          environment?: Record<string, string>;
          volumes?: string[];
          depends_on?: Record<string, { condition: string }>;
        }
      >;
      volumes: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(compose.services).sort(), ['core', 'jobservice', 'postgres', 'redis']);
    const { core, jobservice, postgres, redis } = compose.services;
    assert.equal(core.environment?.BERTH_ROLE, 'core');
    assert.equal(jobservice.environment?.BERTH_ROLE, 'jobservice');
    assert.equal(core.image, jobservice.image);
    for (const berth of [core, jobservice]) {
      assert.match(berth.environment?.BERTH_DATABASE_URL ?? '', /^postgres:\/\/berth:.*@postgres:5432\/registry/);
      assert.match(berth.environment?.BERTH_REDIS_URL ?? '', /@redis:6379\//);
      assert.ok(berth.volumes?.includes('storage:/storage'), 'core and jobservice share the blob store');
    }
    assert.equal(core.depends_on?.postgres.condition, 'service_healthy');
    const named = new Set(Object.keys(compose.volumes));
    for (const service of [core, jobservice, postgres, redis]) {
      for (const volume of service.volumes ?? [])
        assert.ok(named.has(volume.split(':')[0]), `volume ${volume} is declared`);
    }
  });
});
