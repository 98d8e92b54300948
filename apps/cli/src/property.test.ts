import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetCsv } from '@crys/io';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../test/run-cli.js';

// A tiny property model trained here (a few seconds) on the fixture's heat of formation.
const data = join(FIXTURES, 'perov-60.csv');
const tiny = ['--hidden', '8', '--layers', '1', '--batch-size', '8', '--valid-every', '5', '--checkpoint-every', '5'];
let run = '';

beforeAll(() => {
  run = join(tempDir(), 'energy');
  const r = runCli([
    'train',
    '--task',
    'property',
    '--property',
    'heat_ref',
    '--data',
    data,
    '--out',
    run,
    '--steps',
    '10',
    ...tiny,
  ]);
  if (r.code !== 0) throw new Error(`training the test property model failed:\n${r.stderr}`);
}, 120_000);

describe('crys train --task property', () => {
  test('records the column and its training mean and spread in the model', () => {
    const model = JSON.parse(readFileSync(join(run, 'model.json'), 'utf8'));
    expect(model.config.task.kind).toBe('property');
    expect(model.config.property.name).toBe('heat_ref');
    expect(model.config.property.std).toBeGreaterThan(0);
  });

  test('refuses a missing or bad --property before it starts, and --property on another task', () => {
    const out = join(tempDir(), 'never');
    for (const [extra, message] of [
      [[], '--task property needs --property COLUMN'],
      [['--property', 'nope'], "--property names column 'nope', which row"],
      [['--property', 'formula'], "--property names column 'formula', whose value in row"],
    ] as const) {
      const r = runCli(['train', '--task', 'property', '--data', data, '--out', out, '--steps', '2', ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(extra.length ? 'perov-60.csv' : '--property');
    }
    const csp = runCli(['train', '--task', 'csp', '--property', 'heat_ref', '--data', data, '--out', out]);
    expect(csp.code).toBe(2);
    expect(csp.stderr).toContain('--property applies to --task property, not --task csp');
    expect(existsSync(out)).toBe(false);
  });
});

describe('crys eval of a property model', () => {
  test('prints MAE and RMSE beside the training mean, and --json records them', () => {
    // the training split: its elements are the ones the model knows
    const r = runCli(['eval', '--model', run, '--data', data, '--split', 'train']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/property model .* \(heat_ref\) on .*perov-60\.csv \(train split, \d+ rows\)/);
    expect(r.stdout).toMatch(/^MAE {2}\d+\.\d{4} {2}\(the training mean -?\d+\.\d{4} for every row: \d+\.\d{4}\)$/m);
    const j = JSON.parse(runCli(['eval', '--model', run, '--data', data, '--split', 'train', '--json']).stdout);
    expect(j).toMatchObject({ task: 'property', property: 'heat_ref', split: 'train' });
    expect(j.rows).toBeGreaterThan(40);
    expect(j.mae).toBeGreaterThan(0);
    expect(j.rmse).toBeGreaterThanOrEqual(j.mae);
    expect(j.baseline.rmse).toBeGreaterThanOrEqual(j.baseline.mae);
    const refused = runCli(['eval', '--model', run, '--data', data, '--candidates', '2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--candidates applies to structure models');
  });
});

describe('--rank-by', () => {
  const evalArgs = ['eval', '--model', 'perov_5', '--data', data, '--split', 'train', '--limit', '3', '--steps', '5'];

  test("crys eval --candidates k --rank-by keeps one of the k seeds' predictions per row, says so and records it", () => {
    const dir = tempDir();
    const [kept, s0, s1] = ['kept.csv', 's0.csv', 's1.csv'].map((f) => join(dir, f));
    const r = runCli([...evalArgs, '--candidates', '2', '--rank-by', run, '-o', kept]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`each prediction the sample of 2 (seeds 0–1) that ${run} predicts lowest in heat_ref`);
    runCli([...evalArgs, '-o', s0]);
    runCli([...evalArgs, '--seed', '1', '-o', s1]);
    const rows = (f: string) =>
      [...readDatasetCsv(readFileSync(f, 'utf8'))].map((x) => Array.from(x.crystal.fracCoords));
    const [k, a, b] = [kept, s0, s1].map(rows);
    expect(k.length).toBe(3);
    for (let i = 0; i < k.length; i++) expect([a[i], b[i]]).toContainEqual(k[i]);
    const j = JSON.parse(runCli([...evalArgs, '--candidates', '2', '--rank-by', run, '--json']).stdout);
    expect(j).toMatchObject({ candidates: 2, rankBy: run });
  });

  test('is refused without --candidates, with a model that is not a property model, or one that does not exist', () => {
    for (const [extra, message] of [
      [['--rank-by', run], '--rank-by chooses among several samples per row, and needs --candidates k'],
      [['--candidates', '2', '--rank-by', 'perov_5-denoise'], "--rank-by 'perov_5-denoise' is a denoise model"],
      [['--candidates', '2', '--rank-by', 'no-such-model'], "--rank-by 'no-such-model' is neither a shipped model"],
    ] as const) {
      const r = runCli([...evalArgs, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  test('crys predict --composition -n k --rank-by prints every sample with its predicted property and the lowest', () => {
    const out = join(tempDir(), 'srtio3.cif');
    const r = runCli(['predict', '--composition', 'SrTiO3', '-n', '3', '--steps', '5', '--rank-by', run, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/heat_ref/);
    expect(r.stdout).toMatch(/^lowest heat_ref by .*: sample [123] \(seed [012]\)/m);
    const j = JSON.parse(
      runCli([
        'predict',
        '--composition',
        'SrTiO3',
        '-n',
        '3',
        '--steps',
        '5',
        '--rank-by',
        run,
        '--out',
        out,
        '--json',
      ]).stdout,
    );
    const values = j.samples.map((s: Record<string, number>) => s.heat_ref);
    expect(values.length).toBe(3);
    expect(j.lowest).toBe(values.indexOf(Math.min(...values)) + 1);
    const one = runCli(['predict', '--composition', 'SrTiO3', '--rank-by', run, '--out', out]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('--rank-by ranks the samples of --composition, and -n 1 gives one');
  });

  test('crys predict --data --candidates k --rank-by writes the kept samples and says how they were chosen', () => {
    const out = join(tempDir(), 'kept.csv');
    const args = ['predict', '--model', 'perov_5', '--data', data, '--split', 'train', '--limit', '2', '--steps', '5'];
    const r = runCli([...args, '--candidates', '2', '--rank-by', run, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`per row the lowest in heat_ref by ${run} of 2 samples, seeds 0–1`);
    expect([...readDatasetCsv(readFileSync(out, 'utf8'))].length).toBe(2);
    const bare = runCli([...args, '--rank-by', run, '--out', out]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--rank-by chooses among several samples per row, and needs --candidates k');
  });

  test('a property model is refused where crystals move', () => {
    const p = runCli(['predict', '--model', run, '--composition', 'SrTiO3', '--out', join(tempDir(), 'x.cif')]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain(`crys predict moves crystals, and ${run} is a property model (it predicts heat_ref)`);
  });
});
