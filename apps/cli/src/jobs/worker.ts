/**
 * `crys worker`: takes shards from a BullMQ queue, runs them with the model the run names (checked by SHA-256) on
 * its own threads, and stores each result as the shard job's return value. A worker that dies mid-shard loses its
 * lock; BullMQ's stalled-job check hands the shard to another worker (at most `retries` times).
 */
import type { Job, Worker } from 'bullmq';
import type { Term } from '../term.js';
import { ModelMismatchError, workerName } from './model.js';
import { connectionOf, openQueue, type QueueAddress, readRun, recordRefusal, type ShardJobData } from './queue.js';
import { ShardThread } from './shard-pool.js';
import type { ResultRow, ShardResult } from './shards.js';

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  readonly concurrency: number;
  /** Seconds a shard's lock lasts without renewal; a worker silent for longer is taken for dead. */
  readonly lockSeconds: number;
  /** Times a shard may be handed on after its worker stalled before it fails. */
  readonly maxStalled: number;
}

/**
 * Runs a worker until `stop` resolves. A model mismatch makes it refuse the run: it puts the shard back, records
 * the refusal for the submitter, stops and throws the {@link ModelMismatchError}.
 */
export async function runWorker(
  term: Term,
  address: QueueAddress,
  options: WorkerOptions,
  stop: Promise<void>,
): Promise<void> {
  const { Worker, DelayedError } = await import('bullmq');
  const queue = await openQueue(address); // fails clearly when Redis is not there
  const me = workerName();
  const threads = Array.from({ length: options.concurrency }, () => new ShardThread());
  let refused: ModelMismatchError | undefined;
  let shards = 0;
  let rows = 0;
  const processor = async (job: Job<ShardJobData, ShardResult>, token?: string): Promise<ShardResult> => {
    const t0 = performance.now();
    const { shard } = job.data;
    const record = await readRun(queue, job.data.run); // read each time: a cancel may have come since
    if (!record || record.cancelled) {
      return { shard, rows: [], worker: me, seconds: 0 }; // cancelled run: nothing to do, nobody collects it
    }
    const { spec } = record;
    const thread = threads.find((t) => !t.busy) ?? threads[0];
    thread.busy = true;
    let result: ResultRow[];
    try {
      result = await thread.run(spec, job.data.rows);
    } catch (e) {
      if (!(e instanceof ModelMismatchError)) throw e;
      refused = e;
      await recordRefusal(queue, record.run, me, e.message);
      await job.moveToDelayed(Date.now() + 2000, token);
      throw new DelayedError();
    } finally {
      thread.busy = false;
    }
    const seconds = (performance.now() - t0) / 1000;
    shards++;
    rows += result.length;
    term.err(
      `shard ${shard + 1}/${spec.shards} of run ${record.run} (${spec.kind}, ${result.length} rows) in ${seconds.toFixed(1)} s`,
    );
    return { shard, rows: result, worker: me, seconds };
  };
  const worker: Worker<ShardJobData, ShardResult> = new Worker(address.name, processor, {
    connection: connectionOf(address),
    concurrency: options.concurrency,
    lockDuration: options.lockSeconds * 1000,
    stalledInterval: Math.max(1000, (options.lockSeconds * 1000) / 2),
    maxStalledCount: options.maxStalled,
    autorun: false,
  });
  worker.on('error', () => {}); // connection errors while Redis restarts: ioredis reconnects
  worker.on('failed', (job, err) => {
    if (job && !(err instanceof DelayedError)) {
      term.err(
        `shard ${job.data.shard + 1} of run ${job.data.run}: attempt ${job.attemptsMade} failed: ${err.message}`,
      );
    }
  });
  term.err(
    `worker ${me} on ${address.display}: concurrency ${options.concurrency}, lock ${options.lockSeconds} s (stop with Ctrl-C)`,
  );
  const running = worker.run();
  const refusedSignal = new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (refused !== undefined) {
        clearInterval(t);
        resolve();
      }
    }, 200);
    stop.then(() => {
      clearInterval(t);
      resolve();
    });
  });
  await refusedSignal;
  await worker.close();
  await running.catch(() => {});
  await Promise.all(threads.map((t) => t.close()));
  await queue.close();
  if (refused !== undefined) throw refused; // the shard went back to the queue for a worker with the right model
  term.err(`worker ${me} stopped after ${shards} shard(s), ${rows} row(s)`);
}
