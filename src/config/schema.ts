import { z } from 'zod';

// The one configuration schema. Keys follow DESIGN.md; every key can be overridden by
// an environment variable: BERTH_ + the key path in upper snake case.

const port = z.number().int().min(0).max(65535);

export const configSchema = z.object({
  http: z
    .object({
      port: port.default(8080).describe('HTTP(S) listen port'),
      host: z.string().default('0.0.0.0').describe('listen address'),
      bodyTimeoutSeconds: z.number().int().min(1).default(600).describe('idle time allowed while a client sends a body'),
    })
    .prefault({}),
  dataDir: z.string().min(1).default('./data').describe('directory for the SQLite database and the local blob store'),
  externalURL: z.url().optional().describe('URL clients use to reach Berth; default http://localhost:<port>'),
  adminPassword: z.string().min(8).optional().describe("initial password of 'admin'; generated and printed once when unset"),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('log level'),
  role: z.enum(['all', 'core', 'jobservice']).default('all').describe('which parts this process runs'),
  database: z
    .object({
      url: z.string().optional().describe('sqlite://<path> or postgres://user:pw@host:5432/db; default sqlite://<dataDir>/berth.db'),
    })
    .prefault({}),
  redis: z
    .object({
      url: z.string().optional().describe('redis://host:6379/0; unset = in-process cache, locks and queue'),
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
          endpoint: z.string().optional(),
          region: z.string().default('us-east-1'),
          bucket: z.string().optional(),
          accesskey: z.string().optional(),
          secretkey: z.string().optional(),
          forcepathstyle: z.boolean().default(true),
          rootdirectory: z.string().default(''),
        })
        .prefault({}),
    })
    .prefault({}),
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
      tokenService: z.string().min(1).default('harbor-registry').describe('the `service` of registry tokens (JWT audience)'),
      tokenIssuer: z.string().min(1).default('harbor-token-issuer').describe('the `iss` of registry tokens'),
      tokenExpirationMinutes: z.number().int().min(1).max(1440).default(30).describe('lifetime of registry tokens'),
      tokenSigningKey: z.string().optional().describe('PEM (PKCS#8 RSA) private key that signs tokens; default: generated once, kept in the database'),
      sessionTimeoutMinutes: z.number().int().min(1).default(60).describe('idle lifetime of a portal session'),
      selfRegistration: z.boolean().default(false).describe('let anyone create an account with POST /api/v2.0/users'),
      maxLoginFailures: z.number().int().min(1).default(10).describe('failed logins per user or address before 429'),
      loginFailureWindowSeconds: z.number().int().min(1).default(60).describe('window for counting failed logins'),
    })
    .prefault({}),
  registry: z
    .object({
      maxManifestBytes: z.number().int().min(1024).default(4 * 1024 * 1024).describe('largest manifest accepted'),
      cacheBytes: z.number().int().min(0).default(64 * 1024 * 1024).describe('memory for immutable manifests and blob descriptors'),
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
