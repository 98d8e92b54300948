// Worker of the fuzz lane (test/fuzz-runner.ts): builds each input from its seed file and mutation seed, reads
// it and posts the verdict with the time taken. Runs from TypeScript source through tools/ts-source/loader.mjs.
import { parentPort } from 'node:worker_threads';
import { createRng } from '@crys/lattice';
import { fuzzSeeds, judgeRead, mutate, randomMutations } from './fuzz-lane.js';

/** One input: seed file `seed` of the corpus built with `csvRows`, edited by the mutations of `mutationSeed`. */
export interface FuzzJob {
  readonly id: number;
  readonly csvRows: number;
  readonly seed: number;
  readonly mutationSeed: number;
  readonly wrap: boolean;
}

let corpus: { csvRows: number; seeds: ReturnType<typeof fuzzSeeds> } | undefined;

parentPort?.on('message', (job: FuzzJob) => {
  if (corpus?.csvRows !== job.csvRows) corpus = { csvRows: job.csvRows, seeds: fuzzSeeds(job.csvRows) };
  const seed = corpus.seeds[job.seed];
  const text = mutate(seed.text, randomMutations(createRng(job.mutationSeed)));
  const t0 = performance.now();
  const verdict = judgeRead(seed.format, text, job.wrap);
  parentPort?.postMessage({ id: job.id, verdict, ms: performance.now() - t0 });
});
