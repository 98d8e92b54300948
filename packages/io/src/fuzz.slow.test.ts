import { expect, test } from 'vitest';
import { formatFuzzReport, runFuzzLane } from '../test/fuzz-runner.js';

// The fuzz lane (see packages/io/README.md, "Fuzzing"): CRYS_FUZZ_PER_READER mutated real files per reader
// (default 20,000; the full lane is 100,000), each read in a worker thread with a 10 s limit. Every count of a
// defect must be 0. CRYS_FUZZ_SEED picks another set of inputs.
const perReader = Number(process.env.CRYS_FUZZ_PER_READER ?? 20_000);
const seed = Number(process.env.CRYS_FUZZ_SEED ?? 1);

test(`${perReader} mutated real files per reader: no untyped error, none over 1 s, no crystal createCrystal refuses`, async () => {
  const reports = await runFuzzLane({ perReader, seed });
  console.log(formatFuzzReport(reports));
  for (const r of reports) {
    expect({ format: r.format, untyped: r.untyped, badCrystal: r.badCrystal, slow: r.slow, killed: r.killed }).toEqual({
      format: r.format,
      untyped: 0,
      badCrystal: 0,
      slow: 0,
      killed: 0,
    });
  }
});
