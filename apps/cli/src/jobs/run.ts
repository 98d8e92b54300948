/**
 * Running a job from a command: embedded (every shard in this process, one after another) or on a queue (submit
 * the shards, follow the workers, collect). Both merge the shard results the same way, so they write the same
 * output for the same input, model and seed.
 */
import type { ActionModel } from '@crys/model';
import type { CliContext } from '../main.js';
import { createProgress } from '../progress.js';
import { fixed } from '../table.js';
import { paint } from '../term.js';
import { resolveParallel } from './options.js';
import { manifestPath, mergeShards, type RunInfo, type ShardReport, writeOutput } from './output.js';
import { collectRun, findRun, openQueue, parseQueueUrl, refusals, runIdOf, runProgress, submitRun } from './queue.js';
import type { JobRow } from './rows.js';
import { type JobSpec, type ResultRow, runShard, type ShardResult, shardRanges } from './shards.js';

/** The job options every batch command takes (see {@link addJobOptions} in ./options.ts). */
export interface JobFlags {
  readonly queue?: string;
  readonly shardSize?: number;
  readonly retries: number;
  readonly detach?: boolean;
  /** `--parallel`: shards of an embedded run at once, each on a thread of its own (see {@link resolveParallel}). */
  readonly parallel?: number | 'auto';
}

/** Default rows per shard: small enough that a lost shard costs little, large enough that queue overhead does not show. */
export const DEFAULT_SHARD_SIZE = 64;

/** The spec of a job over `rows`. */
export function jobSpec(
  base: Omit<JobSpec, 'rows' | 'shards' | 'shardSize'>,
  rows: readonly JobRow[],
  flags: JobFlags,
): JobSpec {
  const shardSize = flags.shardSize ?? DEFAULT_SHARD_SIZE;
  return { ...base, rows: rows.length, shardSize, shards: Math.ceil(rows.length / shardSize) };
}

/** A finished job: its rows in input order and how it ran. */
export interface JobOutcome {
  readonly rows: ResultRow[];
  readonly info: RunInfo;
}

/**
 * Runs every shard on this machine with a progress bar: one after another in this thread, or with `parallel` > 1
 * on that many shard threads at once (each loads the job's model; see ./shard-pool.ts). The rows are the same either
 * way; the manifest names the thread that ran each shard.
 */
async function runEmbedded(
  ctx: CliContext,
  spec: JobSpec,
  rows: readonly JobRow[],
  model: ActionModel | undefined,
  label: string,
  parallel: number,
): Promise<JobOutcome> {
  const t0 = performance.now();
  const ranges = shardRanges(rows.length, spec.shardSize);
  const threads = Math.max(1, Math.min(parallel, ranges.length));
  const progress = createProgress(ctx.term, { label, total: rows.length, unit: 'rows' });
  const results: ShardResult[] = [];
  const reports: ShardReport[] = [];
  let done = 0;
  const finish = (k: number, out: ResultRow[], worker: string, seconds: number) => {
    const n = ranges[k][1] - ranges[k][0];
    results.push({ shard: k, rows: out, worker, seconds });
    reports.push({ shard: k, rows: n, worker, attempts: 1, stalled: 0, seconds });
    done += n;
    progress.update(done, `shard ${results.length}/${spec.shards}${threads > 1 ? ` on ${threads} threads` : ''}`);
  };
  if (threads === 1) {
    for (const [k, [s, e]] of ranges.entries()) {
      const t = performance.now();
      const out = await runShard(spec, rows.slice(s, e), model);
      finish(k, out, 'embedded', (performance.now() - t) / 1000);
    }
  } else {
    const { ShardThread } = await import('./shard-pool.js');
    const pool = Array.from({ length: threads }, () => new ShardThread());
    let next = 0;
    try {
      await Promise.all(
        pool.map(async (thread, n) => {
          while (next < ranges.length) {
            const k = next++;
            const t = performance.now();
            const out = await thread.run(spec, rows.slice(ranges[k][0], ranges[k][1]));
            finish(k, out, `embedded thread ${n + 1}`, (performance.now() - t) / 1000);
          }
        }),
      );
    } finally {
      await Promise.all(pool.map((thread) => thread.close()));
    }
    reports.sort((a, b) => a.shard - b.shard);
  }
  progress.finish();
  const seconds = (performance.now() - t0) / 1000;
  return {
    rows: mergeShards(spec, results),
    info: { mode: 'embedded', run: runIdOf(spec, rows), seconds, shards: reports },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Submits a job to `--queue`, follows it (progress across workers, refusals, retries) and collects it; with
 * `--detach`, prints the run id and returns undefined.
 */
async function runOnQueue(
  ctx: CliContext,
  spec: JobSpec,
  rows: readonly JobRow[],
  flags: JobFlags,
  out: string,
  modelSource: string | undefined,
  label: string,
): Promise<JobOutcome | undefined> {
  const { term } = ctx;
  const address = parseQueueUrl(flags.queue as string);
  const queue = await openQueue(address);
  try {
    const t0 = performance.now();
    const run = runIdOf(spec, rows);
    await submitRun(queue, { run, spec, out, ...(modelSource ? { modelSource } : {}) }, rows, flags.retries);
    term.err(
      `run ${run}: ${spec.rows} rows in ${spec.shards} shard(s) of ${spec.shardSize} on ${address.display}; start workers with \`crys worker --queue ${address.display}\``,
    );
    if (flags.detach) {
      term.out(run);
      return undefined;
    }
    const record = await findRun(queue, address, run);
    const progress = createProgress(term, { label, total: spec.rows, unit: 'rows', delayMs: 0 });
    const states = new Map<number, string>();
    const told = new Set<string>();
    for (;;) {
      const p = await runProgress(queue, record, states);
      const workers = await queue.getWorkersCount();
      for (const [worker, message] of Object.entries(await refusals(queue, run))) {
        if (!told.has(worker)) {
          told.add(worker);
          progress.log(`${paint(term.colorErr, 'yellow', 'warning:')} ${message}`);
        }
      }
      progress.update(
        p.rowsDone,
        `${p.completed + p.failed}/${p.shards} shards, ${p.active} running, ${workers} worker(s)${p.failed ? `, ${p.failed} failed` : ''}`,
      );
      if (p.missing > 0) {
        progress.finish();
        const { CliFailure } = await import('../errors.js');
        throw new CliFailure(
          `run ${run} lost ${p.missing} shard(s) from the queue (cancelled by \`crys jobs cancel\`?)`,
          'submit the command again: finished shards are kept and only the missing ones run',
        );
      }
      if (p.completed + p.failed === p.shards) break;
      await sleep(spec.shards > 1000 ? 2000 : 500);
    }
    progress.finish();
    const { results, reports } = await collectRun(queue, record);
    const seconds = (performance.now() - t0) / 1000;
    return {
      rows: mergeShards(spec, results),
      info: { mode: 'queue', run, queue: address.display, seconds, shards: reports },
    };
  } finally {
    await queue.close();
  }
}

/**
 * Runs a job embedded (default) or on `flags.queue`; resolves to undefined only for a detached submission.
 * `label` names the work on the progress bar (`predicting`).
 */
export async function runJob(
  ctx: CliContext,
  spec: JobSpec,
  rows: readonly JobRow[],
  model: ActionModel | undefined,
  flags: JobFlags,
  out: string,
  modelSource: string | undefined,
  label: string,
): Promise<JobOutcome | undefined> {
  const parallel = resolveParallel(flags);
  if (flags.queue !== undefined) return runOnQueue(ctx, spec, rows, flags, out, modelSource, label);
  return runEmbedded(ctx, spec, rows, model, label, parallel);
}

/**
 * Writes a finished job's output and manifest and says what was done: rows, errors (the first few), retries,
 * where it ran. `verb` is the past tense of the work (`predicted`).
 */
export function finishJob(
  ctx: CliContext,
  out: string,
  spec: JobSpec,
  outcome: JobOutcome,
  verb: string,
  json: boolean | undefined,
  modelSource?: string,
): void {
  const { term } = ctx;
  const info = { ...outcome.info, ...(modelSource ? { model: modelSource } : {}) };
  const { ok, errors } = writeOutput(out, spec, outcome.rows, info, term.stdout);
  const retries = info.shards.reduce((n, s) => n + Math.max(0, s.attempts - 1), 0);
  const stalled = info.shards.reduce((n, s) => n + s.stalled, 0);
  const failedShards = info.shards.filter((s) => s.failed !== undefined).length;
  if (json) {
    term.out(
      JSON.stringify({
        out,
        manifest: out === '-' ? null : manifestPath(out),
        rows: spec.rows,
        ok,
        errors,
        retries,
        stalled,
        failedShards,
        mode: info.mode,
        run: info.run,
        seconds: info.seconds,
      }),
    );
    return;
  }
  const failedRows = outcome.rows.filter((r) => r.error !== undefined);
  for (const r of failedRows.slice(0, 5))
    term.err(`${paint(term.colorErr, 'yellow', 'row error:')} ${r.id}: ${r.error}`);
  if (failedRows.length > 5)
    term.err(`… and ${failedRows.length - 5} more rows with an error (the error column of ${out})`);
  if (out === '-') return;
  const where = info.mode === 'queue' ? `on ${info.queue} (run ${info.run})` : 'embedded';
  const extra = [
    retries ? `${retries} retried attempt(s)` : '',
    stalled ? `${stalled} shard(s) handed on after a stalled worker` : '',
    failedShards ? `${failedShards} shard(s) failed after every attempt` : '',
  ].filter(Boolean);
  term.out(
    `${verb} ${ok} of ${spec.rows} row(s)${errors ? `, ${errors} with an error` : ''}${modelSource ? ` with model ${modelSource}` : ''} in ${fixed(info.seconds, 1)} s, ${spec.shards} shard(s) ${where}${extra.length ? `; ${extra.join(', ')}` : ''}; wrote ${out} and ${manifestPath(out)}`,
  );
}
