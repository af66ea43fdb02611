import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteKit } from '../../feature.js';
import { parseScheduleRequest } from './schedule.js';
import type { ScanAllService } from './service.js';

// Harbor's scanAll API (swagger tag scanAll; handler/scan_all.go), for system administrators:
// Harbor's system resource "scan-all", and a default scanner required for every call.

const resource = 'scan-all';

export function scanAllRoutes(app: FastifyInstance, kit: RouteKit, service: ScanAllService): void {
  const allow = async (request: FastifyRequest, action: string) => {
    await kit.requireSystem(request, resource, action);
    await service.requireScanner();
  };

  app.get('/system/scanAll/schedule', async (request) => {
    await allow(request, 'read');
    return service.schedule();
  });

  app.post('/system/scanAll/schedule', async (request, reply) => {
    await allow(request, 'create');
    await service.create(parseScheduleRequest(request.body));
    return reply.code(201).send();
  });

  app.put('/system/scanAll/schedule', async (request, reply) => {
    await allow(request, 'update');
    await service.update(parseScheduleRequest(request.body));
    return reply.code(200).send();
  });

  app.post('/system/scanAll/stop', async (request, reply) => {
    await allow(request, 'stop');
    await service.stop();
    return reply.code(202).send();
  });

  app.get('/scans/all/metrics', async (request) => {
    await allow(request, 'read');
    return service.metrics();
  });

  // Deprecated in Harbor's swagger, still served: the latest scheduled run's metrics.
  app.get('/scans/schedule/metrics', async (request) => {
    await allow(request, 'read');
    return service.metrics('SCHEDULE');
  });
}
