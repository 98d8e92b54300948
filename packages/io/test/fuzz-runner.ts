// The fuzz lane of @crys/io: per reader, `perReader` mutated real files read in a worker thread with a time
// limit per input; counts untyped exceptions, inputs over 1 s, inputs killed at the limit and crystals that
// createCrystal refuses. src/fuzz.slow.test.ts runs it and expects every count to be 0.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createRng } from '@crys/lattice';
import { fuzzSeeds, mutate, randomMutations, type Verdict } from './fuzz-lane.js';
import type { FuzzJob } from './fuzz-worker.js';
import { ROOT } from './helpers.js';

/** Options of {@link runFuzzLane}. */
export interface FuzzLaneOptions {
  /** Inputs per reader. */
  readonly perReader: number;
  /** Seed of the whole run (the same seed gives the same inputs). */
  readonly seed: number;
  /** Rows of each val CSV in the corpus. Default 200. */
  readonly csvRows?: number;
  /** An input still running after this long is killed and counted (ms). Default 10,000. */
  readonly limitMs?: number;
  /** An input slower than this is counted as slow (ms). Default 1,000. */
  readonly slowMs?: number;
}

/** One reader's counts, and up to five reproducible examples of each defect. */
export interface ReaderReport {
  readonly format: string;
  inputs: number;
  ok: number;
  typed: number;
  untyped: number;
  badCrystal: number;
  slow: number;
  killed: number;
  maxMs: number;
  readonly examples: string[];
}

const READERS = [
  'cif',
  'poscar',
  'extxyz',
  'pymatgen-json',
  'dataset-csv',
  'xsf',
  'res',
  'espresso-in',
  'vasp-volumetric',
] as const;

/** Runs the lane and returns one report per reader. */
export async function runFuzzLane(options: FuzzLaneOptions): Promise<ReaderReport[]> {
  const csvRows = options.csvRows ?? 200;
  const limitMs = options.limitMs ?? 10_000;
  const slowMs = options.slowMs ?? 1000;
  const seeds = fuzzSeeds(csvRows);
  const rng = createRng(options.seed);
  const loader = pathToFileURL(join(ROOT, 'tools', 'ts-source', 'loader.mjs')).href;
  const workerFile = new URL('./fuzz-worker.ts', import.meta.url);
  let worker: Worker | undefined;
  let pending: ((r: { verdict: Verdict; ms: number } | undefined) => void) | undefined;
  const start = (): Worker => {
    const w = new Worker(workerFile, { execArgv: ['--import', loader] });
    w.on('message', (m: { verdict: Verdict; ms: number }) => pending?.(m));
    w.on('error', () => pending?.(undefined));
    return w;
  };
  const run = (job: FuzzJob): Promise<{ verdict: Verdict; ms: number } | 'killed' | undefined> =>
    new Promise((resolve) => {
      worker ??= start();
      const timer = setTimeout(() => {
        pending = undefined;
        void worker?.terminate();
        worker = undefined;
        resolve('killed');
      }, limitMs);
      pending = (r) => {
        clearTimeout(timer);
        pending = undefined;
        resolve(r);
      };
      worker.postMessage(job);
    });
  const reports: ReaderReport[] = [];
  let id = 0;
  try {
    for (const format of READERS) {
      const mine = seeds.map((s, i) => (s.format === format ? i : -1)).filter((i) => i >= 0);
      const report: ReaderReport = {
        format,
        inputs: 0,
        ok: 0,
        typed: 0,
        untyped: 0,
        badCrystal: 0,
        slow: 0,
        killed: 0,
        maxMs: 0,
        examples: [],
      };
      reports.push(report);
      if (mine.length === 0) continue;
      for (let k = 0; k < options.perReader; k++) {
        const job: FuzzJob = {
          id: id++,
          csvRows,
          seed: mine[rng.int(mine.length)],
          mutationSeed: rng.int(2 ** 31),
          wrap: !(format === 'cif' || format === 'dataset-csv') || rng.next() < 0.8,
        };
        const r = await run(job);
        report.inputs++;
        const where = () => {
          const ms = randomMutations(createRng(job.mutationSeed));
          const text = mutate(seeds[job.seed].text, ms);
          return `${seeds[job.seed].name} mutations ${JSON.stringify(ms)} wrap ${job.wrap} (${text.length} chars)`;
        };
        if (r === 'killed' || r === undefined) {
          report.killed++;
          if (report.examples.length < 5) report.examples.push(`${r ?? 'worker crashed'}: ${where()}`);
          continue;
        }
        report.maxMs = Math.max(report.maxMs, r.ms);
        if (r.ms > slowMs) {
          report.slow++;
          if (report.examples.length < 5) report.examples.push(`slow ${r.ms.toFixed(0)} ms: ${where()}`);
        }
        const v = r.verdict;
        if (v.kind === 'ok') report.ok++;
        else if (v.kind === 'typed') report.typed++;
        else {
          if (v.kind === 'untyped') report.untyped++;
          else report.badCrystal++;
          if (report.examples.length < 5) report.examples.push(`${v.kind} ${v.detail}: ${where()}`);
        }
      }
    }
  } finally {
    await worker?.terminate();
  }
  return reports;
}

/** The reports as a table. */
export function formatFuzzReport(reports: readonly ReaderReport[]): string {
  const head = 'reader         inputs      ok   typed untyped  bad-crystal  slow  killed  max ms';
  const rows = reports.map(
    (r) =>
      `${r.format.padEnd(14)} ${String(r.inputs).padStart(6)} ${String(r.ok).padStart(7)} ${String(r.typed).padStart(7)} ${String(r.untyped).padStart(7)} ${String(r.badCrystal).padStart(12)} ${String(r.slow).padStart(5)} ${String(r.killed).padStart(7)} ${r.maxMs.toFixed(0).padStart(7)}`,
  );
  const examples = reports.flatMap((r) => r.examples.map((e) => `  ${r.format}: ${e}`));
  return [head, ...rows, ...examples].join('\n');
}
