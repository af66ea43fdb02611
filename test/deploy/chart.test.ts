import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { needHelm } from '../helpers/helm.js';
import { exec } from '../helpers/tools.js';
import { berthContainers, receivedConfig, unknownKeys, type ExternalSecrets } from './berth-config.js';
import { assertStandardChecks, mountsOf } from './chart-checks.js';
import { chartDir, fixturesDir, helmTemplate, secretData, writeTemp, type Container, type Render } from './render.js';

// The Helm chart rendered by the real helm for the value sets operators use, checked
// object by object, against the Kubernetes schemas and against Berth's own config loader.

const seedValues = join(fixturesDir, 'seed-values.yaml');

const externalValues = `
externalURL: https://registry.example.com
expose:
  ingress:
    hosts:
      core: registry.example.com
persistence:
  imageChartStorage:
    disableredirect: true
    type: s3
    s3:
      existingSecret: berth-s3-credentials
      region: eu-west-1
      bucket: berth-blobs
      regionendpoint: https://s3.example.com
      rootdirectory: /berth
      storageclass: STANDARD_IA
database:
  type: external
  external:
    host: pg.example.com
    port: "6432"
    username: berth
    coreDatabase: berth_registry
    existingSecret: berth-db-credentials
    sslmode: verify-full
  maxOpenConns: 40
redis:
  type: external
  external:
    addr: "sentinel-0.example.com:26379,sentinel-1.example.com:26379"
    sentinelMasterSet: mymaster
    coreDatabaseIndex: "3"
    existingSecret: berth-redis-credentials
core:
  replicas: 3
  autoscaling:
    enabled: true
    minReplicas: 3
    maxReplicas: 12
  podDisruptionBudget:
    enabled: true
    minAvailable: 2
jobservice:
  replicas: 2
  podDisruptionBudget:
    enabled: true
enableMigrateHelmHook: true
metrics:
  enabled: true
  serviceMonitor:
    enabled: true
    interval: 30s
    additionalLabels:
      release: prometheus
`;
const externalSecrets: ExternalSecrets = {
  'berth-db-credentials': { password: 'db-S3cret' },
  'berth-redis-credentials': { REDIS_PASSWORD: 'redis-S3cret' },
  'berth-s3-credentials': { REGISTRY_STORAGE_S3_ACCESSKEY: 'AKIAEXAMPLE', REGISTRY_STORAGE_S3_SECRETKEY: 's3-S3cret' },
};

const ingressSecretValues = `
externalURL: https://berth.corp.example
expose:
  tls:
    certSource: secret
    secret:
      secretName: berth-corp-tls
  ingress:
    className: nginx
    hosts:
      core: berth.corp.example
`;

const nodePortValues = `
externalURL: https://10.0.0.7:30003
expose:
  type: nodePort
  tls:
    enabled: true
    certSource: auto
    auto:
      commonName: 10.0.0.7
logLevel: warning
`;

async function render(t: TestContext, values: { files?: string[]; inline?: string } = {}): Promise<Render | undefined> {
  const helm = await needHelm(t);
  return helm ? helmTemplate(helm, values) : undefined;
}

function container(r: Render, kind: string, name: string): Container {
  const spec = (r.get(kind, name).spec as { template: { spec: { containers: Container[] } } }).template.spec;
  return spec.containers[0];
}

describe('helm chart deploy/helm/berth', { concurrency: true }, () => {
  it('passes helm lint with the defaults and with every example values set', async (t) => {
    const helm = await needHelm(t);
    if (!helm) return;
    const sets = [
      [],
      ['-f', seedValues],
      ...[externalValues, ingressSecretValues, nodePortValues].map((v) => ['-f', writeTemp('values.yaml', v)]),
    ];
    for (const args of sets) {
      const { stdout } = await exec(helm, ['lint', '--strict', chartDir, ...args]);
      assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('defaults: internal PostgreSQL and Redis, filesystem storage on provisioned claims kept on uninstall, ingress with a generated certificate', async (t) => {
    const r = await render(t);
    if (!r) return;
    await assertStandardChecks(r);
    for (const name of ['berth-registry', 'berth-jobservice']) {
      const pvc = r.get('PersistentVolumeClaim', name);
      assert.equal(pvc.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
    }
    assert.deepEqual(
      r
        .all('StatefulSet')
        .map((s) => s.metadata.name)
        .sort(),
      ['berth-database', 'berth-redis'],
    );
    const ingress = r.get('Ingress', 'berth-ingress');
    assert.equal(
      ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-body-size'],
      '0',
      'layer uploads need an unlimited body size',
    );
    const tls = (ingress.spec as { tls: { secretName: string; hosts: string[] }[] }).tls[0];
    const cert = new X509Certificate(secretData(r.get('Secret', tls.secretName))['tls.crt']);
    assert.equal(cert.checkHost('core.berth.domain'), 'core.berth.domain');

    const core = container(r, 'Deployment', 'berth-core');
    assert.deepEqual(
      [...core.command!, ...core.args!],
      ['berth', 'serve', '--config', '/etc/berth/berth.yml', '--role', 'core'],
    );
    assert.equal(core.readinessProbe?.httpGet?.path, '/api/v2.0/ping');
    const strategy = (
      r.get('Deployment', 'berth-core').spec as {
        strategy: { type: string; rollingUpdate: { maxUnavailable: number } };
      }
    ).strategy;
    assert.deepEqual([strategy.type, strategy.rollingUpdate.maxUnavailable], ['RollingUpdate', 0]);

    const key = secretData(r.get('Secret', 'berth-core'))['tls.key'];
    assert.equal(createPrivateKey(key).asymmetricKeyType, 'rsa', 'the token signing key is an RSA private key');
    assert.equal(r.all('Job').length, 0, 'core migrates under a lock unless enableMigrateHelmHook is set');
  });

  it('defaults: every Berth container receives a configuration that Berth loads, with its role, PostgreSQL, Redis and the mounted blob store', async (t) => {
    const r = await render(t);
    if (!r) return;
    const seen: string[] = [];
    for (const { object, template, container: c } of berthContainers(r)) {
      const received = receivedConfig(r, template, c);
      assert.deepEqual(unknownKeys(received), [], `${object.metadata.name} gets keys Berth does not know`);
      const { config } = received;
      seen.push(`${object.metadata.name}:${config.role}`);
      assert.equal(config.externalURL, 'https://core.berth.domain');
      assert.match(
        config.database.url,
        /^postgres:\/\/postgres:[A-Za-z0-9]{32}@berth-database:5432\/registry\?sslmode=disable$/,
      );
      assert.equal(config.redis.url, 'redis://berth-redis:6379/0');
      assert.equal(received.env.BERTH_REDIS_PASSWORD, secretData(r.get('Secret', 'berth-redis')).REDIS_PASSWORD);
      assert.match(received.env.BERTH_REDIS_PASSWORD, /^[A-Za-z0-9]{32}$/);
      assert.equal(config.adminPassword, 'Harbor12345');
      assert.ok(config.auth.tokenSigningKey?.includes('PRIVATE KEY'));
      // Behind the ingress: its controller's pod ranges forward the client address, and no per-address cap.
      assert.deepEqual(config.http.trustedProxies, ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
      assert.equal(config.http.maxConnectionsPerAddress, 0);
      assert.equal(config.metrics.port, undefined, 'metrics stay on the API port, for administrators');
      if (object.kind === 'Deployment') {
        assert.equal(config.storage.type, 'filesystem');
        const storageMount = c.volumeMounts?.find((m) => m.mountPath === config.storage.filesystem.rootdirectory);
        assert.ok(storageMount, `${object.metadata.name}: the blob store directory is not a mounted volume`);
      }
    }
    assert.deepEqual(seen.sort(), ['berth-core:core', 'berth-jobservice:jobservice']);
    // The database password Berth uses is the one PostgreSQL is started with.
    const postgresPassword = secretData(r.get('Secret', 'berth-database')).POSTGRES_PASSWORD;
    assert.ok(secretData(r.get('Secret', 'berth-database')).BERTH_DATABASE_URL.includes(`:${postgresPassword}@`));
  });

  it("the seed's NAS values: every component mounts the one claim harbor-nas at its subPath, and no claim is provisioned", async (t) => {
    const r = await render(t, { files: [seedValues] });
    if (!r) return;
    await assertStandardChecks(r, { claims: ['harbor-nas'] });
    assert.equal(r.all('PersistentVolumeClaim').length, 0);
    for (const sts of r.all('StatefulSet'))
      assert.equal((sts.spec as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates, undefined);
    const expected: Record<string, { mountPath: string; subPath: string }[]> = {
      'berth-core': [{ mountPath: '/storage', subPath: 'registry' }],
      'berth-jobservice': [
        { mountPath: '/var/lib/berth', subPath: 'jobservice' },
        { mountPath: '/storage', subPath: 'registry' },
      ],
      'berth-database': [{ mountPath: '/var/lib/postgresql/data', subPath: 'database' }],
      'berth-redis': [{ mountPath: '/data', subPath: 'redis' }],
    };
    for (const [name, mounts] of Object.entries(expected)) {
      const object = r.find('Deployment', name) ?? r.get('StatefulSet', name);
      const actual = mountsOf(object, r);
      assert.deepEqual(
        actual.map((m) => m.claim),
        mounts.map(() => 'harbor-nas'),
        `${name} mounts ${JSON.stringify(actual)}`,
      );
      assert.deepEqual(
        actual.map(({ mountPath, subPath }) => ({ mountPath, subPath })),
        mounts,
        name,
      );
    }
    // One volume per claim in a pod, mounted at two subPaths: the claim is attached once.
    const jobVolumes = (
      r.get('Deployment', 'berth-jobservice').spec as {
        template: { spec: { volumes: { persistentVolumeClaim?: { claimName: string } }[] } };
      }
    ).template.spec.volumes;
    assert.equal(jobVolumes.filter((v) => v.persistentVolumeClaim?.claimName === 'harbor-nas').length, 1);
    // chartmuseum maps onto registry storage: its subPath is mounted nowhere.
    assert.doesNotMatch(JSON.stringify(r.objects), /"subPath":"chartmuseum"/);
    const core = berthContainers(r).find((b) => b.object.metadata.name === 'berth-core')!;
    assert.equal(receivedConfig(r, core.template, core.container).config.storage.filesystem.rootdirectory, '/storage');
  });

  it('external PostgreSQL, Redis Sentinel and S3 from existing secrets, scaled out with HPA, PDBs and a ServiceMonitor', async (t) => {
    const r = await render(t, { inline: externalValues });
    if (!r) return;
    await assertStandardChecks(r, { secrets: externalSecrets });
    assert.equal(r.all('StatefulSet').length, 0, 'no internal database or Redis');
    assert.equal(r.find('PersistentVolumeClaim', 'berth-registry'), undefined, 'S3 needs no registry claim');
    for (const name of ['berth-database', 'berth-redis', 'berth-storage'])
      assert.equal(r.find('Secret', name), undefined, `${name} would shadow the existing secret`);
    const core = r.get('Deployment', 'berth-core');
    assert.equal((core.spec as { replicas?: number }).replicas, undefined, 'the HPA owns the replica count');
    assert.equal((r.get('Deployment', 'berth-jobservice').spec as { replicas: number }).replicas, 2);
    assert.equal((r.get('HorizontalPodAutoscaler', 'berth-core').spec as { minReplicas: number }).minReplicas, 3);
    assert.equal((r.get('PodDisruptionBudget', 'berth-core').spec as { minAvailable: number }).minAvailable, 2);
    assert.ok(r.get('PodDisruptionBudget', 'berth-jobservice'));
    const monitor = r.get('ServiceMonitor', 'berth');
    assert.equal(monitor.metadata.labels?.release, 'prometheus');
    const selector = (
      monitor.spec as { selector: { matchLabels: Record<string, string>; matchExpressions: { values: string[] }[] } }
    ).selector;
    const monitored = r
      .all('Service')
      .filter(
        (s) =>
          Object.entries(selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v) &&
          selector.matchExpressions[0].values.includes(s.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
      );
    assert.deepEqual(monitored.map((s) => s.metadata.name).sort(), ['berth-core', 'berth-jobservice']);
    // The monitor scrapes the plain-HTTP metrics port each Service and pod names, where Berth serves /metrics.
    const endpoints = (monitor.spec as { endpoints: { port: string; path: string; scheme: string }[] }).endpoints;
    assert.deepEqual(
      endpoints.map(({ port, path, scheme }) => ({ port, path, scheme })),
      [{ port: 'metrics', path: '/metrics', scheme: 'http' }],
    );
    for (const service of monitored) {
      const ports = (service.spec as { ports: { name: string; port: number; targetPort: string }[] }).ports;
      assert.deepEqual(
        ports.find((p) => p.name === 'metrics'),
        { name: 'metrics', port: 8001, targetPort: 'metrics', protocol: 'TCP' },
        service.metadata.name,
      );
    }

    for (const { object, template, container: c } of berthContainers(r)) {
      const received = receivedConfig(r, template, c, externalSecrets);
      assert.deepEqual(unknownKeys(received), [], object.metadata.name);
      const { config } = received;
      assert.equal(
        config.database.url,
        'postgres://berth:db-S3cret@pg.example.com:6432/berth_registry?sslmode=verify-full',
      );
      assert.equal(config.redis.url, 'redis://sentinel-0.example.com:26379,sentinel-1.example.com:26379/3');
      assert.match(received.fileText, /sentinelMasterSet: "mymaster"/);
      assert.equal(received.env.BERTH_REDIS_PASSWORD, 'redis-S3cret');
      if (object.kind === 'Job') {
        assert.deepEqual([...c.command!, ...c.args!], ['berth', 'migrate', '--config', '/etc/berth/berth.yml']);
        assert.equal(object.metadata.annotations?.['helm.sh/hook'], 'pre-upgrade');
        continue;
      }
      assert.equal(config.storage.type, 's3');
      const { endpoint, region, bucket, accesskey, secretkey, forcepathstyle, rootdirectory } = config.storage.s3;
      assert.deepEqual(
        { endpoint, region, bucket, accesskey, secretkey, forcepathstyle, rootdirectory },
        {
          endpoint: 'https://s3.example.com',
          region: 'eu-west-1',
          bucket: 'berth-blobs',
          accesskey: 'AKIAEXAMPLE',
          secretkey: 's3-S3cret',
          forcepathstyle: true,
          rootdirectory: '/berth',
        },
      );
      assert.equal(
        c.volumeMounts?.some((m) => m.mountPath === '/storage'),
        false,
        'no blob volume with S3',
      );
      assert.equal(config.metrics.port, 8001, `${object.metadata.name} serves /metrics on the scraped port`);
      assert.equal(c.ports?.find((p) => p.name === 'metrics')?.containerPort, 8001);
      assert.equal(template.metadata?.annotations?.['prometheus.io/port'], '8001');
      assert.match(received.fileText, /disableredirect: true/);
      assert.match(received.fileText, /maxOpenConns: 40/);
      assert.match(received.fileText, /storageclass: "STANDARD_IA"/);
    }
  });

  it('ingress with a TLS secret: the ingress names the given secret and no certificate is generated', async (t) => {
    const r = await render(t, { inline: ingressSecretValues });
    if (!r) return;
    await assertStandardChecks(r);
    const spec = r.get('Ingress', 'berth-ingress').spec as {
      ingressClassName: string;
      tls: { secretName: string; hosts: string[] }[];
      rules: { host: string }[];
    };
    assert.equal(spec.ingressClassName, 'nginx');
    assert.deepEqual(spec.tls, [{ hosts: ['berth.corp.example'], secretName: 'berth-corp-tls' }]);
    assert.equal(spec.rules[0].host, 'berth.corp.example');
    assert.equal(r.all('Secret').filter((s) => s.type === 'kubernetes.io/tls').length, 0);
    const core = berthContainers(r).find((b) => b.object.metadata.name === 'berth-core')!;
    const { config } = receivedConfig(r, core.template, core.container);
    assert.equal(config.externalURL, 'https://berth.corp.example');
    assert.equal(config.tls.certificate, undefined, 'TLS ends at the ingress');
  });

  it('nodePort with an automatic certificate: Berth serves HTTPS itself behind node port 30003', async (t) => {
    const r = await render(t, { inline: nodePortValues });
    if (!r) return;
    await assertStandardChecks(r);
    assert.equal(r.all('Ingress').length, 0);
    const service = r.get('Service', 'berth');
    const spec = service.spec as {
      type: string;
      ports: { name: string; port: number; nodePort: number; targetPort: string }[];
    };
    assert.equal(spec.type, 'NodePort');
    assert.deepEqual(spec.ports, [{ name: 'https', port: 443, targetPort: 'http', protocol: 'TCP', nodePort: 30003 }]);
    const core = berthContainers(r).find((b) => b.object.metadata.name === 'berth-core')!;
    assert.equal(core.container.ports?.[0].containerPort, 8443);
    assert.equal(core.container.readinessProbe?.httpGet?.scheme, 'HTTPS');
    const { config } = receivedConfig(r, core.template, core.container);
    assert.equal(config.http.port, 8443);
    assert.equal(config.logLevel, 'warn', "Harbor's 'warning' becomes Berth's 'warn'");
    assert.deepEqual(config.http.trustedProxies, [], 'clients reach Berth directly: no forwarded header is believed');
    assert.equal(config.http.maxConnectionsPerAddress, 256);
    const tlsMount = core.container.volumeMounts?.find((m) => config.tls.certificate?.startsWith(m.mountPath + '/'));
    const tlsVolume = core.template.spec.volumes?.find((v) => v.name === tlsMount?.name);
    const cert = new X509Certificate(secretData(r.get('Secret', tlsVolume!.secret!.secretName))['tls.crt']);
    assert.equal(cert.checkIP('10.0.0.7'), '10.0.0.7');
  });

  it('refuses values Berth cannot run with, naming the key', async (t) => {
    const helm = await needHelm(t);
    if (!helm) return;
    const cases: [string, RegExp][] = [
      [
        'persistence:\n  imageChartStorage:\n    type: azure\n',
        /persistence\.imageChartStorage\.type: "azure" is not supported/,
      ],
      ['harborAdminPassword: short\n', /harborAdminPassword: must be at least 8 characters/],
      ['expose:\n  type: nodePort\n', /expose\.tls\.auto\.commonName is required/],
      ['expose:\n  tls:\n    certSource: secret\n', /expose\.tls\.secret\.secretName is required/],
      ['logLevel: chatty\n', /logLevel: "chatty" is not one of/],
      [
        'database:\n  type: external\n  external:\n    password: ""\n',
        /database\.external\.password or database\.external\.existingSecret is required/,
      ],
    ];
    await Promise.all(
      cases.map(async ([values, message]) => {
        await assert.rejects(
          exec(helm, ['template', 'berth', chartDir, '-f', writeTemp('values.yaml', values)]),
          (err: Error) => {
            assert.match(err.message, message);
            return true;
          },
        );
      }),
    );
  });
});
