/**
 * The thread a `crys worker` runs shards on. tfjs computes synchronously; on the worker's main thread a long
 * shard would block BullMQ's lock renewal and a healthy worker would look stalled. Here the main thread stays free
 * to renew locks and talk to Redis while this thread runs {@link runShard}.
 */
import { parentPort } from 'node:worker_threads';
import type { ActionModel } from '@crys/model';
import { CrysError } from '@crys/lattice';
import { loadJobModel } from './model.js';
import type { JobRow } from './rows.js';
import { type JobSpec, type ResultRow, runShard } from './shards.js';

/** A shard to run. */
export interface ShardRequest {
  readonly id: number;
  readonly spec: JobSpec;
  readonly rows: readonly JobRow[];
}

/** The answer: the rows, or the error (its class name, message and hint survive the thread boundary). */
export type ShardReply =
  | { readonly id: number; readonly rows: ResultRow[] }
  | { readonly id: number; readonly error: { name: string; message: string; hint?: string; crys: boolean } };

const models = new Map<string, ActionModel>();

parentPort?.on('message', async (req: ShardRequest) => {
  try {
    let model: ActionModel | undefined;
    if (req.spec.model) {
      model = models.get(req.spec.model.sha256);
      if (!model) {
        model = await loadJobModel(req.spec.model, req.spec.backend);
        models.set(req.spec.model.sha256, model);
      }
    }
    const rows = await runShard(req.spec, req.rows, model);
    parentPort?.postMessage({ id: req.id, rows } satisfies ShardReply);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const hint = (err as { hint?: unknown }).hint;
    parentPort?.postMessage({
      id: req.id,
      error: {
        name: err.name,
        message: err.message,
        ...(typeof hint === 'string' ? { hint } : {}),
        crys: CrysError.isInstance(e),
      },
    } satisfies ShardReply);
  }
});
