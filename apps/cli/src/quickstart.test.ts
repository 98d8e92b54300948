import { describe, expect, test } from 'vitest';
import { runCli } from '../test/run-cli.js';

// The README's main job, with the shipped models on held-out rows of data/*/val.csv (a few rows, so it is fast).
interface QuickstartResult {
  dataset: string;
  job: string;
  model: string;
  rows: number;
  matchRate: { before: number | null; after: number };
  structuralValidity: { before: number | null; after: number };
  latticeAngleMae: { before: number | null; after: number | null };
  positionError: { before: number | null; after: number | null };
  tightMatchRate: { before: number | null; after: number };
  spaceGroupRate: { before: number | null; after: number };
  control: { match: { total: number } } | null;
}

describe('crys quickstart (shipped models)', () => {
  test('--json: denoising and structure prediction on both datasets; the perov_5 denoiser moves atoms and cell toward the truth', () => {
    const r = runCli(['quickstart', '--crystals', '3', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { models: boolean; seed: number; results: QuickstartResult[] };
    expect(out.models).toBe(true);
    expect(out.results.map((x) => `${x.dataset}/${x.job}/${x.model}`)).toEqual([
      'perov_5/denoise/perov_5-denoise',
      'perov_5/csp/perov_5',
      'carbon_24/denoise/carbon_24-denoise',
      'carbon_24/csp/carbon_24',
    ]);
    for (const x of out.results) {
      expect(x.rows).toBe(3);
      expect(x.matchRate.after).toBeGreaterThanOrEqual(0);
      expect(x.matchRate.after).toBeLessThanOrEqual(1);
    }
    const perov = out.results[0];
    expect(perov.positionError.after).toBeLessThan(perov.positionError.before as number);
    expect(perov.latticeAngleMae.after).toBeLessThan(perov.latticeAngleMae.before as number);
    expect(out.results[1].matchRate.before).toBeNull(); // structure prediction has no "before"
    // but it has the random-start control, on the same rows
    expect(out.results[1].control?.match.total).toBe(3);
    expect(out.results[0].control).toBeNull();
    for (const x of out.results) {
      expect(x.tightMatchRate.after).toBeLessThanOrEqual(x.matchRate.after);
      expect(x.spaceGroupRate.after).toBeGreaterThanOrEqual(0);
    }
  });

  test('the text report shows the recovery tables and one row per shown crystal, same seed same numbers', () => {
    const a = runCli(['quickstart', '--crystals', '2']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/Denoising perov_5: 2 held-out crystals .* relaxed by perov_5-denoise/);
    expect(a.stdout).toMatch(/Structure prediction carbon_24: 2 held-out compositions/);
    expect(a.stdout).toMatch(/position error, RMS \(Å\) +\d\.\d{4} +\d\.\d{4}/);
    // perov_5 holdout rows in file order: 15400 (VIrO3), 17967 (InSiN3)
    expect(a.stdout).toMatch(/\n15400 +VIrO3 +P4mm \(99\) /);
    expect(a.stdout).toMatch(/\n17967 +InSiN3 /);
    expect(a.stdout).toMatch(
      /over all 2: match rate \d+\.\d %, matched with RMS < 0\.1 \d+\.\d %, RMSE .*, same space group \d+\.\d %, structural/,
    );
    expect(a.stdout).toMatch(/^random-start control \(the starts, no model; same rows\): match rate /m);
    const strip = (s: string) => s.replace(/ in \d+\.\d s/g, '');
    const b = runCli(['quickstart', '--crystals', '2']);
    expect(strip(b.stdout)).toBe(strip(a.stdout));
  });
});
