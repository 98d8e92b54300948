// The headline figures of a `pnpm bench` run, gathered across packages: `tools/bench/run.mjs` (the root `pnpm bench`)
// points CRYS_BENCH_SUMMARY at a JSON-lines file, each package's benchmark appends its speed-goal rows to it with
// `recordSummary`, and run.mjs prints them as one table at the end. A benchmark run on its own records nothing.
import { appendFileSync, readFileSync } from 'node:fs';

/**
 * Appends one row: `area` (package), `case`, `metric`, our and the peer's figure in `unit`, and `goal`, the largest
 * ratio ours / peer the speed goal allows. `note` says how the figure was taken (rounds, clock, peer configuration).
 * `ratio` defaults to ours / peer; a benchmark that times both sides in interleaved rounds passes the median of the
 * per-round ratios, the figure it prints.
 */
export function recordSummary({ area, case: name, metric, ours, peer, unit, goal, note = '', ratio: given }) {
  const file = process.env.CRYS_BENCH_SUMMARY;
  if (!file) return;
  const ratio = given ?? (ours !== undefined && peer ? ours / peer : undefined);
  const load = loadAverage();
  appendFileSync(file, `${JSON.stringify({ area, case: name, metric, ours, peer, unit, ratio, goal, note, load })}\n`);
}

/** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them. */
export function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
