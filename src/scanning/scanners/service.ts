import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { isoNow, type Clock } from '../../shared/clock.js';
import { BerthError } from '../../shared/errors.js';
import { authTypes, capabilityFlags, fetchMetadata, type AdapterEndpoint, type AdapterMetadata } from './adapter.js';
import type { RegistrationQuery, RegistrationRepo, RegistrationRow } from './repo.js';

// Scanner registrations as Harbor's scanner controller keeps them (controller/scanner): the
// built-in scanner, registered on first start, default until an admin picks another, and
// immutable; adapters added by URL, pinged before they are saved; one system default; a
// project's own pick, else the default. Adapters' metadata is cached for 30 s, as Harbor does.

/** The built-in scanner's registration: its name is reserved, its URL names no network address. */
export const builtinScanner = { name: 'Berth', url: 'builtin://berth' } as const;

/** Harbor's ScannerRegistration, as the API shows it (the access credential never leaves Berth). */
export interface HarborScannerRegistration {
  uuid: string;
  name: string;
  description: string;
  url: string;
  disabled: boolean;
  is_default: boolean;
  auth: string;
  access_credential: string;
  skip_certVerify: boolean;
  use_internal_addr: boolean;
  create_time: string;
  update_time: string;
  adapter?: string;
  vendor?: string;
  version?: string;
  health: string;
  capabilities?: Record<string, boolean>;
}

export interface ScannerServiceDeps {
  repo: RegistrationRepo;
  clock: Clock;
  /** The built-in scanner's metadata (its database's age among its properties). */
  builtinMetadata(): Promise<AdapterMetadata>;
  /** How an adapter's metadata is fetched; tests keep the real one. */
  fetchAdapterMetadata?: (endpoint: AdapterEndpoint) => Promise<AdapterMetadata>;
}

interface RegistrationInput {
  name: string;
  description: string;
  url: string;
  auth: string;
  accessCredential: string;
  skipCertVerify: boolean;
  useInternalAddr: boolean;
  disabled: boolean;
}

const text = (body: Record<string, unknown>, key: string, max: number): string | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BerthError('BAD_REQUEST', `${key} must be a string`);
  if (value.length > max) throw new BerthError('BAD_REQUEST', `${key} is longer than ${String(max)} characters`);
  return value;
};

const flag = (body: Record<string, unknown>, key: string): boolean | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new BerthError('BAD_REQUEST', `${key} must be true or false`);
  return value;
};

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BerthError('BAD_REQUEST', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** An adapter's base URL: http or https, no credentials in it, no query; trailing slashes dropped (Harbor's lib.ValidateHTTPURL). */
function adapterUrl(raw: string | undefined): string {
  if (!raw) throw new BerthError('BAD_REQUEST', 'url is required: the base URL of the scanner adapter');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BerthError('BAD_REQUEST', `url ${raw.slice(0, 100)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new BerthError('BAD_REQUEST', `url ${raw.slice(0, 100)} must be http or https`);
  if (url.username || url.password || url.search || url.hash)
    throw new BerthError(
      'BAD_REQUEST',
      'url must not carry credentials, a query or a fragment: use auth and access_credential',
    );
  return raw.replace(/\/+$/, '');
}

/** A registration request (ScannerRegistrationReq) checked as Harbor's Registration.Validate does. */
function parseInput(body: unknown, previous?: RegistrationRow): RegistrationInput {
  const b = objectBody(body);
  const name = text(b, 'name', 128)?.trim();
  if (!name) throw new BerthError('BAD_REQUEST', 'missing registration name');
  const auth = text(b, 'auth', 32) ?? '';
  if (auth && !(authTypes as readonly string[]).includes(auth))
    throw new BerthError('BAD_REQUEST', `auth type ${auth} is not supported: use ${authTypes.join(', ')} or none`);
  let accessCredential = text(b, 'access_credential', 512) ?? '';
  // An update may leave the credential out: the stored one stays while auth still needs one.
  if (!accessCredential && auth && previous?.auth) accessCredential = previous.access_credential;
  if (auth && !accessCredential)
    throw new BerthError('BAD_REQUEST', `access_credential is required for auth type ${auth}`);
  return {
    name,
    description: text(b, 'description', 1024) ?? '',
    url: adapterUrl(text(b, 'url', 512)),
    auth,
    accessCredential: auth ? accessCredential : '',
    skipCertVerify: flag(b, 'skip_certVerify') ?? false,
    useInternalAddr: flag(b, 'use_internal_addr') ?? false,
    disabled: flag(b, 'disabled') ?? false,
  };
}

/** The registration's columns that a create or update writes from its input. */
function columnsOf(input: RegistrationInput) {
  return {
    name: input.name,
    description: input.description,
    url: input.url,
    auth: input.auth,
    access_credential: input.accessCredential,
    skip_cert_verify: Number(input.skipCertVerify),
    use_internal_addr: Number(input.useInternalAddr),
    disabled: Number(input.disabled),
  };
}

const endpointOf = (
  row: Pick<RegistrationRow, 'url' | 'auth' | 'access_credential' | 'skip_cert_verify'>,
): AdapterEndpoint => ({
  url: row.url,
  auth: row.auth,
  accessCredential: row.access_credential,
  skipCertVerify: row.skip_cert_verify === 1,
});

export function createScannerService({
  repo,
  clock,
  builtinMetadata,
  fetchAdapterMetadata = fetchMetadata,
}: ScannerServiceDeps) {
  const metadataCache = new LRUCache<string, { meta?: AdapterMetadata; error?: string }>({ max: 1000, ttl: 30_000 });

  const isBuiltin = (row: RegistrationRow) => row.url === builtinScanner.url;

  /** The adapter's metadata (cached 30 s per registration, failures too, as in Harbor). */
  async function metadataOf(row: RegistrationRow): Promise<AdapterMetadata> {
    if (isBuiltin(row)) return builtinMetadata();
    const key = `${row.uuid}@${row.update_time}`;
    let entry = metadataCache.get(key);
    if (!entry) {
      entry = await fetchAdapterMetadata(endpointOf(row)).then(
        (meta) => ({ meta }),
        (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
      );
      metadataCache.set(key, entry);
    }
    if (!entry.meta) throw new BerthError('BAD_REQUEST', entry.error ?? 'the scanner adapter is unhealthy');
    return entry.meta;
  }

  /** The API's view: the adapter's name, vendor, version and capabilities when it answers, `unhealthy` when not. */
  async function view(row: RegistrationRow): Promise<HarborScannerRegistration> {
    const base: HarborScannerRegistration = {
      uuid: row.uuid,
      name: row.name,
      description: row.description,
      url: row.url,
      disabled: row.disabled === 1,
      is_default: row.is_default === 1,
      auth: row.auth,
      access_credential: '',
      skip_certVerify: row.skip_cert_verify === 1,
      use_internal_addr: row.use_internal_addr === 1,
      create_time: row.create_time,
      update_time: row.update_time,
      health: 'unhealthy',
    };
    try {
      const meta = await metadataOf(row);
      return {
        ...base,
        adapter: meta.scanner.name,
        vendor: meta.scanner.vendor,
        version: meta.scanner.version,
        health: 'healthy',
        capabilities: capabilityFlags(meta),
      };
    } catch {
      return base;
    }
  }

  async function existing(uuid: string): Promise<RegistrationRow> {
    const row = await repo.byUuid(uuid);
    if (!row) throw new BerthError('NOT_FOUND', `scanner ${uuid.slice(0, 64)} not found`);
    return row;
  }

  async function refuseTaken(input: RegistrationInput, uuid?: string): Promise<void> {
    if (input.name === builtinScanner.name)
      throw new BerthError('BAD_REQUEST', `name "${input.name}" is reserved, please try a different name`);
    const named = await repo.byName(input.name);
    if (named && named.uuid !== uuid)
      throw new BerthError('CONFLICT', `a scanner registration named ${input.name} already exists`);
    const at = await repo.byUrl(input.url);
    if (at && at.uuid !== uuid)
      throw new BerthError('CONFLICT', `scanner ${at.name} is already registered at ${input.url}`);
  }

  function refuseImmutable(row: RegistrationRow, action: 'update' | 'delete'): void {
    if (row.immutable === 1)
      throw new BerthError(
        'FORBIDDEN',
        `registration ${row.name} is not allowed to ${action} as it is immutable: scanner API: ${action}`,
      );
  }

  return {
    /** Registers the built-in scanner once (every replica calls it on start; the first insert wins). */
    async ensureBuiltin(): Promise<void> {
      const rows = await repo.all();
      if (rows.some(isBuiltin)) return;
      const now = isoNow(clock);
      try {
        await repo.insert({
          uuid: randomUUID(),
          name: builtinScanner.name,
          description:
            'The scanner built into Berth: OS and language packages matched against the imported OSV database',
          url: builtinScanner.url,
          auth: '',
          access_credential: '',
          skip_cert_verify: 0,
          use_internal_addr: 0,
          disabled: 0,
          is_default: rows.some((r) => r.is_default === 1) ? 0 : 1,
          immutable: 1,
          create_time: now,
          update_time: now,
        });
      } catch (err) {
        // Another replica registered it at the same moment.
        if (!(await repo.all()).some(isBuiltin)) throw err;
      }
    },

    async list(query: RegistrationQuery): Promise<{ items: HarborScannerRegistration[]; total: number }> {
      const { rows, total } = await repo.list(query);
      return { items: await Promise.all(rows.map(view)), total };
    },

    async get(uuid: string): Promise<HarborScannerRegistration> {
      return view(await existing(uuid));
    },

    async create(body: unknown): Promise<string> {
      const input = parseInput(body);
      await refuseTaken(input);
      // Harbor pings an adapter before it saves it: an unreachable or unusable one is refused.
      await fetchAdapterMetadata({
        url: input.url,
        auth: input.auth,
        accessCredential: input.accessCredential,
        skipCertVerify: input.skipCertVerify,
      });
      const uuid = randomUUID();
      const now = isoNow(clock);
      await repo.insert({
        uuid,
        ...columnsOf(input),
        is_default: (await repo.defaultOne()) ? 0 : 1,
        immutable: 0,
        create_time: now,
        update_time: now,
      });
      return uuid;
    },

    async update(uuid: string, body: unknown): Promise<void> {
      const row = await existing(uuid);
      refuseImmutable(row, 'update');
      const input = parseInput(body, row);
      await refuseTaken(input, uuid);
      if (row.is_default === 1 && input.disabled)
        throw new BerthError('BAD_REQUEST', `default registration ${row.name} can not be marked to deactivated`);
      await repo.update(uuid, {
        ...columnsOf(input),
        update_time: isoNow(clock),
      });
    },

    /** Deletes a registration; when it was the default, the built-in scanner becomes the default again. */
    async delete(uuid: string): Promise<HarborScannerRegistration> {
      const row = await existing(uuid);
      refuseImmutable(row, 'delete');
      const shown = await view(row);
      await repo.delete(uuid);
      if (row.is_default === 1) {
        const builtin = (await repo.all()).find(isBuiltin);
        if (builtin) await repo.setDefault(builtin.uuid, isoNow(clock));
      }
      return shown;
    },

    async setDefault(uuid: string, body: unknown): Promise<void> {
      const value = flag(objectBody(body), 'is_default');
      const row = await existing(uuid);
      if (value !== true) return;
      if (row.disabled === 1)
        throw new BerthError('BAD_REQUEST', `registration ${row.name} is deactivated and can not be the default`);
      await repo.setDefault(uuid, isoNow(clock));
    },

    async metadata(uuid: string): Promise<AdapterMetadata> {
      return metadataOf(await existing(uuid));
    },

    /** POST /scanners/ping: the settings are checked and the adapter asked for its metadata. */
    async ping(body: unknown): Promise<void> {
      const b = objectBody(body);
      const input = parseInput({ ...b, description: undefined, skip_certVerify: undefined, disabled: undefined });
      await fetchAdapterMetadata({
        url: input.url,
        auth: input.auth,
        accessCredential: input.accessCredential,
        skipCertVerify: false,
      });
    },

    /** The project's scanner: its own pick, else the system default; undefined when neither. */
    async ofProject(projectId: number): Promise<RegistrationRow | undefined> {
      return (await repo.ofProject(projectId)) ?? (await repo.defaultOne());
    },

    async projectView(projectId: number): Promise<HarborScannerRegistration> {
      const row = (await repo.ofProject(projectId)) ?? (await repo.defaultOne());
      if (!row) throw new BerthError('NOT_FOUND', 'no scanner is configured');
      return view(row);
    },

    async setProject(projectId: number, body: unknown): Promise<void> {
      const uuid = text(objectBody(body), 'uuid', 64);
      if (!uuid) throw new BerthError('BAD_REQUEST', 'uuid is required: the scanner registration to use');
      const row = await existing(uuid);
      if (row.disabled === 1) throw new BerthError('BAD_REQUEST', `scanner ${row.name} is deactivated`);
      await repo.setProject(projectId, row.id);
    },

    metadataOf,
  };
}

export type ScannerService = ReturnType<typeof createScannerService>;
