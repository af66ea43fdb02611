import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/index.js';
import { BerthError } from '../../shared/errors.js';
import { robotPrefix } from '../../auth/index.js';
import { isSettingsKey, parseSetting, type SystemSettings } from '../../iam/index.js';
import type { ApiDeps } from './deps.js';

// GET / PUT /configurations (Harbor's ConfigurationsResponse / Configurations), for
// system administrators. Each item says whether Berth can change it at runtime; the
// others come from berth.yml and are shown as they are.

type Item = { value: string | number | boolean; editable: boolean };

const fixed = (value: string | number | boolean): Item => ({ value, editable: false });

/** Settings from berth.yml (or Berth's fixed behaviour), with the key to change them, if any. */
function fixedItems(config: Config): Record<string, { item: Item; configKey?: string }> {
  return {
    auth_mode: { item: fixed('db_auth') },
    primary_auth_mode: { item: fixed(false) },
    token_expiration: { item: fixed(config.auth.tokenExpirationMinutes), configKey: 'auth.tokenExpirationMinutes' },
    session_timeout: { item: fixed(config.auth.sessionTimeoutMinutes), configKey: 'auth.sessionTimeoutMinutes' },
    robot_name_prefix: { item: fixed(robotPrefix) },
    // No webhooks, scanners or audit forwarding in Berth yet: Harbor's "off" values.
    notification_enable: { item: fixed(false) },
    audit_log_forward_endpoint: { item: fixed('') },
    skip_audit_log_database: { item: fixed(false) },
    scanner_skip_update_pulltime: { item: fixed(false) },
    disabled_audit_log_event_types: { item: fixed('') },
  };
}

function editable(settings: SystemSettings): Record<string, Item> {
  return Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, { value, editable: true }]));
}

/** What PUT refuses for a key Berth does not change at runtime. */
function notEditable(key: string, config: Config): BerthError {
  const known = fixedItems(config)[key];
  if (!known && !harborOnlyKeys.test(key) && key !== 'scan_all_policy')
    return new BerthError('BAD_REQUEST', `invalid config key ${key.slice(0, 100)}`);
  const where = known?.configKey ? `; set ${known.configKey} in berth.yml` : '';
  return new BerthError('BAD_REQUEST', `config item ${key} cannot be changed at runtime in Berth${where}`);
}

// Harbor's LDAP, OIDC, UAA and auth-proxy keys: known to Harbor, but Berth has only database users.
const harborOnlyKeys = /^(ldap|oidc|uaa|http_authproxy)_/;

/** What these routes use, and nothing else. */
export type ConfigurationRouteDeps = Pick<ApiDeps, 'config' | 'security' | 'settings'>;

export function configurationRoutes(
  app: FastifyInstance,
  { config, security, settings }: ConfigurationRouteDeps,
): void {
  app.get('/configurations', async (request) => {
    await security.requireSystem(request, 'configuration', 'read');
    const items = Object.fromEntries(Object.entries(fixedItems(config)).map(([key, { item }]) => [key, item]));
    return { ...items, ...editable(await settings.get()), scan_all_policy: { type: 'none' } };
  });

  app.put('/configurations', async (request, reply) => {
    await security.requireSystem(request, 'configuration', 'update');
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BerthError('BAD_REQUEST', 'the body must be a JSON object of configuration keys and values');
    const changes: Partial<Record<keyof SystemSettings, unknown>> = {};
    for (const [key, value] of Object.entries(body)) {
      if (!isSettingsKey(key)) throw notEditable(key, config);
      changes[key] = parseSetting(key, value);
    }
    await settings.update(changes as Partial<SystemSettings>);
    return reply.code(200).send();
  });
}
