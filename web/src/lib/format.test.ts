import { describe, expect, test } from 'vitest';
import { formatBytes, formatTime, fuzzyQuery, pullCommand, shortDigest, sortParam } from './format';
import { robotNameProblem, robotPermissions } from './robots';

describe('format', () => {
  test('pull commands: by tag, by digest, helm from oci:// with --version', () => {
    const digest = 'sha256:' + 'a'.repeat(64);
    expect(pullCommand('docker', 'reg:5000', 'lib/app', digest, 'v1')).toBe('docker pull reg:5000/lib/app:v1');
    expect(pullCommand('podman', 'reg:5000', 'lib/app', digest)).toBe(`podman pull reg:5000/lib/app@${digest}`);
    expect(pullCommand('helm', 'reg', 'charts/web', digest, '1.2.3')).toBe(
      'helm pull oci://reg/charts/web --version 1.2.3',
    );
  });

  test("Harbor's q and sort parameters", () => {
    expect(fuzzyQuery({ name: ' web ' })).toBe('name=~web');
    expect(fuzzyQuery({ name: '', tags: undefined })).toBeUndefined();
    expect(sortParam({ column: 'name', desc: true })).toBe('-name');
    expect(sortParam(undefined)).toBeUndefined();
  });

  test('sizes, digests and never-pulled times', () => {
    expect(formatBytes(64)).toBe('64 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.00 GiB');
    expect(shortDigest('sha256:0123456789abcdef')).toBe('sha256:0123456789ab');
    expect(formatTime('0001-01-01T00:00:00.000Z', 'en')).toBe('');
  });

  test('robot permissions keep catalogue order and the project namespace', () => {
    const permissions = robotPermissions('p1', new Set(['repository:push', 'tag:list', 'repository:pull', 'bogus:x']));
    expect(permissions).toEqual([
      {
        kind: 'project',
        namespace: 'p1',
        access: [
          { resource: 'repository', action: 'pull' },
          { resource: 'repository', action: 'push' },
          { resource: 'tag', action: 'list' },
        ],
      },
    ]);
    expect(robotNameProblem('ci-bot.1')).toBeUndefined();
    expect(robotNameProblem('CI')).toBe('invalid');
    expect(robotNameProblem('a..b')).toBe('invalid');
  });
});

describe('audit and system robot queries', () => {
  test("the audit filter is Harbor's q: operation exact, the rest fuzzy, no stray commas", async () => {
    const { auditQuery } = await import('./audit');
    expect(auditQuery({})).toBeUndefined();
    expect(auditQuery({ operation: 'delete', resource: ' lib/app ', username: '' })).toBe(
      'operation=delete,resource=~lib/app',
    );
    expect(auditQuery({ username: 'a,b' })).toBe('username=~a b');
  });

  test('a system robot sends only grants that name a project and give something', async () => {
    const { systemRobotPermissions } = await import('./robots');
    const permissions = systemRobotPermissions(new Set(['audit-log:list', 'bogus:x']), [
      { namespace: ' * ', chosen: new Set(['repository:pull']) },
      { namespace: '', chosen: new Set(['repository:pull']) },
      { namespace: 'lib', chosen: new Set() },
    ]);
    expect(permissions).toEqual([
      { kind: 'system', namespace: '/', access: [{ resource: 'audit-log', action: 'list' }] },
      { kind: 'project', namespace: '*', access: [{ resource: 'repository', action: 'pull' }] },
    ]);
    expect(systemRobotPermissions(new Set(), [])).toEqual([]);
  });
});
