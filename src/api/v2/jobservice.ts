import type { FastifyInstance } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import { schedulerJobType, type JobService, type WorkerInfo } from '../../jobs/index.js';
import type { Security } from './security.js';
import { pageRequest, setPageHeaders } from './paging.js';

// Harbor's job service monitor: /jobservice/pools, workers, queues (stop, pause,
// resume), jobs (stop, log) and /schedules (goharbor/harbor src/server/v2.0/handler/
// jobservice.go, schedule.go). System administrators only (jobservice-monitor).

export interface JobServiceRouteDeps {
  security: Security;
  jobs: JobService;
}

const actions = new Set(['stop', 'pause', 'resume']);

function worker(w: WorkerInfo) {
  return {
    id: w.id,
    pool_id: w.poolId,
    job_name: w.jobName,
    job_id: w.jobId,
    ...(w.startedAt ? { start_at: w.startedAt } : {}),
    check_in: w.checkIn,
    ...(w.checkinAt ? { checkin_at: w.checkinAt } : {}),
  };
}

export function jobServiceRoutes(app: FastifyInstance, { security, jobs }: JobServiceRouteDeps): void {
  const { queue, scheduler } = jobs;
  const canList = (request: Parameters<Security['requireSystem']>[0]) =>
    security.requireSystem(request, 'jobservice-monitor', 'list');
  const canStop = (request: Parameters<Security['requireSystem']>[0]) =>
    security.requireSystem(request, 'jobservice-monitor', 'stop');

  app.get('/jobservice/pools', async (request) => {
    await canList(request);
    return (await queue.pools()).map((p) => ({
      pid: p.pid,
      worker_pool_id: p.id,
      start_at: p.startedAt,
      heartbeat_at: p.heartbeatAt,
      concurrency: p.concurrency,
      host: p.host,
    }));
  });

  app.get('/jobservice/pools/:pool_id/workers', async (request) => {
    await canList(request);
    const { pool_id } = request.params as { pool_id: string };
    return (await queue.workers(pool_id)).map(worker);
  });

  app.get('/jobservice/queues', async (request) => {
    await canList(request);
    const queues = (await queue.queues()).map((q) => ({
      job_type: q.jobType,
      count: q.count,
      latency: q.latencySeconds,
      paused: q.paused,
    }));
    return [...queues, { job_type: schedulerJobType, count: 0, latency: 0, paused: await scheduler.paused() }];
  });

  app.put('/jobservice/queues/:job_type', async (request, reply) => {
    await canStop(request);
    const { job_type } = request.params as { job_type: string };
    const action = (request.body as { action?: unknown } | undefined)?.action;
    if (typeof action !== 'string' || !actions.has(action))
      throw new BerthError('UNPROCESSABLE_ENTITY', 'action must be stop, pause or resume');
    const all = job_type.toLowerCase() === 'all';
    if (job_type === schedulerJobType || all) {
      if (action === 'pause') await scheduler.setPaused(true);
      if (action === 'resume') await scheduler.setPaused(false);
      if (!all) return reply.code(200).send();
    }
    if (action === 'stop') await queue.clear(job_type);
    else if (action === 'pause') await queue.pause(job_type);
    else await queue.resume(job_type);
    return reply.code(200).send();
  });

  app.put('/jobservice/jobs/:job_id', async (request, reply) => {
    await canStop(request);
    const { job_id } = request.params as { job_id: string };
    if (!(await queue.stop(job_id))) throw new BerthError('NOT_FOUND', `no job ${job_id}`);
    return reply.code(200).send();
  });

  app.get('/jobservice/jobs/:job_id/log', async (request, reply) => {
    await canList(request);
    const { job_id } = request.params as { job_id: string };
    const log = await queue.log(job_id);
    if (log === undefined) throw new BerthError('NOT_FOUND', `no job ${job_id}`);
    return reply.header('content-type', 'text/plain; charset=utf-8').send(log);
  });

  app.get('/schedules', async (request, reply) => {
    await canList(request);
    const page = pageRequest(request.query as Record<string, unknown>);
    // The page whose offset is the clamped one: a huge page number never overflows the scheduler's SQL.
    const { total, rows } = await scheduler.list(Math.floor(page.offset / page.pageSize) + 1, page.pageSize);
    setPageHeaders(request, reply, page, total);
    return rows.map((r) => ({
      id: r.id,
      vendor_type: r.vendor_type,
      vendor_id: r.vendor_id,
      cron: r.cron,
      update_time: r.update_time,
    }));
  });

  app.get('/schedules/:job_type/paused', async (request) => {
    await canList(request);
    const { job_type } = request.params as { job_type: string };
    if (job_type.toLowerCase() !== 'all') throw new BerthError('BAD_REQUEST', "job_type must be 'all'");
    return { paused: await scheduler.paused() };
  });
}
