/**
 * Merging shard results into one output in input order, and the manifest beside it. The merge checks that every
 * input row is there exactly once before anything is written; writes are atomic.
 */
import { createHash } from 'node:crypto';
import { csvField, writeCif } from '@crys/io';
import { CliFailure } from '../errors.js';
import { writeAtomic } from '../files.js';
import { crystalFromJson, errorText, type CrystalJson } from './rows.js';
import type { JobSpec, ResultRow, ShardResult } from './shards.js';

/** How a shard ended, for the manifest and `crys jobs status`. */
export interface ShardReport {
  readonly shard: number;
  readonly rows: number;
  readonly worker: string | null;
  /** Attempts made (1 when it ran once); more means retries. */
  readonly attempts: number;
  /** Times BullMQ found it stalled (its worker died or stopped renewing the lock) and handed it on. */
  readonly stalled: number;
  readonly seconds: number | null;
  /** Set when every attempt failed: its rows carry this error. */
  readonly failed?: string;
}

/**
 * The rows of all shards in input order. A shard that failed for good (`failed`) gives each of its input rows an
 * error naming the shard and the attempts. Throws when a row is missing or present twice (never expected: the
 * rows of a shard are fixed when it is created), so a wrong output is never written.
 */
export function mergeShards(
  spec: JobSpec,
  results: readonly (ShardResult | { shard: number; failed: string; attempts: number; ids: readonly string[] })[],
): ResultRow[] {
  const rows: (ResultRow | undefined)[] = new Array(spec.rows).fill(undefined);
  const put = (r: ResultRow) => {
    if (r.i < 0 || r.i >= spec.rows || !Number.isInteger(r.i)) {
      throw new CliFailure(`job results hold row ${r.i}, outside the ${spec.rows} input rows`);
    }
    if (rows[r.i] !== undefined) throw new CliFailure(`job results hold input row ${r.i + 1} (${r.id}) twice`);
    rows[r.i] = r;
  };
  for (const res of results) {
    if ('failed' in res) {
      const first = res.shard * spec.shardSize;
      for (let k = 0; k < res.ids.length; k++) {
        const error = `shard ${res.shard + 1} failed after ${res.attempts} attempt(s): ${res.failed}`;
        put({ i: first + k, id: res.ids[k], error });
      }
    } else for (const r of res.rows) put(r);
  }
  const missing = rows.indexOf(undefined);
  if (missing >= 0 || rows.length !== spec.rows) {
    throw new CliFailure(`job results lack input row ${missing + 1} of ${spec.rows}`);
  }
  return rows as ResultRow[];
}

/** Output columns of each kind (besides material_id and error). */
function columns(spec: JobSpec): string[] {
  return spec.kind === 'match' ? ['match', 'rms_match', 'rms', 'max_dist'] : ['cif'];
}

/** One output row as named values: CIF text for a structure, the verdicts for a pair. */
function rowValues(r: ResultRow): Record<string, string | number | boolean | null> {
  const v: Record<string, string | number | boolean | null> = { material_id: r.id };
  if (r.match) {
    v.match = r.match.match;
    v.rms_match = r.match.rmsMatch;
    v.rms = r.match.rms;
    v.max_dist = r.match.maxDist;
  }
  let error = r.error ?? null;
  if (r.crystal) {
    try {
      v.cif = writeCif(crystalFromJson(r.crystal as CrystalJson), { blockName: r.id });
    } catch (e) {
      v.cif = null;
      error ??= `cannot write the result as CIF: ${errorText(e)}`;
    }
  }
  v.error = error;
  return v;
}

/**
 * The merged output: a CSV (`material_id, cif | match…, error`; the CSV of a predict/relax job is a dataset CSV
 * that crys and pandas read) or, for a `.jsonl` name, one JSON object per line.
 */
export function formatOutput(spec: JobSpec, rows: readonly ResultRow[], jsonLines: boolean): string {
  const cols = ['material_id', ...columns(spec), 'error'];
  let s = jsonLines ? '' : `${cols.join(',')}\n`;
  for (const r of rows) {
    const v = rowValues(r);
    if (jsonLines) {
      s += `${JSON.stringify(Object.fromEntries(cols.map((c) => [c, v[c] ?? null])))}\n`;
    } else {
      s += `${cols.map((c) => (v[c] === null || v[c] === undefined ? '' : csvField(String(v[c])))).join(',')}\n`;
    }
  }
  return s;
}

/** True when the output file asks for JSON lines. */
export function isJsonLines(out: string): boolean {
  return /\.jsonl$/i.test(out);
}

/** What the manifest records about the run. */
export interface RunInfo {
  readonly mode: 'embedded' | 'queue';
  readonly run: string;
  readonly queue?: string;
  readonly seconds: number;
  readonly shards: readonly ShardReport[];
  readonly model?: string;
}

/** The manifest's path beside an output. */
export function manifestPath(out: string): string {
  return `${out}.manifest.json`;
}

/**
 * Writes the merged output and its manifest (`<out>.manifest.json`: the job, where it ran, each shard's worker,
 * attempts and time, the counts and the output's SHA-256). `-` writes the output to stdout and no manifest.
 */
export function writeOutput(
  out: string,
  spec: JobSpec,
  rows: readonly ResultRow[],
  info: RunInfo,
  stdout?: { write(s: string | Uint8Array): boolean },
): { ok: number; errors: number } {
  const text = formatOutput(spec, rows, isJsonLines(out));
  const errors = rows.filter((r) => r.error !== undefined).length;
  writeAtomic(out, text, stdout);
  if (out !== '-') {
    const { shards, model, ...rest } = info;
    const manifest = {
      output: out,
      sha256: createHash('sha256').update(text).digest('hex'),
      kind: spec.kind,
      input: spec.input,
      ...(spec.inputB ? { inputB: spec.inputB } : {}),
      model: spec.model ? { ...spec.model, source: model } : null,
      options: spec.predict ?? spec.relax ?? spec.match ?? {},
      backend: spec.backend,
      rows: spec.rows,
      ok: rows.length - errors,
      errors,
      shardSize: spec.shardSize,
      ...rest,
      retries: shards.reduce((n, s) => n + Math.max(0, s.attempts - 1), 0),
      stalled: shards.reduce((n, s) => n + s.stalled, 0),
      failedShards: shards.filter((s) => s.failed !== undefined).length,
      shards,
    };
    writeAtomic(manifestPath(out), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return { ok: rows.length - errors, errors };
}
