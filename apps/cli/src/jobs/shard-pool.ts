/**
 * Shard threads: each runs shards (./shard-thread.ts) with the job's model, loaded once per thread, so that the
 * cores of one machine run shards side by side: a `crys worker`'s `--concurrency`, and `--parallel` of the batch
 * commands run embedded. A shard gives the same rows on any thread as in the main thread (@crys/model seeds each
 * row from its id and runs each crystal alone).
 */
import { Worker as Thread } from 'node:worker_threads';
import { CliFailure } from '../errors.js';
import { ModelMismatchError } from './model.js';
import type { JobRow } from './rows.js';
import type { ShardReply, ShardRequest } from './shard-thread.js';
import type { JobSpec, ResultRow } from './shards.js';

/**
 * A thread that runs shards, started on first use and again after it died. Its failure (a crash, out of memory)
 * fails the shard it was running: BullMQ retries it for a worker, an embedded run stops with the error. A crys
 * error from the thread comes back as a {@link CliFailure} with its message and hint; a model the thread cannot
 * use as a {@link ModelMismatchError}.
 */
export class ShardThread {
  private thread: Thread | undefined;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: ResultRow[]) => void; reject: (e: Error) => void }>();
  busy = false;

  run(spec: JobSpec, rows: readonly JobRow[]): Promise<ResultRow[]> {
    const thread = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.postMessage({ id, spec, rows } satisfies ShardRequest);
    });
  }

  private start(): Thread {
    if (this.thread) return this.thread;
    const thread = new Thread(new URL('./shard-thread.js', import.meta.url));
    thread.on('message', (reply: ShardReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('rows' in reply) p.resolve(reply.rows);
      else if (reply.error.name === 'ModelMismatchError') {
        p.reject(new ModelMismatchError(reply.error.message, reply.error.hint));
      } else if (reply.error.crys) p.reject(new CliFailure(reply.error.message, reply.error.hint));
      else p.reject(new Error(reply.error.message));
    });
    thread.on('error', (e) => this.fail(e));
    thread.on('exit', (code) => this.fail(new Error(`the shard thread stopped (exit code ${code})`)));
    this.thread = thread;
    return thread;
  }

  private fail(e: Error): void {
    this.thread = undefined;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    const t = this.thread;
    this.thread = undefined;
    await t?.terminate();
  }
}
