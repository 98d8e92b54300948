import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDatasetCsv } from '@crys/io';
import { describe, expect, test } from 'vitest';
import { type EvaluationSummary, formatControl, formatEvaluation } from './commands/eval.js';
import { REPO, runCli } from '../test/run-cli.js';

const control = {
  match: {
    matchRate: 0.25,
    rmse: 0.44,
    matched: 1,
    total: 4,
    matchRateNoValidity: 0.5,
    rmseNoValidity: 0.45,
    tightMatchRate: 0,
    tightMatched: 0,
    tightMatchRateNoValidity: 0,
    tightRms: 0.1,
  },
  spaceGroup: { rate: 0, same: 0, total: 4, failed: 1, truthFailed: 0, symprec: 0.1 },
};

const structure: EvaluationSummary = {
  task: 'structure',
  rows: 4,
  seconds: 1,
  matchRate: { before: null, after: 0.75 },
  rmse: { before: null, after: 0.2 },
  tightMatchRate: { before: null, after: 0.5 },
  tightRms: 0.1,
  frameworkTightMatchRate: 0.75,
  spaceGroupRate: { before: null, after: 0.25 },
  spaceGroupSymprec: 0.1,
  control,
  structuralValidity: { before: null, after: 1 },
  compositionalValidity: 1,
  latticeLengthMae: { before: null, after: null },
  latticeAngleMae: { before: null, after: null },
  meanBaseline: null,
  positionError: { before: null, after: null },
};

describe('formatEvaluation', () => {
  test('formatEvaluation(summary) prints the tight match and space-group rows and the control on its own line', () => {
    const lines = formatEvaluation(structure).split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^matched with RMS < 0\.1 +– +50\.0 %$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}the same, species-blind \(sites in any order\) +75\.0 %$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^same space group as the truth \(symprec 0\.1 Å\) +– +25\.0 %$/),
    );
    expect(lines.at(-1)).toBe(
      'random-start control (the starts, no model; same rows): match rate 25.0 %, RMS < 0.1 0.0 %, RMSE 0.4400, same space group 0.0 %',
    );
    expect(lines.at(-1)).toBe(formatControl(structure));
  });

  test('formatEvaluation(summary) of a record without the new figures (an older eval.json) prints dashes', () => {
    const old: EvaluationSummary = {
      ...structure,
      task: 'denoise',
      tightMatchRate: { before: null, after: null },
      tightRms: null,
      spaceGroupRate: { before: null, after: null },
      spaceGroupSymprec: null,
      control: null,
      frameworkTightMatchRate: undefined,
    };
    const text = formatEvaluation(old);
    expect(text).not.toContain('species-blind');
    expect(text).toMatch(/^matched with RMS < 0\.1 +– +–$/m);
    expect(text).not.toContain('random-start control');
    expect(formatControl(old)).toBe('');
  });
});

describe('crys eval (shipped structure model)', () => {
  const args = ['eval', '--model', 'perov_5', '--data', 'data/perov_5/val.csv', '--limit', '6', '--steps', '5'];

  test('crys eval prints the tight match rate, the space-group rate and the random-start control; --json carries them', () => {
    const t = runCli(args);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^structure: 6 crystals +before +after$/m);
    expect(t.stdout).toMatch(/^matched with RMS < 0\.1 +– +\d+\.\d %$/m);
    expect(t.stdout).toMatch(/^same space group as the truth \(symprec 0\.1 Å\) +– +\d+\.\d %$/m);
    expect(t.stdout).toMatch(
      /^random-start control \(the starts, no model; same rows\): match rate \d+\.\d %, RMS < 0\.1 \d+\.\d %, RMSE (\d\.\d{4}|–), same space group \d+\.\d %$/m,
    );
    const j = JSON.parse(runCli([...args, '--json']).stdout);
    expect(j.tightMatchRate).toEqual({ before: null, after: j.match.after.tightMatchRate });
    expect(j.frameworkTightMatchRate).toBe(j.framework.tightMatchRate);
    expect(j.frameworkTightMatchRate).toBeGreaterThanOrEqual(j.tightMatchRate.after);
    expect(t.stdout).toMatch(/^ {2}the same, species-blind \(sites in any order\) +\d+\.\d %$/m);
    expect(j.spaceGroupRate).toEqual({ before: null, after: j.spaceGroup.after.rate });
    expect(j.spaceGroup.after).toMatchObject({ total: 6, symprec: 0.1 });
    expect(j.control.match.total).toBe(6);
    expect(j.control.spaceGroup.total).toBe(6);
    // the printed control is the JSON's
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    expect(t.stdout).toContain(`match rate ${pct(j.control.match.matchRate)}, RMS < 0.1`);
    // the sampler settings recorded are the model file's own (perov_5 records its corrector)
    const file = JSON.parse(readFileSync(join(REPO, 'packages/model/models/perov_5/model.json'), 'utf8')).config;
    expect(j).toMatchObject({
      refineSteps: file.refineSteps ?? 0,
      correctorSteps: file.correctorSteps ?? 0,
      correctorScale: file.correctorScale ?? 0.1,
    });
  });

  test('crys eval --refine-steps / --corrector-steps / --corrector-scale reach the sampler, are recorded and checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crys-eval-sampler-'));
    const a = join(dir, 'corrected.csv'),
      b = join(dir, 'plain.csv');
    const j = JSON.parse(
      runCli([...args, '--corrector-steps', '2', '--corrector-scale', '0.3', '-o', a, '--json']).stdout,
    );
    runCli([...args, '-o', b, '--json']);
    expect(j).toMatchObject({ refineSteps: 0, correctorSteps: 2, correctorScale: 0.3 });
    // the predictions differ (the corrector moved the atoms)
    expect(readFileSync(a, 'utf8')).not.toBe(readFileSync(b, 'utf8'));
    const bad = runCli([...args, '--corrector-scale', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--corrector-scale');
    expect(runCli([...args, '--refine-steps', '-1']).code).toBe(2);
  });

  test('crys eval --symmetrize idealises predictions and starts with moyo, says so, and records it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crys-eval-sym-'));
    const out = join(dir, 'sym.csv');
    const t = runCli([...args, '--symmetrize', '0.3', '-o', out]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(
      'idealised with moyo at symprec 0.3 Å before scoring (--symmetrize: not the plain model)',
    );
    const j = JSON.parse(runCli([...args, '--symmetrize', '0.3', '--json']).stdout);
    expect(j).toMatchObject({ symmetrize: 0.3 });
    expect(j.symmetrizeFailed).toBeGreaterThanOrEqual(0);
    expect(readFileSync(out, 'utf8')).toContain('material_id');
    expect(JSON.parse(runCli([...args, '--json']).stdout).symmetrize).toBeUndefined();
    expect(runCli([...args, '--symmetrize', '0']).code).toBe(2);
  });
  test("crys eval --candidates k keeps, per row, one of the k seeds' predictions, says so, records it, and refuses what it cannot do before any work", () => {
    const dir = mkdtempSync(join(tmpdir(), 'crys-eval-candidates-'));
    const [kept, s0, s1] = ['kept.csv', 's0.csv', 's1.csv'].map((f) => join(dir, f));
    const t = runCli([...args, '--candidates', '2', '-o', kept]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(
      "each prediction the most symmetric of 2 samples (seeds 0–1, moyo at symprec 0.1 Å), the control's starts selected alike (--candidates: 2 samples per composition, not the one-sample model)",
    );
    expect(runCli([...args, '-o', s0]).code).toBe(0);
    expect(runCli([...args, '--seed', '1', '-o', s1]).code).toBe(0);
    // each written row is that row of seed 0's or of seed 1's predictions
    const rows = (f: string) =>
      [...readDatasetCsv(readFileSync(f, 'utf8'))].map((r) => Array.from(r.crystal.fracCoords));
    const [k, a, b] = [kept, s0, s1].map(rows);
    expect(k.length).toBe(6);
    for (let i = 0; i < k.length; i++) expect([a[i], b[i]]).toContainEqual(k[i]);
    expect(JSON.parse(runCli([...args, '--candidates', '2', '--json']).stdout)).toMatchObject({ candidates: 2 });
    for (const [extra, message] of [
      [['--candidates', '1'], '--candidates'],
      [['--candidates', '2', '--shard-size', '3'], 'does not combine with --queue or --shard-size'],
    ] as const) {
      const r = runCli([...args, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const lattice = runCli([
      'eval',
      '--model',
      'perov_5-lattice',
      '--data',
      'data/perov_5/val.csv',
      '--limit',
      '2',
      '--candidates',
      '2',
    ]);
    expect(lattice.code).toBe(2);
    expect(lattice.stderr).toContain(
      '--candidates selects among structure predictions; perov_5-lattice is a lattice model',
    );
  });

  test('crys eval --lattice-model derives the lattices again with a lattice-recovery model, says so, records it, and refuses the wrong kind of model before any work', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crys-eval-lattice-'));
    const plain = join(dir, 'plain.csv'),
      piped = join(dir, 'piped.csv');
    const t = runCli([...args, '--lattice-model', 'perov_5-lattice', '-o', piped]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('derived again by the lattice-recovery model perov_5-lattice');
    runCli([...args, '-o', plain]);
    // the same atoms (the same fractional coordinates), other lattices
    const cells = (f: string) => readFileSync(f, 'utf8').match(/_cell_length_a\s+\S+/g) ?? [];
    const sites = (f: string) =>
      readFileSync(f, 'utf8').match(/^\s+[A-Z][a-z]?\s+\w+\s+[-\d.]+\s+[-\d.]+\s+[-\d.]+\s+1$/gm);
    expect(cells(piped).length).toBeGreaterThan(0);
    expect(cells(piped)).not.toEqual(cells(plain));
    expect(sites(piped)?.length).toBe(6 * 5);
    expect(sites(piped)).toEqual(sites(plain));
    const j = JSON.parse(runCli([...args, '--lattice-model', 'perov_5-lattice', '--json']).stdout);
    expect(j).toMatchObject({ latticeModel: 'perov_5-lattice', model: 'perov_5' });
    const wrongKind = runCli([...args, '--lattice-model', 'perov_5-denoise']);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toContain("--lattice-model 'perov_5-denoise' is a denoise model");
    const unknown = runCli([...args, '--lattice-model', 'carbon_24-lattice']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--lattice-model 'carbon_24-lattice' was not trained on");
  });
});
