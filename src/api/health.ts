import type { FastifyInstance } from 'fastify';

// GET /api/v2.0/health in Harbor's format: the overall status is "healthy" only when
// every component is. Each check gets a few seconds; a hung dependency is unhealthy.

export type HealthCheck = () => Promise<void>;

export interface ComponentHealth {
  name: string;
  status: 'healthy' | 'unhealthy';
  error?: string;
}

const timeoutMs = 3000;

async function check(name: string, probe: HealthCheck): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)),
      ),
    ]);
    return { name, status: 'healthy' };
  } catch (err) {
    return { name, status: 'unhealthy', error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export async function overallHealth(checks: Record<string, HealthCheck>) {
  const components = await Promise.all(Object.entries(checks).map(([name, probe]) => check(name, probe)));
  return { status: components.every((c) => c.status === 'healthy') ? 'healthy' : 'unhealthy', components };
}

/** Registers GET /health (under the app's prefix; no authentication, as in Harbor). */
export function healthRoute(app: FastifyInstance, checks: Record<string, HealthCheck>): void {
  app.get('/health', async () => overallHealth(checks));
}
