import { isIP } from 'node:net';
import { Cron } from 'croner';
import { z } from 'zod';

// The one configuration schema. Keys follow DESIGN.md; every key can be overridden by
// an environment variable: BERTH_ + the key path in upper snake case.

const port = z.number().int().min(0).max(65535);

export const configSchema = z.object({
  http: z
    .object({
      port: port.default(8080).describe('HTTP(S) listen port'),
      host: z.string().default('0.0.0.0').describe('listen address'),
      bodyTimeoutSeconds: z
        .number()
        .int()
        .min(1)
        .default(60)
        .describe('a request whose body sends no byte for this long is closed (a slow or stalled client)'),
      headersTimeoutSeconds: z
        .number()
        .int()
        .min(1)
        .default(20)
        .describe("time a client has to send a request's headers"),
      keepAliveTimeoutSeconds: z
        .number()
        .int()
        .min(1)
        .default(65)
        .describe(
          'an idle keep-alive connection is closed after this long; keep it above the proxy or load balancer idle timeout',
        ),
      maxConnectionsPerAddress: z
        .number()
        .int()
        .min(0)
        .default(256)
        .describe(
          'open connections one socket address may hold; 0 = unlimited (behind a proxy every connection comes from it)',
        ),
      trustedProxies: z
        .array(z.string().refine(validProxy, 'not an IP address, CIDR or one of loopback, linklocal, uniquelocal'))
        .default([])
        .describe('addresses or CIDRs of proxies whose X-Forwarded-For, -Proto and -Host are believed; empty = none'),
    })
    .prefault({}),
  metrics: z
    .object({
      enabled: z.boolean().default(true).describe('serve Prometheus metrics at /metrics'),
      port: port
        .min(1)
        .optional()
        .describe('serve /metrics only on this separate port (plain HTTP, no authentication); unset = on http.port'),
      token: z
        .string()
        .min(16)
        .optional()
        .describe(
          'bearer token that also admits a scraper to /metrics on http.port (system administrators always are)',
        ),
    })
    .prefault({}),
  dataDir: z.string().min(1).default('./data').describe('directory for the SQLite database and the local blob store'),
  externalURL: z.url().optional().describe('URL clients use to reach Berth; default http://localhost:<port>'),
  adminPassword: z
    .string()
    .min(8)
    .optional()
    .describe("initial password of 'admin'; generated and printed once when unset"),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('log level'),
  role: z.enum(['all', 'core', 'jobservice']).default('all').describe('which parts this process runs'),
  database: z
    .object({
      url: z
        .string()
        .optional()
        .describe(
          'sqlite://<path> or postgres://user:pw@host:5432/db?sslmode=disable|require|verify-ca|verify-full; default sqlite://<dataDir>/berth.db',
        ),
      maxOpenConns: z
        .number()
        .int()
        .min(1)
        .default(20)
        .describe(
          'PostgreSQL pool size per process; replicas × maxOpenConns must stay below max_connections (docs/database.md)',
        ),
      maxIdleConns: z.number().int().min(0).default(10).describe('PostgreSQL connections kept open while idle'),
      connectTimeoutSeconds: z
        .number()
        .int()
        .min(1)
        .default(10)
        .describe('PostgreSQL: time to connect, or to wait for a free pooled connection'),
    })
    .prefault({}),
  redis: z
    .object({
      url: z
        .string()
        .optional()
        .describe(
          'redis://[:password@]host:6379/<db index>; with sentinelMasterSet, the sentinels: redis://s1:26379,s2:26379/<db>; unset = in-process cache, locks and queue',
        ),
      sentinelMasterSet: z.string().optional().describe('name of the master set the sentinels in redis.url watch'),
      password: z.string().optional().describe('Redis password (overrides one in redis.url)'),
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." and "-" only')
        .default('berth')
        .describe(
          'prefix of every key and channel Berth uses in Redis; two Berth deployments sharing one Redis db need different prefixes',
        ),
    })
    .prefault({}),
  storage: z
    .object({
      type: z.enum(['filesystem', 's3']).default('filesystem').describe('blob store driver'),
      filesystem: z
        .object({
          rootdirectory: z.string().optional().describe('blob store directory; default <dataDir>/storage'),
        })
        .prefault({}),
      s3: z
        .object({
          endpoint: z
            .string()
            .optional()
            .describe("S3 endpoint URL (Harbor's regionendpoint); unset = AWS for the region"),
          region: z.string().default('us-east-1').describe('region the requests are signed for'),
          bucket: z.string().optional().describe('bucket holding the blobs; required with storage.type s3'),
          accesskey: z
            .string()
            .optional()
            .describe('access key id; unset = the AWS default chain (env, web identity, instance role)'),
          secretkey: z.string().optional().describe('secret access key'),
          forcepathstyle: z
            .boolean()
            .default(true)
            .describe(
              'address the bucket as <endpoint>/<bucket> (MinIO, Ceph); false = virtual-hosted <bucket>.<endpoint> (AWS, OSS)',
            ),
          rootdirectory: z
            .string()
            .default('')
            .describe('key prefix for everything Berth stores; empty = the bucket root'),
          storageclass: z.string().default('STANDARD').describe('storage class of new objects; NONE = send none'),
          chunksize: z
            .number()
            .int()
            .min(5 * 1024 * 1024)
            .default(10 * 1024 * 1024)
            .describe('multipart part size in bytes (S3 minimum 5 MiB)'),
          encrypt: z
            .boolean()
            .default(false)
            .describe('server-side encryption: SSE-S3 (AES256), or SSE-KMS with keyid'),
          keyid: z.string().optional().describe('KMS key id for SSE-KMS (with encrypt: true)'),
          secure: z.boolean().default(true).describe('use https for an endpoint given without a scheme'),
          skipverify: z.boolean().default(false).describe("accept the endpoint's TLS certificate without verifying it"),
        })
        .prefault({}),
      disableredirect: z
        .boolean()
        .default(false)
        .describe('stream blob bytes through Berth instead of redirecting clients to a presigned S3 URL'),
    })
    .prefault({})
    .refine((storage) => storage.type !== 's3' || Boolean(storage.s3.bucket), {
      message: 'required when storage.type is s3',
      path: ['s3', 'bucket'],
    }),
  tls: z
    .object({
      certificate: z.string().optional().describe('PEM certificate file; with tls.key, Berth serves HTTPS'),
      key: z.string().optional().describe('PEM private key file'),
    })
    .prefault({})
    .refine((tls) => Boolean(tls.certificate) === Boolean(tls.key), {
      message: 'tls.certificate and tls.key must be set together',
      path: ['certificate'],
    }),
  auth: z
    .object({
      tokenService: z
        .string()
        .min(1)
        .default('harbor-registry')
        .describe('the `service` of registry tokens (JWT audience)'),
      tokenIssuer: z.string().min(1).default('harbor-token-issuer').describe('the `iss` of registry tokens'),
      tokenExpirationMinutes: z.number().int().min(1).max(1440).default(30).describe('lifetime of registry tokens'),
      tokenSigningKey: z
        .string()
        .optional()
        .describe(
          'PEM RSA private key (PKCS#8 or PKCS#1) that signs tokens; default: generated once, kept in the database',
        ),
      sessionTimeoutMinutes: z.number().int().min(1).default(60).describe('idle lifetime of a portal session'),
      sessionPurgeSchedule: z
        .string()
        .default('0 30 * * * *')
        .refine(validCron, 'not a cron expression')
        .describe('cron of the SESSION_PURGE job that deletes expired portal sessions; default hourly'),
      selfRegistration: z.boolean().default(false).describe('let anyone create an account with POST /api/v2.0/users'),
      maxLoginFailures: z
        .number()
        .int()
        .min(1)
        .default(10)
        .describe('failed logins of one user name from one client address before that pair gets 429'),
      maxLoginFailuresPerAddress: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe(
          'failed logins from one client address, whatever the user names, before that address gets 429; default 10 × auth.maxLoginFailures',
        ),
      loginFailureWindowSeconds: z
        .number()
        .int()
        .min(1)
        .default(60)
        .describe('how long failed logins are remembered after the last one (or after a refusal ends)'),
      loginBackoffMaxSeconds: z
        .number()
        .int()
        .min(1)
        .default(300)
        .describe('longest refusal: it starts at 1 s at the limit and doubles with each further failure'),
    })
    .prefault({}),
  jobservice: z
    .object({
      workers: z
        .number()
        .int()
        .min(1)
        .max(64)
        .default(4)
        .describe('jobs one process runs at once (roles all and jobservice)'),
      shutdownGraceSeconds: z
        .number()
        .int()
        .min(0)
        .default(20)
        .describe('how long running jobs may finish at shutdown before they are interrupted and requeued'),
      schedulerIntervalSeconds: z
        .number()
        .min(0.1)
        .max(3600)
        .default(10)
        .describe('how often each job service process looks for due schedules (a schedule fires at most this late)'),
    })
    .prefault({}),
  registry: z
    .object({
      maxManifestBytes: z
        .number()
        .int()
        .min(1024)
        .default(4 * 1024 * 1024)
        .describe('largest manifest accepted'),
      cacheBytes: z
        .number()
        .int()
        .min(0)
        .default(64 * 1024 * 1024)
        .describe('memory for immutable manifests and blob descriptors'),
      uploadPurgeAgeHours: z
        .number()
        .positive()
        .default(24)
        .describe('upload sessions idle this long are purged (with their scratch data) by the UPLOAD_PURGE job'),
      uploadPurgeSchedule: z
        .string()
        .default('0 0 * * * *')
        .refine(validCron, 'not a cron expression')
        .describe("cron (Harbor's six fields with seconds, or five) of the UPLOAD_PURGE job; default hourly"),
      // Upload bounds (docs/operations.md, "Upload limits"): high enough that CI pushing big images in parallel never meets them.
      uploads: z
        .object({
          maxSessionsPerUser: z
            .number()
            .int()
            .min(0)
            .default(500)
            .describe('open upload sessions one user or robot may hold; 0 = unlimited'),
          maxSessionsPerRepository: z
            .number()
            .int()
            .min(0)
            .default(1000)
            .describe('open upload sessions one repository may hold; 0 = unlimited'),
          maxScratchBytesPerUser: z
            .number()
            .int()
            .min(0)
            .default(100 * 1024 ** 3)
            .describe('bytes of unfinished uploads one user or robot may hold; 0 = unlimited'),
          maxScratchBytesPerRepository: z
            .number()
            .int()
            .min(0)
            .default(200 * 1024 ** 3)
            .describe('bytes of unfinished uploads one repository may hold; 0 = unlimited'),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

/** An address, a CIDR, or a proxy-addr name (loopback, linklocal, uniquelocal). */
function validProxy(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

function validCron(expression: string): boolean {
  try {
    // Without a function croner only parses: nothing is scheduled.
    new Cron(expression);
    return true;
  } catch {
    return false;
  }
}
