/**
 * The batch forms of crys predict --data, relax, eval and match: read the rows (keeping unreadable ones with their
 * error), resolve the model, run the job embedded or on --queue, write the merged output and manifest.
 */
import type { MatcherOptions } from '@crys/eval';
import type { Crystal } from '@crys/lattice';
import type { DatasetRow, PredictRowsOptions, RowPrediction } from '@crys/model';
import { CliFailure, UsageError } from '../errors.js';
import { formatFromName } from '../load.js';
import type { CliContext } from '../main.js';
import type { ResolvedModel } from '../model-runtime.js';
import { modelRef } from './model.js';
import { resolveParallel } from './options.js';
import { isJsonLines } from './output.js';
import { crystalFromJson, crystalToJson, type CrystalJson, type JobRow, readJobRows, readPairRows } from './rows.js';
import { finishJob, type JobFlags, jobSpec, runJob } from './run.js';
import type { RelaxJobOptions } from './shards.js';

/** True when a command was asked for its job form. */
export function wantsJob(flags: Partial<JobFlags>): boolean {
  return flags.queue !== undefined || flags.shardSize !== undefined;
}

/** Refuses an output a job cannot write: the merged output is a CSV (or .jsonl), or - for stdout. */
function checkOut(out: string, option = '--out'): void {
  if (out === '-' || isJsonLines(out)) return;
  const format = formatFromName(out);
  if (format !== undefined && format !== 'dataset-csv') {
    throw new UsageError(
      `${option} ${out}: a sharded job writes a CSV with an error column (or .jsonl), not ${format}`,
      'name the output .csv or .jsonl (`crys convert` turns the CSV into other formats)',
    );
  }
}

function elementsOf(rows: readonly JobRow[]): Set<number> {
  const elements = new Set<number>();
  for (const r of rows) if (r.crystal) for (const z of r.crystal.z) elements.add(z);
  return elements;
}

async function startModel(
  backend: 'wasm' | 'cpu',
  spec: string | undefined,
  task: 'structure' | 'denoise',
  rows: readonly JobRow[],
): Promise<{ backend: 'wasm' | 'cpu'; resolved: ResolvedModel }> {
  const rt = await import('../model-runtime.js');
  const running = (await rt.startBackend(backend)) === 'cpu' ? 'cpu' : 'wasm';
  const resolved = rt.resolveModel(spec, task, elementsOf(rows));
  rt.refusePropertyModel(resolved.model, resolved.source, task === 'structure' ? 'crys predict' : 'crys eval');
  return { backend: running, resolved };
}

/** `crys predict --data … --shard-size | --queue`: one prediction per row, an error column for the rest. */
export async function predictJob(
  ctx: CliContext,
  opts: JobFlags & {
    dataset: string;
    out: string;
    format?: string;
    model?: string;
    split: 'holdout' | 'valid' | 'train' | 'all';
    limit?: number;
    backend: 'wasm' | 'cpu';
    json?: boolean;
  },
  options: PredictRowsOptions,
): Promise<void> {
  resolveParallel(opts); // a bad --parallel / --queue pair fails before the rows are read
  checkOut(opts.out);
  const { splitOf } = await import('@crys/model');
  const split = opts.split === 'all' ? undefined : (id: string) => splitOf(id) === opts.split;
  const rows = readJobRows(opts.dataset, { format: opts.format, filter: { split, limit: opts.limit } });
  const { backend, resolved } = await startModel(opts.backend, opts.model, 'structure', rows);
  const spec = jobSpec(
    { kind: 'predict', model: modelRef(resolved), predict: options, backend, input: opts.dataset },
    rows,
    opts,
  );
  const outcome = await runJob(ctx, spec, rows, resolved.model, opts, opts.out, resolved.source, 'predicting');
  if (outcome) finishJob(ctx, opts.out, spec, outcome, 'predicted', opts.json, resolved.source);
}

/** `crys relax DIR | FILE --all | --shard-size | --queue`: every structure relaxed, an error column for the rest. */
export async function relaxJob(
  ctx: CliContext,
  input: string,
  opts: JobFlags & { out: string; format?: string; model?: string; backend: 'wasm' | 'cpu'; json?: boolean },
  options: RelaxJobOptions,
): Promise<void> {
  resolveParallel(opts); // a bad --parallel / --queue pair fails before the rows are read
  checkOut(opts.out);
  const rows = readJobRows(input, { format: opts.format });
  const { backend, resolved } = await startModel(opts.backend, opts.model, 'denoise', rows);
  const spec = jobSpec({ kind: 'relax', model: modelRef(resolved), relax: options, backend, input }, rows, opts);
  const outcome = await runJob(ctx, spec, rows, resolved.model, opts, opts.out, resolved.source, 'relaxing');
  if (outcome) finishJob(ctx, opts.out, spec, outcome, 'relaxed', opts.json, resolved.source);
}

/** `crys match A B --all | --shard-size | --queue`: the verdicts of every pair, an error column for the rest. */
export async function matchJob(
  ctx: CliContext,
  a: string,
  b: string,
  opts: JobFlags & { out: string; format?: string; pairBy: 'index' | 'id'; json?: boolean },
  options: Required<MatcherOptions>,
): Promise<void> {
  resolveParallel(opts); // a bad --parallel / --queue pair fails before the rows are read
  checkOut(opts.out);
  const rows = readPairRows(a, b, { format: opts.format, by: opts.pairBy });
  const spec = jobSpec({ kind: 'match', match: options, backend: 'wasm', input: a, inputB: b }, rows, opts);
  const outcome = await runJob(ctx, spec, rows, undefined, opts, opts.out, undefined, 'matching');
  if (outcome) finishJob(ctx, opts.out, spec, outcome, 'matched', opts.json);
}

/**
 * The predictions of `crys eval` as a job (embedded shards or --queue; also `crys predict --data` and `crys eval`
 * on shard threads, see {@link onShardThreads}); undefined for a detached submission. The rows were checked by the
 * command already, so a row that still fails makes it fail, naming the row.
 */
export async function evalPredictions(
  ctx: CliContext,
  rows: readonly DatasetRow[],
  resolved: ResolvedModel,
  backend: string,
  options: PredictRowsOptions,
  opts: JobFlags & { dataset: string },
  label = 'evaluating',
): Promise<RowPrediction[] | undefined> {
  const jobRows: JobRow[] = rows.map((r, i) => ({ i, id: r.id, label: r.id, crystal: crystalToJson(r.crystal) }));
  const spec = jobSpec(
    {
      kind: 'eval',
      model: modelRef(resolved),
      predict: options,
      backend: backend === 'cpu' ? 'cpu' : 'wasm',
      input: opts.dataset,
    },
    jobRows,
    opts,
  );
  const outcome = await runJob(ctx, spec, jobRows, resolved.model, opts, '-', resolved.source, label);
  if (!outcome) return undefined;
  const failed = outcome.rows.filter((r) => r.error !== undefined);
  if (failed.length > 0) {
    throw new CliFailure(
      `${failed.length} row(s) could not be predicted, e.g. ${failed[0].id}: ${failed[0].error}`,
      'the metrics need every row: fix or drop these rows (crys predict --shard-size writes every error)',
    );
  }
  const crystal = (j: CrystalJson | undefined): Crystal => crystalFromJson(j as CrystalJson);
  return outcome.rows.map((r) => ({
    id: r.id,
    start: crystal(r.start),
    crystal: crystal(r.crystal),
    ...(r.stopped !== undefined ? { stopped: r.stopped } : {}),
  }));
}

/**
 * How many shard threads an embedded run of `rows` rows uses: `--parallel` resolved (1 with --queue), at most one
 * per shard (of --shard-size rows, else 64); 1 means the rows run in this thread. The predictions are the same
 * either way.
 */
export function onShardThreads(flags: Partial<JobFlags>, rows: number): number {
  const n = resolveParallel(flags);
  return Math.max(1, Math.min(n, Math.ceil(rows / (flags.shardSize ?? SHARD_ROWS))));
}

/** Rows per shard when the one-sample path runs on shard threads: the chunk it runs in this thread. */
export const SHARD_ROWS = 64;
