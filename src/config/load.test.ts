import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, configLeaves, envName, loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(yaml: string): string {
  const file = join(dir, `berth-${files++}.yml`);
  writeFileSync(file, yaml);
  return file;
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `the message should be one line: ${err.message}`);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

test('defaults follow DESIGN.md', () => {
  const config = loadConfig({ env: {} });
  assert.equal(config.http.port, 8080);
  assert.equal(config.dataDir, resolve('./data'));
  assert.equal(config.externalURL, 'http://localhost:8080');
  assert.equal(config.database.url, `sqlite://${resolve('./data/berth.db')}`);
  assert.equal(config.redis.url, undefined);
  assert.equal(config.storage.type, 'filesystem');
  assert.equal(config.storage.filesystem.rootdirectory, resolve('./data/storage'));
  assert.equal(config.tls.certificate, undefined);
  assert.equal(config.tls.key, undefined);
  assert.equal(config.role, 'all');
  assert.equal(config.adminPassword, undefined);
  assert.equal(config.registry.maxManifestBytes, 4 * 1024 * 1024);
});

test('dependent defaults follow dataDir and the port', () => {
  const config = loadConfig({ env: { BERTH_DATA_DIR: join(dir, 'd'), BERTH_HTTP_PORT: '5000' } });
  assert.equal(config.database.url, `sqlite://${join(dir, 'd', 'berth.db')}`);
  assert.equal(config.storage.filesystem.rootdirectory, join(dir, 'd', 'storage'));
  assert.equal(config.externalURL, 'http://localhost:5000');
});

test('externalURL defaults to https when TLS is configured, and loses a trailing slash', () => {
  assert.equal(
    loadConfig({ env: { BERTH_TLS_CERTIFICATE: '/c.pem', BERTH_TLS_KEY: '/k.pem' } }).externalURL,
    'https://localhost:8080',
  );
  assert.equal(
    loadConfig({ env: { BERTH_EXTERNAL_URL: 'https://registry.example.com/' } }).externalURL,
    'https://registry.example.com',
  );
});

test('a berth.yml sets keys; env overrides the file; CLI overrides win over both', () => {
  const file = configFile(
    [
      'http:',
      '  port: 6000',
      '  host: 127.0.0.1',
      'dataDir: /srv/berth',
      'storage:',
      '  s3:',
      '    bucket: from-file',
      '    region: eu-west-1',
    ].join('\n'),
  );
  const fromFile = loadConfig({ file, env: {} });
  assert.equal(fromFile.http.port, 6000);
  assert.equal(fromFile.http.host, '127.0.0.1');
  assert.equal(fromFile.dataDir, '/srv/berth');
  assert.equal(fromFile.storage.s3.bucket, 'from-file');

  const withEnv = loadConfig({ file, env: { BERTH_HTTP_PORT: '7000', BERTH_STORAGE_S3_BUCKET: 'from-env' } });
  assert.equal(withEnv.http.port, 7000);
  assert.equal(withEnv.http.host, '127.0.0.1', 'siblings of an overridden key keep the file value');
  assert.equal(withEnv.storage.s3.bucket, 'from-env');
  assert.equal(withEnv.storage.s3.region, 'eu-west-1');

  const withFlags = loadConfig({
    file,
    env: { BERTH_HTTP_PORT: '7000', BERTH_DATA_DIR: '/env' },
    overrides: { http: { port: 7001 }, dataDir: '/flag' },
  });
  assert.equal(withFlags.http.port, 7001);
  assert.equal(withFlags.http.host, '127.0.0.1');
  assert.equal(withFlags.dataDir, '/flag');
});

test('an empty config file means defaults', () => {
  assert.equal(loadConfig({ file: configFile(''), env: {} }).http.port, 8080);
  assert.equal(loadConfig({ file: configFile('# just a comment\n'), env: {} }).http.port, 8080);
});

test('envName maps key paths to BERTH_ upper snake case', () => {
  assert.equal(envName(['externalURL']), 'BERTH_EXTERNAL_URL');
  assert.equal(envName(['storage', 's3', 'accesskey']), 'BERTH_STORAGE_S3_ACCESSKEY');
  assert.equal(envName(['http', 'port']), 'BERTH_HTTP_PORT');
  assert.equal(envName(['dataDir']), 'BERTH_DATA_DIR');
  assert.equal(envName(['adminPassword']), 'BERTH_ADMIN_PASSWORD');
  assert.equal(envName(['database', 'url']), 'BERTH_DATABASE_URL');
  assert.equal(envName(['storage', 'filesystem', 'rootdirectory']), 'BERTH_STORAGE_FILESYSTEM_ROOTDIRECTORY');
  assert.equal(envName(['registry', 'maxManifestBytes']), 'BERTH_REGISTRY_MAX_MANIFEST_BYTES');
});

test('every key of the DESIGN.md table has its environment variable', () => {
  const names = new Set(configLeaves().map((leaf) => envName(leaf.path)));
  for (const name of [
    'BERTH_HTTP_PORT',
    'BERTH_DATA_DIR',
    'BERTH_EXTERNAL_URL',
    'BERTH_ADMIN_PASSWORD',
    'BERTH_DATABASE_URL',
    'BERTH_REDIS_URL',
    'BERTH_STORAGE_TYPE',
    'BERTH_STORAGE_FILESYSTEM_ROOTDIRECTORY',
    'BERTH_STORAGE_S3_ENDPOINT',
    'BERTH_STORAGE_S3_REGION',
    'BERTH_STORAGE_S3_BUCKET',
    'BERTH_STORAGE_S3_ACCESSKEY',
    'BERTH_STORAGE_S3_SECRETKEY',
    'BERTH_STORAGE_S3_FORCEPATHSTYLE',
    'BERTH_STORAGE_S3_ROOTDIRECTORY',
    'BERTH_TLS_CERTIFICATE',
    'BERTH_TLS_KEY',
    'BERTH_ROLE',
  ]) {
    assert.ok(names.has(name), name);
  }
});

test('env variables reach every kind of leaf: strings, numbers, booleans, enums', () => {
  const config = loadConfig({
    env: {
      BERTH_EXTERNAL_URL: 'https://berth.example.com',
      BERTH_ADMIN_PASSWORD: 'Harbor12345',
      BERTH_DATABASE_URL: 'postgres://u:p@db:5432/berth',
      BERTH_REDIS_URL: 'redis://cache:6379/0',
      BERTH_STORAGE_TYPE: 's3',
      BERTH_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/mnt/nas',
      BERTH_STORAGE_S3_ENDPOINT: 'http://127.0.0.1:7480',
      BERTH_STORAGE_S3_BUCKET: 'berth',
      BERTH_STORAGE_S3_CHUNKSIZE: '16777216',
      BERTH_STORAGE_DISABLEREDIRECT: 'true',
      BERTH_STORAGE_S3_ACCESSKEY: 'AKTEST',
      BERTH_STORAGE_S3_SECRETKEY: 'SKTEST',
      BERTH_STORAGE_S3_FORCEPATHSTYLE: 'false',
      BERTH_STORAGE_S3_ROOTDIRECTORY: '/berth',
      BERTH_ROLE: 'jobservice',
      BERTH_REGISTRY_CACHE_BYTES: '0',
      BERTH_HTTP_PORT: ' 9000 ',
    },
  });
  assert.equal(config.externalURL, 'https://berth.example.com');
  assert.equal(config.adminPassword, 'Harbor12345');
  assert.equal(config.database.url, 'postgres://u:p@db:5432/berth');
  assert.equal(config.redis.url, 'redis://cache:6379/0');
  assert.equal(config.storage.type, 's3');
  assert.equal(config.storage.filesystem.rootdirectory, '/mnt/nas');
  assert.deepEqual(
    { ...config.storage.s3 },
    {
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      bucket: 'berth',
      accesskey: 'AKTEST',
      secretkey: 'SKTEST',
      forcepathstyle: false,
      rootdirectory: '/berth',
      storageclass: 'STANDARD',
      chunksize: 16 * 1024 * 1024,
      encrypt: false,
      secure: true,
      skipverify: false,
    },
  );
  assert.equal(config.storage.disableredirect, true);
  assert.equal(config.role, 'jobservice');
  assert.equal(config.registry.cacheBytes, 0);
  assert.equal(config.http.port, 9000);
});

test('booleans accept true/false, 1/0, yes/no', () => {
  for (const [raw, value] of [
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['No', false],
  ] as const) {
    assert.equal(loadConfig({ env: { BERTH_STORAGE_S3_FORCEPATHSTYLE: raw } }).storage.s3.forcepathstyle, value, raw);
  }
});

test('an empty environment variable is ignored', () => {
  assert.equal(loadConfig({ env: { BERTH_HTTP_PORT: '' } }).http.port, 8080);
});

test('a bad value gives one line naming the key and its environment variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ BERTH_HTTP_PORT: 'eighty' }, /http\.port: "eighty" is not a number \(env BERTH_HTTP_PORT\)/],
    [{ BERTH_HTTP_PORT: '0x50' }, /http\.port: .*not a number/],
    [{ BERTH_HTTP_PORT: '   ' }, /http\.port: .*not a number/],
    [{ BERTH_HTTP_PORT: '70000' }, /http\.port: .*65535.*\(env BERTH_HTTP_PORT\)/],
    [{ BERTH_HTTP_PORT: '80.5' }, /http\.port: .*\(env BERTH_HTTP_PORT\)/],
    [{ BERTH_EXTERNAL_URL: 'not a url' }, /externalURL: .*\(env BERTH_EXTERNAL_URL\)/],
    [{ BERTH_STORAGE_TYPE: 'nfs' }, /storage\.type: .*filesystem.*\(env BERTH_STORAGE_TYPE\)/],
    [{ BERTH_ROLE: 'web' }, /role: .*\(env BERTH_ROLE\)/],
    [{ BERTH_STORAGE_S3_FORCEPATHSTYLE: 'maybe' }, /storage\.s3\.forcepathstyle: "maybe" is not true or false/],
    [{ BERTH_ADMIN_PASSWORD: 'short' }, /adminPassword: .*\(env BERTH_ADMIN_PASSWORD\)/],
    [{ BERTH_REGISTRY_CACHE_BYTES: '-1' }, /registry\.cacheBytes: /],
    [
      { BERTH_STORAGE_TYPE: 's3' },
      /storage\.s3\.bucket: required when storage\.type is s3 \(env BERTH_STORAGE_S3_BUCKET\)/,
    ],
    [
      { BERTH_STORAGE_TYPE: 's3', BERTH_STORAGE_S3_BUCKET: 'b', BERTH_STORAGE_S3_CHUNKSIZE: '1048576' },
      /storage\.s3\.chunksize: .*5242880.*\(env BERTH_STORAGE_S3_CHUNKSIZE\)/,
    ],
    [
      { BERTH_REGISTRY_UPLOAD_PURGE_SCHEDULE: 'every hour' },
      /registry\.uploadPurgeSchedule: not a cron expression \(env BERTH_REGISTRY_UPLOAD_PURGE_SCHEDULE\)/,
    ],
    [
      { BERTH_REGISTRY_UPLOAD_PURGE_AGE_HOURS: '0' },
      /registry\.uploadPurgeAgeHours: .*\(env BERTH_REGISTRY_UPLOAD_PURGE_AGE_HOURS\)/,
    ],
    [{ BERTH_REDIS_PREFIX: 'berth prod' }, /redis\.prefix: letters, digits.*\(env BERTH_REDIS_PREFIX\)/],
    [
      { BERTH_JOBSERVICE_SCHEDULER_INTERVAL_SECONDS: '0' },
      /jobservice\.schedulerIntervalSeconds: .*\(env BERTH_JOBSERVICE_SCHEDULER_INTERVAL_SECONDS\)/,
    ],
  ];
  for (const [env, pattern] of cases) {
    const message = configError(() => loadConfig({ env }));
    assert.match(message, /^invalid configuration: /);
    assert.match(message, pattern);
  }
});

test('a bad value in the file names the key', () => {
  assert.match(
    configError(() => loadConfig({ file: configFile('http:\n  port: "abc"\n'), env: {} })),
    /http\.port: .*\(env BERTH_HTTP_PORT\)/,
  );
  assert.match(
    configError(() => loadConfig({ file: configFile('role: everything\n'), env: {} })),
    /role: /,
  );
  assert.match(
    configError(() => loadConfig({ file: configFile('http: 5\n'), env: {} })),
    /invalid configuration: http: [^(]*$/,
  );
});

test('a TLS certificate without its key (or a key alone) is rejected', () => {
  const message = configError(() => loadConfig({ env: { BERTH_TLS_CERTIFICATE: '/etc/berth/tls.crt' } }));
  assert.match(message, /tls.*tls\.certificate and tls\.key must be set together/);
  configError(() => loadConfig({ env: { BERTH_TLS_KEY: '/etc/berth/tls.key' } }));
  configError(() => loadConfig({ file: configFile('tls:\n  certificate: /c.pem\n'), env: {} }));
  const both = loadConfig({ env: { BERTH_TLS_CERTIFICATE: '/c.pem', BERTH_TLS_KEY: '/k.pem' } });
  assert.deepEqual({ ...both.tls }, { certificate: '/c.pem', key: '/k.pem' });
});

test('an unreadable or malformed config file is a ConfigError naming the file', () => {
  assert.match(
    configError(() => loadConfig({ file: join(dir, 'missing.yml'), env: {} })),
    /cannot read config file .*missing\.yml/,
  );
  assert.match(
    configError(() => loadConfig({ file: configFile('http: [\n'), env: {} })),
    /berth-\d+\.yml is not valid YAML/,
  );
  assert.match(
    configError(() => loadConfig({ file: configFile('- a\n- b\n'), env: {} })),
    /must hold a YAML mapping/,
  );
  assert.match(
    configError(() => loadConfig({ file: configFile('just a string\n'), env: {} })),
    /must hold a YAML mapping/,
  );
});

test('a list key takes a comma-separated env variable, and each item is validated', () => {
  const config = loadConfig({ env: { BERTH_HTTP_TRUSTED_PROXIES: ' 10.0.0.0/8, 192.168.1.7 ,,fd00::/8,loopback' } });
  assert.deepEqual(config.http.trustedProxies, ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', 'loopback']);
  assert.deepEqual(loadConfig({ env: {} }).http.trustedProxies, [], 'no proxy is trusted by default');
  assert.throws(
    () => loadConfig({ env: { BERTH_HTTP_TRUSTED_PROXIES: '10.0.0.0/33' } }),
    (err: Error) =>
      err instanceof ConfigError &&
      /http\.trustedProxies\.0: not an IP address, CIDR.*\(env BERTH_HTTP_TRUSTED_PROXIES\)/.test(err.message),
  );
});

test('a misspelt key in berth.yml, at any depth, stops the start naming the nearest valid key', () => {
  assert.equal(
    configError(() => loadConfig({ file: configFile('http:\n  prot: 5205\n'), env: {} })),
    'invalid configuration: http.prot: unknown key; did you mean http.port?',
  );
  assert.equal(
    configError(() => loadConfig({ file: configFile('storage:\n  s3:\n    acesskey: x\n'), env: {} })),
    'invalid configuration: storage.s3.acesskey: unknown key; did you mean storage.s3.accesskey?',
  );
  assert.equal(
    configError(() => loadConfig({ file: configFile('registry:\n  uploads:\n    maxSessionPerUser: 3\n'), env: {} })),
    'invalid configuration: registry.uploads.maxSessionPerUser: unknown key; did you mean registry.uploads.maxSessionsPerUser?',
  );
  assert.equal(
    configError(() => loadConfig({ file: configFile('datadir: /x\n'), env: {} })),
    'invalid configuration: datadir: unknown key; did you mean dataDir?',
  );
  assert.match(
    configError(() => loadConfig({ file: configFile('frobnicate: 1\n'), env: {} })),
    /frobnicate: unknown key$/,
  );
});

test('an unknown BERTH_ variable stops the start naming the nearest valid one', () => {
  assert.equal(
    configError(() => loadConfig({ env: { BERTH_HTTP_PROT: '5205' } })),
    'invalid configuration: BERTH_HTTP_PROT: unknown variable; did you mean BERTH_HTTP_PORT?',
  );
  assert.equal(
    configError(() => loadConfig({ env: { BERTH_STORAGE_S3_ACESSKEY: 'x' } })),
    'invalid configuration: BERTH_STORAGE_S3_ACESSKEY: unknown variable; did you mean BERTH_STORAGE_S3_ACCESSKEY?',
  );
  // Ends in _PORT like a Kubernetes service link, but a number is a misspelt key, not a link.
  assert.match(
    configError(() => loadConfig({ env: { BERTH_HTPP_PORT: '5000' } })),
    /did you mean BERTH_HTTP_PORT\?$/,
  );
});

test('BERTH_ variables that are not keys but are set around Berth are accepted', () => {
  const config = loadConfig({
    env: {
      BERTH_SECRET_KEY: 'from the Helm chart',
      BERTH_TEST_DATABASE: 'postgres',
      BERTH_TEST_ANYTHING: '1',
      BERTH_CORE_SERVICE_HOST: '10.0.0.1',
      BERTH_CORE_SERVICE_PORT_HTTP: '80',
      BERTH_CORE_PORT: 'tcp://10.0.0.1:80',
      BERTH_CORE_PORT_80_TCP_ADDR: '10.0.0.1',
      BERTH_SERVICE_HOST: '10.0.0.2',
      BERTH_PORT: 'tcp://10.0.0.2:80',
      OTHER_HTTP_PROT: 'not ours',
    },
  });
  assert.equal(config.http.port, 8080);
});
