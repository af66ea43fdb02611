import { JobStoppedError, type Job, type JobContext, type JobParams } from '../jobs/index.js';
import type { ArtifactFacts, ArtifactService } from '../artifacts/index.js';
import type { Registry, TagProtection } from '../registry/index.js';
import { isoNow, type Clock } from '../shared/clock.js';
import { BerthError } from '../shared/errors.js';
import type { RetentionRepo, RunStatus } from './repo.js';
import { evaluate, ruleCovers, type Candidate, type Decision, type RetentionPolicy } from './rules.js';

// RETENTION on the job service: one execution of a project's policy. Each repository a rule
// covers is a task: its artifacts are evaluated, and those no rule retains are deleted through
// the registry's delete (events, audit log, quota usage), with their accessories; the bytes go
// with the next garbage collection. Artifacts with an immutable tag are kept. A dry run deletes
// nothing and logs the same decisions. Index children and accessories are never candidates:
// they go with the artifact that lists or carries them.

export const retentionJobType = 'RETENTION';
/** Who deletes, in events and the audit log. */
export const retentionActor = 'retention';

export interface RetentionJobParams extends JobParams {
  policyId: number;
  /** The execution a manual run recorded when it was queued; a scheduled run makes its own. */
  executionId?: number;
  dryRun: boolean;
  trigger: 'MANUAL' | 'SCHEDULE';
}

export interface RetentionJobDeps {
  repo: RetentionRepo;
  artifacts: Pick<ArtifactService, 'listRepositories' | 'artifactFacts'>;
  manifests: Pick<Registry['manifests'], 'delete'>;
  protection: TagProtection;
  clock: Clock;
}

const isTransient = (err: unknown) => !(err instanceof BerthError) || err.status >= 500;

export function retentionJob(deps: RetentionJobDeps): Job<RetentionJobParams> {
  return {
    name: retentionJobType,
    maxFails: 3,
    shouldRetry: isTransient,
    validate(params) {
      const policyId = Number(params.policyId);
      if (!Number.isSafeInteger(policyId) || policyId <= 0)
        throw new BerthError('BAD_REQUEST', 'policyId must be a retention policy id');
      const executionId = params.executionId === undefined ? undefined : Number(params.executionId);
      return {
        policyId,
        ...(executionId === undefined ? {} : { executionId }),
        dryRun: params.dryRun === true,
        trigger: params.trigger === 'SCHEDULE' ? 'SCHEDULE' : 'MANUAL',
      };
    },
    run: (ctx) => runRetention(deps, ctx),
  };
}

async function executionFor(deps: RetentionJobDeps, ctx: JobContext<RetentionJobParams>): Promise<number> {
  const { repo, clock } = deps;
  const { params } = ctx;
  const existing = params.executionId ?? (await repo.executionOfJob(ctx.id))?.id;
  if (existing !== undefined) {
    await repo.clearTasks(existing); // an attempt after a failure starts the execution over
    await repo.setExecution(existing, { job_id: ctx.id, status: 'Running' });
    return existing;
  }
  const id = await repo.createExecution(params.policyId, params.trigger, params.dryRun, isoNow(clock));
  await repo.setExecution(id, { job_id: ctx.id, status: 'Running' });
  return id;
}

async function runRetention(deps: RetentionJobDeps, ctx: JobContext<RetentionJobParams>): Promise<void> {
  const { repo, clock } = deps;
  const policyRow = await repo.policy(ctx.params.policyId);
  if (!policyRow) {
    ctx.log.warn(`retention policy ${String(ctx.params.policyId)} no longer exists: nothing to do`);
    return;
  }
  const executionId = await executionFor(deps, ctx);
  const finish = (status: RunStatus) => repo.setExecution(executionId, { status, end_time: isoNow(clock) });
  try {
    await runPolicy(deps, ctx, executionId, policyRow.projectId, policyRow.policy);
    await finish('Success');
  } catch (err) {
    await finish(err instanceof JobStoppedError || ctx.signal.aborted ? 'Stopped' : 'Error');
    throw err;
  }
}

async function projectRepositories(deps: RetentionJobDeps, projectId: number): Promise<string[]> {
  const names: string[] = [];
  for (let offset = 0; ; offset += 100) {
    const { items } = await deps.artifacts.listRepositories(
      { projectIds: [projectId] },
      [{ column: 'name', desc: false }],
      { offset, limit: 100 },
    );
    names.push(...items.map((r) => r.name));
    if (items.length < 100) return names;
  }
}

async function runPolicy(
  deps: RetentionJobDeps,
  ctx: JobContext<RetentionJobParams>,
  executionId: number,
  projectId: number,
  policy: RetentionPolicy,
): Promise<void> {
  const covered = (await projectRepositories(deps, projectId)).filter((name) =>
    policy.rules.some((rule) => ruleCovers(rule, innerName(name))),
  );
  ctx.log.info(
    `retention ${ctx.params.dryRun ? 'dry run ' : ''}of ${String(covered.length)} repositories with ${String(policy.rules.length)} rules`,
  );
  let done = 0;
  ctx.progress(done, covered.length);
  for (const repository of covered) {
    ctx.signal.throwIfAborted();
    const taskId = await deps.repo.createTask(executionId, repository, isoNow(deps.clock));
    const lines: string[] = [];
    try {
      const { total, retained } = await runTask(deps, ctx, repository, policy, lines);
      await deps.repo.finishTask(taskId, {
        status: 'Success',
        total,
        retained,
        log: lines.join('\n') + '\n',
        now: isoNow(deps.clock),
      });
      ctx.log.info(`${repository}: ${String(retained)} of ${String(total)} retained`);
    } catch (err) {
      const stopped = ctx.signal.aborted;
      lines.push(stopped ? 'stopped' : `failed: ${(err as Error).message}`);
      await deps.repo.finishTask(taskId, {
        status: stopped ? 'Stopped' : 'Error',
        total: 0,
        retained: 0,
        log: lines.join('\n') + '\n',
        now: isoNow(deps.clock),
      });
      throw stopped ? new JobStoppedError() : err;
    }
    ctx.progress(++done, covered.length);
  }
}

const innerName = (repository: string) => repository.slice(repository.indexOf('/') + 1);

function row(cells: string[]): string {
  const widths = [71, 24, 24, 24, 9];
  return cells
    .map((cell, i) => cell.padEnd(widths[i] ?? 0))
    .join(' | ')
    .trimEnd();
}

async function runTask(
  deps: RetentionJobDeps,
  ctx: JobContext<RetentionJobParams>,
  repository: string,
  policy: RetentionPolicy,
  lines: string[],
): Promise<{ total: number; retained: number }> {
  const facts = await deps.artifacts.artifactFacts(repository);
  const candidates: Candidate[] = facts.filter((f) => !f.indexChild && f.subjectDigest === undefined);
  const decisions = evaluate(policy.rules, innerName(repository), candidates, deps.clock.now());
  const isProtected = await deps.protection.protectedTags(repository);
  for (const decision of decisions) {
    const immutable = decision.candidate.tags.find(isProtected);
    if (!decision.retained && immutable !== undefined) {
      decision.retained = true;
      decision.reason = `tag ${immutable} is immutable`;
    }
  }
  lines.push(row(['Digest', 'Tags', 'PushedTime', 'PulledTime', 'Retention']) + ' | Reason');
  let retained = 0;
  for (const decision of decisions) {
    ctx.signal.throwIfAborted();
    if (!decision.retained && !ctx.params.dryRun) {
      try {
        await remove(deps, repository, decision, facts);
      } catch (err) {
        // An immutability rule added while the run goes on still protects the artifact.
        if (!(err instanceof BerthError && err.code === 'PRECONDITION')) throw err;
        decision.retained = true;
        decision.reason = err.message;
      }
    }
    if (decision.retained) retained++;
    lines.push(describe(decision));
  }
  return { total: candidates.length, retained };
}

function describe({ candidate, retained, reason }: Decision): string {
  return (
    row([
      candidate.digest,
      candidate.tags.join(',') || '<none>',
      candidate.pushTime,
      candidate.pullTime ?? 'never',
      retained ? 'RETAIN' : 'DEL',
    ]) + ` | ${reason}`
  );
}

/** Deletes the artifact (with its index children), then the accessories that carry it as subject. */
async function remove(deps: RetentionJobDeps, repository: string, decision: Decision, facts: ArtifactFacts[]) {
  const by = { actor: retentionActor };
  const gone = (err: unknown) => err instanceof BerthError && err.code === 'MANIFEST_UNKNOWN';
  await deps.manifests.delete(repository, decision.candidate.digest, by).catch((err: unknown) => {
    if (!gone(err)) throw err;
  });
  const pending = facts.filter((f) => f.subjectDigest === decision.candidate.digest).map((f) => f.digest);
  while (pending.length > 0) {
    const digest = pending.shift() as string;
    // An accessory gone meanwhile, or kept by an immutable tag, stays as it is.
    await deps.manifests.delete(repository, digest, by).catch((err: unknown) => {
      if (!gone(err) && !(err instanceof BerthError && err.code === 'PRECONDITION')) throw err;
    });
    pending.push(...facts.filter((f) => f.subjectDigest === digest).map((f) => f.digest));
  }
}
