import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteKit } from '../../feature.js';
import type { ScanService } from './service.js';

// Harbor's scan operations on an artifact (swagger tag "scan", handler/scan.go) and its
// vulnerabilities addition (handler/artifact.go GetVulnerabilitiesAddition).

type Params = { project_name: string; reference: string; report_id?: string };

const one = '/projects/:project_name/repositories/:repository_name/artifacts/:reference';
const params = (request: FastifyRequest) => request.params as Params;

export function scanRoutes(app: FastifyInstance, kit: RouteKit, scans: ScanService): void {
  app.post(`${one}/scan`, async (request, reply) => {
    const { project } = await kit.requireProject(request, params(request).project_name, 'scan', 'create');
    await scans.scan(project, kit.repositoryParam(request), params(request).reference, request.body);
    return reply.code(202).send();
  });

  app.post(`${one}/scan/stop`, async (request, reply) => {
    const { project } = await kit.requireProject(request, params(request).project_name, 'scan', 'stop');
    await scans.stop(project, kit.repositoryParam(request), params(request).reference, request.body);
    return reply.code(202).send();
  });

  app.get(`${one}/scan/:report_id/log`, async (request, reply) => {
    const { project } = await kit.requireProject(request, params(request).project_name, 'scan', 'read');
    const log = await scans.log(
      project,
      kit.repositoryParam(request),
      params(request).reference,
      params(request).report_id ?? '',
    );
    return reply.header('content-type', 'text/plain; charset=utf-8').send(log);
  });

  app.get(`${one}/additions/vulnerabilities`, async (request, reply) => {
    const { project } = await kit.requireProject(request, params(request).project_name, 'artifact-addition', 'read');
    const report = await scans.vulnerabilities(project, kit.repositoryParam(request), params(request).reference);
    return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(report));
  });
}
