import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';

// /ping and /systeminfo: what Harbor's clients probe first.

export const berthVersion = 'v2.11.0-berth.0.1.0';

/** What these routes use, and nothing else. */
export type SystemRouteDeps = Pick<ApiDeps, 'config' | 'security' | 'settings'>;

export function systemRoutes(app: FastifyInstance, { config, security, settings }: SystemRouteDeps): void {
  app.get('/ping', async (_request, reply) => reply.header('content-type', 'text/plain; charset=utf-8').send('Pong'));

  app.get('/systeminfo', async (request) => {
    const principal = await security.principal(request);
    const current = await settings.get();
    const base = {
      auth_mode: 'db_auth',
      primary_auth_mode: false,
      self_registration: current.self_registration,
      harbor_version: berthVersion,
      banner_message: current.banner_message,
      oidc_provider_name: '',
      current_time: new Date().toISOString(),
    };
    if (principal.kind === 'anonymous') return base;
    return {
      ...base,
      external_url: config.externalURL,
      // Harbor's registry_url: the external URL without its scheme.
      registry_url: config.externalURL.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ''),
      // Berth serves no CA certificate to download (Harbor's GET /systeminfo/getcert).
      has_ca_root: false,
      project_creation_restriction: current.project_creation_restriction,
      read_only: current.read_only,
      // No webhooks in Berth: the same "off" as GET /configurations.
      notification_enable: false,
      registry_storage_provider_name: config.storage.type,
      // Fields of Harbor before 2.9 that clients still read: no Notary, no ChartMuseum (charts are OCI artifacts).
      with_notary: false,
      with_chartmuseum: false,
    };
  });
}
