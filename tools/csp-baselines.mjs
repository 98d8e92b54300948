#!/usr/bin/env node
// What one sample of structure prediction can reach on a dataset, and what needs no model at all: the figures
// docs/results.md quotes beside the models'.
//
//   node tools/csp-baselines.mjs data/perov_5/val.csv --key formula
//   node tools/csp-baselines.mjs data/carbon_24/val.csv --key atoms [--candidates 1000] [--json FILE]
//
// - twins: compositions stored more than once with structures that do not match each other (RMS < 0.1), and how many
//   of those are the same geometry when every atom counts as one species (the species on each other's sites);
//   compositions with more than 4 crystals are only counted;
// - retrieval baselines on the holdout split, scored as `crys eval` scores (stol 0.5, ltol 0.3, angle_tol 10, tight =
//   RMS < 0.1, no validity gate): predict a training crystal of the same composition (`--key formula`) or the same atom
//   count (`--key atoms`), (a) drawn at random (seeded, averaged over 10 draws), (b) the "mode": among up to
//   --candidates training crystals of that key, the one that matches the most valid-split crystals of the key (the
//   holdout is never used to choose).
//   A holdout crystal whose key has no training crystal counts as a miss.
// Reads the TypeScript sources directly (no build needed).
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';

register('./ts-source/hooks.mjs', import.meta.url);
const { readDatasetCsv } = await import('../packages/io/src/index.ts');
const { FIELD_MATCHER_OPTIONS, rmsDistance } = await import('../packages/eval/src/index.ts');
const { splitOf } = await import('../packages/model/src/data.ts');

const usage = 'usage: node tools/csp-baselines.mjs DATASET.csv --key formula|atoms [--candidates N] [--json FILE]';
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) {
    console.error(`csp-baselines: ${name} needs a value\n${usage}`);
    process.exit(2);
  }
  return v;
};
const path = args[0];
const keyKind = flag('--key', 'formula');
const maxCandidates = Number(flag('--candidates', '1000'));
const jsonFile = flag('--json', undefined);
if (!path || path.startsWith('--') || !['formula', 'atoms'].includes(keyKind) || !(maxCandidates >= 1)) {
  console.error(usage);
  process.exit(2);
}

const rows = [...readDatasetCsv(readFileSync(path, 'utf8'), { source: path })];
const keyOf = (c) =>
  keyKind === 'atoms' ? String(c.atomicNumbers.length) : [...c.atomicNumbers].sort((a, b) => a - b).join(' ');
const rms = (a, b) => rmsDistance(a, b, FIELD_MATCHER_OPTIONS)?.rms ?? null;
const groups = (keep) => {
  const m = new Map();
  for (const r of rows) {
    if (!keep(r)) continue;
    const k = keyOf(r.crystal);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(r.crystal);
  }
  return m;
};

// twins: compositions (always by formula) stored more than once, with structures that differ
const byFormula = new Map();
for (const r of rows) {
  const k = [...r.crystal.atomicNumbers].sort((a, b) => a - b).join(' ');
  if (!byFormula.has(k)) byFormula.set(k, []);
  byFormula.get(k).push(r.crystal);
}
const blind = (c) => ({ ...c, atomicNumbers: new Uint8Array(c.atomicNumbers.length).fill(6) });
let repeated = 0;
let differing = 0;
let sameFramework = 0;
let crowded = 0;
for (const cs of byFormula.values()) {
  if (cs.length < 2) continue;
  repeated++;
  // a composition with many crystals (Carbon-24: one per atom count) would cost n² matches: counted apart
  if (cs.length > 4) {
    crowded++;
    continue;
  }
  const distinct = [];
  for (const c of cs) if (!distinct.some((d) => (rms(d, c) ?? 1) < 0.1)) distinct.push(c);
  if (distinct.length > 1) {
    differing++;
    // the same geometry with species on each other's sites (Perov-5: the A and B cations exchanged)
    if (distinct.slice(1).every((d) => (rms(blind(d), blind(distinct[0])) ?? 1) < 0.1)) sameFramework++;
  }
}

// retrieval baselines
let seed = 12345;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const train = groups((r) => splitOf(r.id) === 'train');
const valid = groups((r) => splitOf(r.id) === 'valid');
const holdout = groups((r) => splitOf(r.id) === 'holdout');
/** Random retrieval is averaged over this many draws per holdout crystal. */
const DRAWS = 10;
const tally = () => ({ matched: 0, tight: 0, rmsSum: 0 });
const scores = { random: tally(), mode: tally() };
let total = 0;
let noCandidate = 0;
const add = (s, r) => {
  if (r === null) return;
  s.matched++;
  s.rmsSum += r;
  if (r < 0.1) s.tight++;
};
for (const [k, hs] of holdout) {
  total += hs.length;
  const candidates = train.get(k) ?? [];
  if (candidates.length === 0) {
    noCandidate += hs.length;
    continue;
  }
  const pool =
    candidates.length > maxCandidates
      ? Array.from({ length: maxCandidates }, () => candidates[Math.floor(random() * candidates.length)])
      : candidates;
  let mode = pool[0];
  let modeHits = -1;
  for (const c of pool) {
    let hits = 0;
    for (const v of valid.get(k) ?? []) if (rms(c, v) !== null) hits++;
    if (hits > modeHits) {
      modeHits = hits;
      mode = c;
    }
  }
  for (const h of hs) {
    for (let d = 0; d < DRAWS; d++) add(scores.random, rms(candidates[Math.floor(random() * candidates.length)], h));
    add(scores.mode, rms(mode, h));
  }
}
const summary = (s, draws = 1) => ({
  matchRate: s.matched / (draws * total),
  rmse: s.matched ? s.rmsSum / s.matched : null,
  tightMatchRate: s.tight / (draws * total),
});
const result = {
  dataset: path,
  key: keyKind,
  rows: rows.length,
  compositions: byFormula.size,
  compositionsStoredMoreThanOnce: repeated,
  compositionsWithDifferentStructures: differing,
  ofWhichSameGeometrySpeciesBlind: sameFramework,
  compositionsWithMoreThanFourCrystals: crowded,
  holdout: total,
  holdoutWithoutTrainingCandidate: noCandidate,
  randomRetrieval: summary(scores.random, DRAWS),
  modeRetrieval: summary(scores.mode),
};
const pct = (x) => `${(100 * x).toFixed(2)} %`;
const line = (name, s) =>
  `${name}: match ${pct(s.matchRate)}, RMSE ${s.rmse === null ? '–' : s.rmse.toFixed(4)}, RMS < 0.1 ${pct(s.tightMatchRate)}`;
console.log(`${path}: ${rows.length} crystals, ${byFormula.size} compositions`);
console.log(
  `  stored more than once: ${repeated}, of which with structures that do not match: ${differing}` +
    ` (the same geometry species-blind, RMS < 0.1: ${sameFramework}); with more than 4 crystals (not compared): ${crowded}`,
);
console.log(`  holdout ${total} (no training crystal with the same ${keyKind}: ${noCandidate})`);
console.log(`  ${line('random training crystal', result.randomRetrieval)}`);
console.log(`  ${line('mode training crystal', result.modeRetrieval)}`);
if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
