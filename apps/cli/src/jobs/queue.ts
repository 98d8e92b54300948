/**
 * Distributed jobs on BullMQ (Redis). A run is one job (its spec under a run key) and one BullMQ job per shard,
 * with the shard's rows in the job data and its result as the job's return value. Shard job ids are
 * `<run>-<shard>` and the run id is a hash of the spec and the rows, so resubmitting the same command adds
 * nothing twice and picks up where the run stands; BullMQ stores a return value once (only the worker holding the
 * shard's lock can complete it), so a shard handed on after a stall is not counted twice.
 */
import { createHash } from 'node:crypto';
import type { ConnectionOptions, Job, Queue } from 'bullmq';
import { CliFailure, UsageError } from '../errors.js';
import type { JobRow } from './rows.js';
import type { ShardReport } from './output.js';
import { type JobSpec, type ShardResult, shardRanges } from './shards.js';

/** A `--queue redis://[user:password@]host:port/name` address. */
export interface QueueAddress {
  readonly host: string;
  readonly port: number;
  /** The BullMQ queue name (the URL's path). */
  readonly name: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** The URL without its password, for messages and manifests. */
  readonly display: string;
}

/**
 * Parses `--queue`: `redis://host:port/name` (port 6379 when absent, name `crys` when absent; `rediss://` for
 * TLS; `redis://:password@host:port/name` with a password).
 *
 * @example
 * parseQueueUrl('redis://10.0.0.5:6379/screen'); // { host: '10.0.0.5', port: 6379, name: 'screen', … }
 */
export function parseQueueUrl(text: string, option = '--queue'): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `${option} '${text}' is not a URL`,
      'write redis://host:port/name, e.g. redis://127.0.0.1:6379/crys',
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`${option} '${text}' is not a redis:// URL`, 'write redis://host:port/name');
  }
  const name = decodeURIComponent(url.pathname.replace(/^\/+/, '')) || 'crys';
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new UsageError(
      `${option} '${text}': the queue name '${name}' may use letters, digits, '_', '.' and '-' only`,
      'e.g. redis://127.0.0.1:6379/screen-1',
    );
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UsageError(`${option} '${text}' names no host`, 'write redis://host:port/name');
  return {
    host,
    port,
    name,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    tls: url.protocol === 'rediss:',
    display: `${url.protocol}//${url.host}/${name}`,
  };
}

/**
 * ioredis options for BullMQ: commands wait while Redis is away (a restart) instead of failing, and reconnection
 * goes on with a capped delay.
 */
export function connectionOf(a: QueueAddress): ConnectionOptions {
  return {
    host: a.host,
    port: a.port,
    ...(a.username ? { username: a.username } : {}),
    ...(a.password ? { password: a.password } : {}),
    ...(a.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  };
}

/** The data of one shard job. */
export interface ShardJobData {
  readonly run: string;
  readonly shard: number;
  readonly rows: readonly JobRow[];
}

/** What the run key holds. */
export interface RunRecord {
  readonly run: string;
  readonly spec: JobSpec;
  /** Where the submitter writes the merged output (`crys jobs collect` defaults to it). */
  readonly out: string;
  /** Model source as the submitter named it, for the manifest. */
  readonly modelSource?: string;
  readonly created: string;
  readonly cancelled?: boolean;
}

/** The Redis hash of a queue's runs (run id → {@link RunRecord} JSON), beside BullMQ's own keys. */
function runsKey(queue: Queue): string {
  return `${queue.qualifiedName}:crys:runs`;
}

/** The Redis hash of a run's refusals (worker → message). */
function refusalsKey(queue: Queue, run: string): string {
  return `${queue.qualifiedName}:crys:refusals:${run}`;
}

/** Opens a BullMQ queue and checks within `timeoutMs` that Redis answers; a clear failure when it does not. */
export async function openQueue(a: QueueAddress, timeoutMs = 10_000): Promise<Queue> {
  const { Queue } = await import('bullmq');
  const queue = new Queue(a.name, { connection: connectionOf(a) });
  queue.on('error', () => {}); // reconnection is ioredis's job; commands wait meanwhile
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliFailure(
            `cannot reach Redis at ${a.host}:${a.port} (--queue ${a.display}) within ${timeoutMs / 1000} s`,
            'start redis-server there (or fix the host and port); every worker and the submitter must reach it',
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const client = await Promise.race([queue.client, timeout]);
    await Promise.race([client.runCommand('ping', []), timeout]);
  } catch (e) {
    await queue.close().catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return queue;
}

/** The BullMQ job id of a shard. */
export function shardJobId(run: string, shard: number): string {
  return `${run}-${shard}`;
}

/** The run id of a job: a hash of its spec and rows (the same command gives the same run). */
export function runIdOf(spec: JobSpec, rows: readonly JobRow[]): string {
  const h = createHash('sha256').update(JSON.stringify(spec));
  for (const r of rows) h.update(JSON.stringify(r));
  return h.digest('hex').slice(0, 16);
}

/** Reads a run's record, or undefined. */
export async function readRun(queue: Queue, run: string): Promise<RunRecord | undefined> {
  const client = await queue.client;
  const text = await client.hget(runsKey(queue), run);
  return text ? (JSON.parse(text) as RunRecord) : undefined;
}

async function writeRun(queue: Queue, record: RunRecord): Promise<void> {
  const client = await queue.client;
  await client.hset(runsKey(queue), { [record.run]: JSON.stringify(record) });
}

/** The runs on a queue, oldest first. */
export async function listRuns(queue: Queue): Promise<RunRecord[]> {
  const client = await queue.client;
  const all = await client.hgetall(runsKey(queue));
  return Object.values(all)
    .map((t) => JSON.parse(t) as RunRecord)
    .sort((a, b) => a.created.localeCompare(b.created));
}

/** Records that a worker refused a run (model mismatch), for the submitter and `crys jobs status`. */
export async function recordRefusal(queue: Queue, run: string, worker: string, message: string): Promise<void> {
  const client = await queue.client;
  await client.hset(refusalsKey(queue, run), { [worker]: message });
}

/** Refusals of a run by worker. */
export async function refusals(queue: Queue, run: string): Promise<Record<string, string>> {
  const client = await queue.client;
  return client.hgetall(refusalsKey(queue, run));
}

/**
 * Submits a run: its record, then one BullMQ job per shard (skipping shards already there), each with
 * `retries + 1` attempts and exponential back-off. Submitted again, a run keeps its finished shards and gives the
 * shards that failed every attempt a new round.
 */
export async function submitRun(
  queue: Queue,
  record: Omit<RunRecord, 'created'>,
  rows: readonly JobRow[],
  retries: number,
): Promise<void> {
  const before = await readRun(queue, record.run);
  if (before?.cancelled) await removeRun(queue, before); // a cancelled run submitted again starts afresh
  await writeRun(queue, {
    ...record,
    created: before && !before.cancelled ? before.created : new Date().toISOString(),
  });
  const ranges = shardRanges(record.spec.rows, record.spec.shardSize);
  const jobs = ranges.map(([s, e], shard) => ({
    name: record.spec.kind,
    data: { run: record.run, shard, rows: rows.slice(s, e) } satisfies ShardJobData,
    opts: {
      jobId: shardJobId(record.run, shard),
      attempts: retries + 1,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: false,
      removeOnFail: false,
    },
  }));
  for (let k = 0; k < jobs.length; k += 200) await queue.addBulk(jobs.slice(k, k + 200));
  if (before && !before.cancelled) {
    // submitted again: shards that failed every attempt get another round (finished ones are kept)
    const { Job } = await import('bullmq');
    for (let k = 0; k < jobs.length; k++) {
      const job = await Job.fromId(queue, shardJobId(record.run, k));
      if (job && (await job.isFailed())) await job.retry('failed', { resetAttemptsMade: true });
    }
  }
}

/** How far a run is. */
export interface RunProgress {
  readonly shards: number;
  readonly completed: number;
  readonly failed: number;
  readonly active: number;
  readonly waiting: number;
  /** Rows in finished shards. */
  readonly rowsDone: number;
  /** Shards no longer on the queue (a cancel elsewhere). */
  readonly missing: number;
}

/** The state of every shard of a run (one round trip per 500 shards). */
export async function runProgress(queue: Queue, record: RunRecord, known?: Map<number, string>): Promise<RunProgress> {
  const { spec } = record;
  const ranges = shardRanges(spec.rows, spec.shardSize);
  const states = known ?? new Map<number, string>();
  const pending = ranges.map((_, k) => k).filter((k) => states.get(k) !== 'completed' && states.get(k) !== 'failed');
  for (let s = 0; s < pending.length; s += 500) {
    const part = pending.slice(s, s + 500);
    const got = await Promise.all(part.map((k) => queue.getJobState(shardJobId(record.run, k))));
    for (let j = 0; j < part.length; j++) states.set(part[j], got[j]);
  }
  let completed = 0,
    failed = 0,
    active = 0,
    waiting = 0,
    missing = 0,
    rowsDone = 0;
  ranges.forEach(([a, b], k) => {
    const st = states.get(k);
    if (st === 'completed') completed++;
    else if (st === 'failed') failed++;
    else if (st === 'active') active++;
    else if (st === 'unknown') missing++;
    else waiting++;
    if (st === 'completed' || st === 'failed') rowsDone += b - a;
  });
  return { shards: ranges.length, completed, failed, active, waiting, rowsDone, missing };
}

/** A shard that failed for good, for {@link mergeShards}. */
export interface FailedShard {
  readonly shard: number;
  readonly failed: string;
  readonly attempts: number;
  readonly ids: readonly string[];
}

/** The results and reports of a finished run and when its last shard finished (ms); throws when a shard is not finished (or gone). */
export async function collectRun(
  queue: Queue,
  record: RunRecord,
): Promise<{ results: (ShardResult | FailedShard)[]; reports: ShardReport[]; finishedOn: number }> {
  const { Job } = await import('bullmq');
  const ranges = shardRanges(record.spec.rows, record.spec.shardSize);
  const results: (ShardResult | FailedShard)[] = [];
  const reports: ShardReport[] = [];
  let finishedOn = 0;
  for (let k = 0; k < ranges.length; k++) {
    const job: Job<ShardJobData, ShardResult> | undefined = await Job.fromId(queue, shardJobId(record.run, k));
    if (!job) {
      throw new CliFailure(
        `shard ${k + 1} of run ${record.run} is not on the queue (cancelled or removed)`,
        'submit the command again: finished shards are kept and only the missing ones run',
      );
    }
    const rows = ranges[k][1] - ranges[k][0];
    const base = { shard: k, rows, attempts: Math.max(1, job.attemptsMade), stalled: job.stalledCounter ?? 0 };
    finishedOn = Math.max(finishedOn, job.finishedOn ?? 0);
    if (job.finishedOn && job.returnvalue && !job.failedReason) {
      const r = job.returnvalue;
      results.push(r);
      reports.push({ ...base, worker: r.worker, seconds: r.seconds });
    } else if (job.finishedOn && job.failedReason) {
      results.push({
        shard: k,
        failed: job.failedReason,
        attempts: base.attempts,
        ids: job.data.rows.map((r) => r.id),
      });
      reports.push({ ...base, worker: null, seconds: null, failed: job.failedReason });
    } else {
      throw new CliFailure(
        `shard ${k + 1} of ${ranges.length} of run ${record.run} is not finished yet (${await job.getState()})`,
        'wait for the workers (`crys jobs status`), then collect',
      );
    }
  }
  return { results, reports, finishedOn };
}

/** Removes a run's shard jobs (an active one finishes on its worker and is ignored) and marks it cancelled. */
export async function cancelRun(queue: Queue, record: RunRecord): Promise<{ removed: number; active: number }> {
  await writeRun(queue, { ...record, cancelled: true });
  return removeJobs(queue, record);
}

async function removeJobs(queue: Queue, record: RunRecord): Promise<{ removed: number; active: number }> {
  const { Job } = await import('bullmq');
  let removed = 0,
    active = 0;
  const n = shardRanges(record.spec.rows, record.spec.shardSize).length;
  for (let k = 0; k < n; k++) {
    const job = await Job.fromId(queue, shardJobId(record.run, k));
    if (!job) continue;
    try {
      await job.remove();
      removed++;
    } catch {
      active++; // locked by a worker: it finishes, and the run's cancelled mark makes the worker skip the result
    }
  }
  return { removed, active };
}

/** Deletes a run entirely (its jobs, record and refusals). */
export async function removeRun(queue: Queue, record: RunRecord): Promise<void> {
  await removeJobs(queue, record);
  const client = await queue.client;
  await client.hdel(runsKey(queue), record.run);
  await client.del(refusalsKey(queue, record.run));
}

/** The run a `--run` prefix names, or the newest run when none is given. */
export async function findRun(queue: Queue, a: QueueAddress, run: string | undefined): Promise<RunRecord> {
  const runs = await listRuns(queue);
  const hits = run === undefined ? runs.slice(-1) : runs.filter((r) => r.run.startsWith(run));
  if (hits.length === 0) {
    throw new CliFailure(
      run === undefined ? `no run on ${a.display}` : `no run ${run} on ${a.display}`,
      runs.length
        ? `runs: ${runs.map((r) => r.run).join(', ')}`
        : 'submit one with --queue on crys predict, relax, eval or match',
    );
  }
  if (hits.length > 1) {
    throw new UsageError(
      `--run ${run} matches ${hits.length} runs`,
      `give more of the id: ${hits.map((r) => r.run).join(', ')}`,
    );
  }
  return hits[0];
}
