/**
 * The job model shared by crys predict, relax, eval and match: a job is its kind, options and model (by content
 * hash) plus rows; rows are cut into shards of `shardSize`; a shard is the unit of work, run in-process
 * (embedded) or by any `crys worker` (distributed) with the same {@link runShard}, so both give the same rows.
 */
import { matchStructures, type MatcherOptions } from '@crys/eval';
import type { ActionModel, DatasetRow, PredictRowsOptions, TaskKind } from '@crys/model';
import { CrysError } from '@crys/lattice';
import { assertModelInput } from '../model-input.js';
import { type CrystalJson, crystalFromJson, crystalToJson, errorText, isFiniteCrystal, type JobRow } from './rows.js';

/** What a job does to each row. */
export type JobKind = 'predict' | 'relax' | 'eval' | 'match';

/** The model of a job: how to find it (a shipped name or a path) and the SHA-256 of its file. */
export interface ModelRef {
  /** Shipped name (`perov_5`) or the path given to --model, as the submitting machine resolved it. */
  readonly name: string;
  readonly sha256: string;
  readonly task: TaskKind;
}

/** Options of a relax job (@crys/model `relaxMany`). */
export interface RelaxJobOptions {
  readonly steps?: number;
  readonly startLevel: number;
  readonly refineSteps?: number;
  readonly correctorSteps?: number;
  readonly correctorScale?: number;
}

/** Everything a worker needs besides the rows. Plain JSON: it travels in the queue. */
export interface JobSpec {
  readonly kind: JobKind;
  /** Absent for match (no model). */
  readonly model?: ModelRef;
  readonly predict?: PredictRowsOptions;
  readonly relax?: RelaxJobOptions;
  readonly match?: Required<MatcherOptions>;
  readonly backend: 'wasm' | 'cpu';
  /** The input as given (for the manifest and status), and the second input of a pair job. */
  readonly input: string;
  readonly inputB?: string;
  readonly rows: number;
  readonly shardSize: number;
  readonly shards: number;
}

/** A row of a shard's result, in the exact JSON form. */
export interface ResultRow {
  readonly i: number;
  readonly id: string;
  /** The prediction / relaxed structure. */
  readonly crystal?: CrystalJson;
  /** eval: the start the model ran from (for the random-start control and "before"). */
  readonly start?: CrystalJson;
  /** eval / predict: why the run stopped early (an unsound cell; see @crys/model's `ActionResult.stopped`). */
  readonly stopped?: string;
  /** match: the verdicts. */
  readonly match?: {
    readonly match: boolean;
    readonly rmsMatch: boolean;
    readonly rms: number | null;
    readonly maxDist: number | null;
  };
  readonly error?: string;
}

/** What a shard gives back. */
export interface ShardResult {
  readonly shard: number;
  readonly rows: ResultRow[];
  /** Who ran it: `embedded` or `host:pid`. */
  readonly worker: string;
  readonly seconds: number;
}

/** The row range [start, end) of each shard. */
export function shardRanges(rows: number, shardSize: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < rows; s += shardSize) out.push([s, Math.min(rows, s + shardSize)]);
  return out;
}

/**
 * Rows per forward pass inside a shard. Between these batches a worker returns to the event loop, so BullMQ can
 * renew the shard's lock; the result of a row does not depend on the batch it is in (@crys/model seeds each row
 * from its id).
 */
export const INNER_BATCH = 16;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `fn` on the rows in batches; a batch that fails with a crys error is run row by row to find the culprit. */
async function inBatches<T>(
  rows: readonly JobRow[],
  fn: (batch: readonly JobRow[]) => T[],
  onRow: (row: JobRow, result: T | undefined, error: string | undefined) => void,
): Promise<void> {
  for (let s = 0; s < rows.length; s += INNER_BATCH) {
    const batch = rows.slice(s, s + INNER_BATCH);
    let results: T[] | undefined;
    try {
      results = fn(batch);
    } catch (e) {
      if (!CrysError.isInstance(e)) throw e;
    }
    if (results) {
      for (let k = 0; k < batch.length; k++) onRow(batch[k], results[k], undefined);
    } else {
      for (const r of batch) {
        try {
          onRow(r, fn([r])[0], undefined);
        } catch (e) {
          if (!CrysError.isInstance(e)) throw e;
          onRow(r, undefined, errorText(e));
        }
      }
    }
    await tick();
  }
}

/** The rows a model can take; the others get their error (unknown element, too many atoms, overlapping atoms). */
function checkRows(
  rows: readonly JobRow[],
  model: ActionModel,
  modelName: string,
  errors: Map<number, string>,
): JobRow[] {
  const ok: JobRow[] = [];
  const limit = { maxAtoms: model.config.maxAtoms, model: modelName };
  for (const r of rows) {
    if (r.error !== undefined) {
      errors.set(r.i, r.error);
      continue;
    }
    const c = crystalFromJson(r.crystal as CrystalJson);
    const unknown = [...new Set(c.atomicNumbers)].filter((z) => !model.config.species.includes(z));
    try {
      if (unknown.length > 0) {
        throw new CrysError(`${r.label}: model ${modelName} does not know element(s) Z = ${unknown.join(', ')}`);
      }
      assertModelInput(c, r.label, limit);
      ok.push(r);
    } catch (e) {
      if (!CrysError.isInstance(e)) throw e;
      errors.set(r.i, errorText(e));
    }
  }
  return ok;
}

/**
 * Runs one shard: every row of `rows` gets exactly one {@link ResultRow}, in order, with its result or its
 * error. Errors that belong to a row (unreadable, refused by the model, a crys error while running it) are
 * recorded; any other error is thrown, so the shard is retried as a whole.
 */
export async function runShard(
  spec: JobSpec,
  rows: readonly JobRow[],
  model: ActionModel | undefined,
): Promise<ResultRow[]> {
  const errors = new Map<number, string>();
  const done = new Map<number, ResultRow>();
  if (spec.kind === 'match') {
    const options = spec.match as Required<MatcherOptions>;
    for (const r of rows) {
      if (r.error !== undefined) continue;
      try {
        const m = matchStructures(
          crystalFromJson(r.crystal as CrystalJson),
          crystalFromJson(r.other as CrystalJson),
          options,
        );
        done.set(r.i, {
          i: r.i,
          id: r.id,
          match: { match: m.match, rmsMatch: m.rms !== null, rms: m.rms, maxDist: m.maxDist },
        });
      } catch (e) {
        if (!CrysError.isInstance(e)) throw e;
        errors.set(r.i, errorText(e));
      }
      if (r.i % INNER_BATCH === 0) await tick();
    }
  } else {
    if (!model || !spec.model) throw new Error(`runShard: a ${spec.kind} job needs a model`);
    const ok = checkRows(rows, model, spec.model.name, errors);
    const { predictRows, relaxMany } = await import('@crys/model');
    const { fnv1a } = await import('@crys/model/internal');
    const asDataset = (b: readonly JobRow[]): DatasetRow[] =>
      b.map((r) => ({ id: r.id, crystal: crystalFromJson(r.crystal as CrystalJson), properties: {} }));
    if (spec.kind === 'relax') {
      const o = spec.relax as RelaxJobOptions;
      await inBatches(
        ok,
        (b) =>
          relaxMany(
            model,
            b.map((r) => crystalFromJson(r.crystal as CrystalJson)),
            // each row's noise from its id, as predictRows does: a row's result does not depend on its shard
            { ...o, noiseSeed: b.map((r) => (fnv1a(r.id) ^ 0x5bd1e995) >>> 0) },
          ),
        (r, res, error) => {
          if (res && isFiniteCrystal(res.crystal))
            done.set(r.i, { i: r.i, id: r.id, crystal: crystalToJson(res.crystal) });
          else errors.set(r.i, error ?? 'the relaxed structure is not finite (the run diverged)');
        },
      );
    } else {
      const keepStart = spec.kind === 'eval';
      await inBatches(
        ok,
        (b) => predictRows(model, asDataset(b), spec.predict),
        (r, res, error) => {
          if (!res) errors.set(r.i, error as string);
          else if (!keepStart && !isFiniteCrystal(res.crystal)) {
            errors.set(r.i, 'the predicted structure is not finite (the run diverged)');
          } else {
            done.set(r.i, {
              i: r.i,
              id: r.id,
              crystal: crystalToJson(res.crystal),
              ...(keepStart ? { start: crystalToJson(res.start) } : {}),
              ...(res.stopped !== undefined ? { stopped: res.stopped } : {}),
            });
          }
        },
      );
    }
  }
  return rows.map((r) => done.get(r.i) ?? { i: r.i, id: r.id, error: errors.get(r.i) ?? r.error ?? 'not run' });
}
