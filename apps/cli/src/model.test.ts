import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitOf } from '@crys/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES, runCli, startCli, tempDir } from '../test/run-cli.js';

// A tiny model trained here (a few seconds), so these tests do not depend on the shipped weights.
const data = join(FIXTURES, 'perov-60.csv');
const tiny = ['--hidden', '8', '--layers', '1', '--batch-size', '8', '--valid-every', '5', '--checkpoint-every', '5'];
let run = '';
let firstTrainRow = 0;

interface Metric {
  type: string;
  step: number;
  loss?: number;
}

function metricsOf(text: string): Metric[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Metric);
}

beforeAll(() => {
  run = join(tempDir(), 'run');
  const r = runCli(['train', '--task', 'denoise', '--data', data, '--out', run, '--steps', '12', ...tiny, '--json']);
  if (r.code !== 0) throw new Error(`training the test model failed:\n${r.stderr}`);
  const ids = (JSON.parse(runCli(['info', data, '--json', '--limit', '60']).stdout) as { id: string }[]).map(
    (x) => x.id,
  );
  firstTrainRow = ids.findIndex((id) => splitOf(id) === 'train') + 1;
}, 120_000);

describe('crys train', () => {
  test('--json streams start/train/valid/done records and the run folder holds model, checkpoint and metrics', () => {
    const lines = metricsOf(readFileSync(join(run, 'metrics.jsonl'), 'utf8'));
    expect(lines[0].type).toBe('start');
    expect(lines.at(-1)?.type).toBe('done');
    expect(lines.some((m) => m.type === 'valid' && Number.isFinite(m.loss))).toBe(true);
    const model = JSON.parse(readFileSync(join(run, 'model.json'), 'utf8')) as { format: string };
    expect(model.format).toBe('crys-action-model');
    const checkpoint = JSON.parse(readFileSync(join(run, 'checkpoint.json'), 'utf8')) as {
      step: number;
      format: string;
    };
    expect(checkpoint.format).toBe('crys-action-checkpoint');
    expect(checkpoint.step).toBe(12);
  });

  test('--resume continues from the checkpoint to the new --steps, and --plot writes an SVG loss curve', () => {
    const dir = join(tempDir(), 'run');
    expect(runCli(['train', '--task', 'denoise', '--data', data, '--out', dir, '--steps', '6', ...tiny]).code).toBe(0);
    const svg = join(dir, 'loss.svg');
    const r = runCli([
      'train',
      '--task',
      'denoise',
      '--data',
      data,
      '--out',
      dir,
      '--steps',
      '10',
      ...tiny,
      '--resume',
      '--plot',
      svg,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^trained 10 steps in /);
    expect(r.stderr).toContain('resuming at step 6');
    const lines = metricsOf(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'));
    expect(lines.filter((m) => m.type === 'start').map((m) => m.step)).toEqual([0, 6]);
    const plot = readFileSync(svg, 'utf8');
    expect(plot.startsWith('<svg')).toBe(true);
    expect(plot).toContain('validation loss');
    expect((plot.match(/<polyline|<circle/g) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  test('--cutoff-graph trains on the radius graph (model file version 3, crys model says so); a non-positive radius is a usage error', () => {
    const trainCsp = (out: string, ...more: string[]) =>
      runCli(['train', '--task', 'csp', '--data', data, '--out', out, ...more]);
    const dir = join(tempDir(), 'run');
    const r = trainCsp(dir, '--steps', '3', ...tiny, '--cutoff-graph', '5');
    expect(r.code).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      version: number;
      config: { network: { graph: string; cutoff: number } };
    };
    expect(model.version).toBe(3);
    expect(model.config.network).toMatchObject({ graph: 'cutoff', cutoff: 5 });
    expect(runCli(['model', dir]).stdout).toMatch(/graph +every neighbour within 5 Å, envelope-weighted averages/);
    const out = join(dir, 'SrTiO3.cif');
    const predicted = runCli(['predict', '--model', dir, '--composition', 'SrTiO3', '--steps', '3', '--out', out]);
    expect(predicted.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const bad = trainCsp(join(tempDir(), 'x'), '--cutoff-graph', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cutoff-graph');
  });

  test('--threads 2 writes the same model, bit for bit, as --threads 1; --threads 0 is a usage error', () => {
    // F = 64 and batches of 32 are large enough for the kernels to split their work across the threads.
    const args = ['--task', 'structure', '--data', data, '--steps', '3', '--batch-size', '32', '--valid-every', '3'];
    const models = ['1', '2'].map((threads) => {
      const dir = join(tempDir(), 'run');
      const r = runCli(['train', ...args, '--out', dir, '--threads', threads]);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(join(dir, 'checkpoint.json'), 'utf8').replace(/"elapsed[A-Za-z]*":[0-9.e+-]+/g, '');
    });
    expect(models[1]).toBe(models[0]);
    const bad = runCli(['train', ...args, '--out', join(tempDir(), 'run'), '--threads', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--threads.*expected an integer from 1 to 64, got '0'/);
  });

  test('starting over an existing run without --resume is refused (exit 2); --resume without a run fails (exit 1)', () => {
    const again = runCli(['train', '--task', 'denoise', '--data', data, '--out', run, '--steps', '2']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds a training run (checkpoint.json)');
    expect(again.stderr).toContain('hint: pass --resume to continue it, or choose another --out');
    const none = runCli(['train', '--task', 'denoise', '--data', data, '--out', join(tempDir(), 'x'), '--resume']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('nothing to resume');
  });

  test('bad --task and a missing --data are usage errors (exit 2)', () => {
    const t = runCli(['train', '--task', 'magic', '--data', data, '--out', 'x']);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain("expected one of lattice, denoise, csp, structure, property, got 'magic'");
    const d = runCli(['train', '--task', 'csp', '--out', 'x']);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain("required option '--data, --dataset <file.csv>' not specified");
  });

  test('--dataset and --max-steps spell --data and --steps; --resume keeps the run configuration, and a different --seed or --task is a usage error', () => {
    const dir = join(tempDir(), 'run');
    const common = ['--dataset', data, '--out', dir];
    const first = runCli([
      'train',
      '--task',
      'csp',
      ...common,
      '--max-steps',
      '4',
      ...tiny,
      '--name',
      'tiny-csp',
      '--seed',
      '3',
      '--warmup',
      '2',
      '--lattice-weight',
      '5',
      '--k',
      '8',
    ]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^trained 4 steps in /);
    const resumed = runCli(['train', '--task', 'csp', ...common, '--max-steps', '6', '--resume', '--json']);
    expect(resumed.code).toBe(0);
    const start = metricsOf(resumed.stdout)[0] as Metric & { config: Record<string, unknown> };
    expect(start.type).toBe('start');
    expect(start.step).toBe(4);
    expect(start.config).toMatchObject({
      task: 'structure',
      name: 'tiny-csp',
      seed: 3,
      maxSteps: 6,
      warmupSteps: 2,
      latticeWeight: 5,
      k: 8,
      network: { hidden: 8, layers: 1 },
      meta: { dataset: data },
    });
    expect(metricsOf(resumed.stdout).at(-1)).toMatchObject({ type: 'done', step: 6 });
    const seed = runCli(['train', '--task', 'csp', ...common, '--max-steps', '8', '--resume', '--seed', '4']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain(`--seed differs from the run being resumed in ${dir}: it has 3, got 4`);
    const task = runCli(['train', '--task', 'denoise', ...common, '--max-steps', '8', '--resume']);
    expect(task.code).toBe(2);
    expect(task.stderr).toContain('--task differs from the run being resumed');
    expect(task.stderr).toContain("hint: give --task the run's value to continue it");
    expect(metricsOf(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).at(-1)).toMatchObject({ type: 'done', step: 6 });
  });

  test('SIGKILL during training never leaves a truncated checkpoint or model, and the run resumes', async () => {
    const dir = join(tempDir(), 'run');
    const args = ['train', '--task', 'denoise', '--data', data, '--out', dir, '--steps', '400', ...tiny.slice(0, 6)];
    const child = startCli([...args, '--valid-every', '3', '--checkpoint-every', '1']);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // wait for a few checkpoints, then kill at an arbitrary moment
    const t0 = Date.now();
    while (!existsSync(join(dir, 'checkpoint.json')) && Date.now() - t0 < 60_000)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 700));
    child.kill('SIGKILL');
    await exited;
    const checkpoint = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { step: number };
    expect(checkpoint.step).toBeGreaterThan(0);
    if (existsSync(join(dir, 'model.json'))) {
      expect((JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { format: string }).format).toBe(
        'crys-action-model',
      );
    }
    const r = runCli([...args.slice(0, 7), '--steps', String(checkpoint.step + 2), ...tiny, '--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`resuming at step ${checkpoint.step}`);
  });
});

describe('crys relax / predict / eval with a trained model', () => {
  test('crys relax prints each step and writes the final structure and an extended XYZ trajectory', () => {
    const dir = tempDir();
    const out = join(dir, 'relaxed.vasp');
    const traj = join(dir, 'path.xyz');
    const r = runCli([
      'relax',
      data,
      '--index',
      String(firstTrainRow),
      '--model',
      run,
      '--steps',
      '5',
      '--out',
      out,
      '--trajectory',
      traj,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`5 steps of model ${run}`);
    expect(r.stdout).toMatch(/^step +t +a +b +c +α +β +γ +disp Å +strain$/m);
    expect(r.stdout).toMatch(/^5 +0\.100 +\d/m);
    const frames = readFileSync(traj, 'utf8').match(/Lattice="/g) ?? [];
    expect(frames).toHaveLength(6); // the start and 5 steps
    const info = JSON.parse(runCli(['info', out, '--json']).stdout) as { numAtoms: number }[];
    expect(info[0].numAtoms).toBe(5);
  });

  test('crys relax --json reports steps with lattice parameters and displacement', () => {
    const dir = tempDir();
    const r = runCli([
      'relax',
      data,
      '--index',
      String(firstTrainRow),
      '--model',
      join(run, 'model.json'),
      '--steps',
      '3',
      '--out',
      join(dir, 'a.cif'),
      '--trajectory',
      join(dir, 'a.xyz'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { steps: { a: number; displacement: number }[] };
    expect(j.steps).toHaveLength(3);
    for (const s of j.steps) {
      expect(s.a).toBeGreaterThan(1);
      expect(Number.isFinite(s.displacement)).toBe(true);
    }
  });

  test('crys predict --data writes one row per input row (same ids), deterministic for a seed', () => {
    const dir = tempDir();
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    // the training split: every element is one the model was trained on
    const args = ['predict', '--data', data, '--split', 'train', '--limit', '6', '--model', run, '--steps', '3'];
    const r = runCli([...args, '--out', a]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^predicted 6 structure\(s\) with model .* wrote .*a\.csv/);
    expect(runCli([...args, '--out', b]).code).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    const rows = JSON.parse(runCli(['info', a, '--json', '--limit', '10']).stdout) as { id: string }[];
    expect(rows.map((x) => splitOf(x.id))).toEqual(Array(6).fill('train'));
  });

  test('crys predict --data refuses --samples (one sample per row) before any work, naming the flag', () => {
    const out = join(tempDir(), 'n.csv');
    const r = runCli(['predict', '--data', data, '--model', run, '-n', '4', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--samples 4 applies to --composition; --data predicts one sample per row');
    expect(r.stderr).toContain('--seed');
    expect(existsSync(out)).toBe(false);
  });

  test('crys predict --data --candidates k writes, per row, the most symmetric of k seeds; --composition refuses it', () => {
    const out = join(tempDir(), 'c.csv');
    const args = ['predict', '--data', 'data/perov_5/val.csv', '--limit', '3', '--model', 'perov_5', '--steps', '2'];
    const r = runCli([...args, '--candidates', '2', '--seed', '4', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'per row the most symmetric of 2 samples, seeds 4–5 (--candidates: not the one-sample model)',
    );
    expect(existsSync(out)).toBe(true);
    // this run's model is a denoiser: nothing to select among
    const d = runCli(['predict', '--data', data, '--limit', '2', '--model', run, '--candidates', '2', '--out', out]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('--candidates selects among structure predictions');
    const c = runCli(['predict', '--composition', 'SrTiO3', '--model', run, '--candidates', '2']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--candidates applies to --data');
  });

  test('crys predict --composition gives n samples of the composition', () => {
    const dir = tempDir();
    const out = join(dir, 'p.cif');
    // the denoising model also acts from random starts; a structure model is the usual choice
    const r = runCli([
      'predict',
      '--composition',
      'SrTiO3',
      '-n',
      '2',
      '--model',
      run,
      '--steps',
      '3',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { samples: { formula: string; seed: number }[] };
    expect(j.samples.map((s) => [s.formula, s.seed])).toEqual([
      ['SrTiO3', 0],
      ['SrTiO3', 1],
    ]);
    expect((readFileSync(out, 'utf8').match(/^data_/gm) ?? []).length).toBe(2);
  });

  test('an element the model does not know is a clear failure (exit 1), not a stack trace', () => {
    const r = runCli(['predict', '--composition', 'Og2', '--model', run, '--out', join(tempDir(), 'x.cif')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--composition 'Og2': Og is not among the \d+ element\(s\) model .*run was trained on/);
    expect(r.stderr).toContain('hint:');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('crys eval prints the before/after metrics table on a split, and --json the same numbers', () => {
    const r = runCli([
      'eval',
      '--model',
      run,
      '--data',
      data,
      '--split',
      'train',
      '--limit',
      '8',
      '--steps',
      '3',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { task: string; rows: number; matchRate: { before: number; after: number } };
    expect(j.task).toBe('denoise');
    expect(j.rows).toBe(8);
    expect(j.matchRate.after).toBeGreaterThanOrEqual(0);
    expect(j.matchRate.after).toBeLessThanOrEqual(1);
    const t = runCli(['eval', '--model', run, '--data', data, '--split', 'train', '--limit', '8', '--steps', '3']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^denoise: 8 crystals +before +after$/m);
    expect(t.stdout).toContain('match rate (stol 0.5, ltol 0.3, angle_tol 10)');
    expect(t.stdout).toContain('position error, RMS (Å)');
  });

  test('crys predict --dataset --split --seed: one sample per row of the split, another seed gives other structures', () => {
    const dir = tempDir();
    const args = ['predict', '--model', run, '--dataset', data, '--split', 'train', '--limit', '4', '--steps', '3'];
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    expect(runCli([...args, '--seed', '0', '--out', a]).code).toBe(0);
    expect(runCli([...args, '--seed', '1', '--out', b]).code).toBe(0);
    const ids = (file: string) =>
      (JSON.parse(runCli(['info', file, '--json', '--limit', '10']).stdout) as { id: string }[]).map((x) => x.id);
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a)).toHaveLength(4);
    expect(readFileSync(a, 'utf8')).not.toBe(readFileSync(b, 'utf8'));
  });

  test('crys eval --json FILE writes the settings, the report and the summary; --out writes the predictions', () => {
    const dir = tempDir();
    const json = join(dir, 'eval.json');
    const pred = join(dir, 'pred.csv');
    const args = ['eval', '--model', run, '--dataset', data, '--split', 'train', '--limit', '8', '--steps', '3'];
    const r = runCli([...args, '--start-level', '0.3', '--json', json, '--out', pred]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^denoise: 8 crystals +before +after$/m);
    expect(r.stdout).toContain(`wrote ${pred}, ${json}`);
    const e = JSON.parse(readFileSync(json, 'utf8'));
    expect(e).toMatchObject({ split: 'train', seed: 0, steps: 3, eta: 0, moveLattice: true, startLevel: 0.3 });
    expect(e).toMatchObject({ task: 'denoise', rows: 8, meanBaseline: null });
    expect(e.match.after.total).toBe(8);
    expect(e.match.after.matchRate).toBe(e.matchRate.after);
    expect(e.match.before.matchRate).toBe(e.matchRate.before);
    expect(e.lattice.after.lengthMae).toBe(e.latticeLengthMae.after);
    expect(e.positionError.before).toBeGreaterThan(0);
    // the tight match and space-group rates, before (the perturbed inputs) and after; no random-start control
    expect(e.tightMatchRate).toEqual({ before: e.match.before.tightMatchRate, after: e.match.after.tightMatchRate });
    expect(e.spaceGroupRate).toEqual({ before: e.spaceGroup.before.rate, after: e.spaceGroup.after.rate });
    expect(e.spaceGroup.after.total).toBe(8);
    expect(e.control).toBeNull();
    const rows = JSON.parse(runCli(['info', pred, '--json', '--limit', '10']).stdout) as { id: string }[];
    const trainIds = (JSON.parse(runCli(['info', data, '--json', '--limit', '60']).stdout) as { id: string }[])
      .map((x) => x.id)
      .filter((id) => splitOf(id) === 'train');
    expect(rows.map((x) => x.id)).toEqual(trainIds.slice(0, 8));
    // the same run printed: identical numbers but the timing
    const printed = JSON.parse(runCli([...args, '--start-level', '0.3', '--json']).stdout);
    expect({ ...printed, seconds: 0 }).toEqual({ ...e, seconds: 0 });
  });

  test('crys eval --fixed-lattice keeps the lattice (its MAE unchanged) while the default moves it', () => {
    const args = [
      'eval',
      '--model',
      run,
      '--dataset',
      data,
      '--split',
      'train',
      '--limit',
      '6',
      '--steps',
      '3',
      '--json',
    ];
    type Lmae = { moveLattice: boolean; latticeLengthMae: { before: number; after: number } };
    const fixedRun = JSON.parse(runCli([...args, '--fixed-lattice']).stdout) as Lmae;
    expect(fixedRun.moveLattice).toBe(false);
    expect(fixedRun.latticeLengthMae.after).toBeCloseTo(fixedRun.latticeLengthMae.before, 12);
    const moved = JSON.parse(runCli(args).stdout) as Lmae;
    expect(moved.latticeLengthMae.before).toBe(fixedRun.latticeLengthMae.before);
    expect(moved.latticeLengthMae.after).not.toBeCloseTo(moved.latticeLengthMae.before, 6);
  });

  test('crys eval of a lattice model prints the training-mean baseline: the MAE of predicting the train split mean', () => {
    const dir = join(tempDir(), 'lattice');
    const t = runCli(['train', '--task', 'lattice', '--dataset', data, '--out', dir, '--max-steps', '3', ...tiny]);
    expect(t.code).toBe(0);
    const e = JSON.parse(
      runCli(['eval', '--model', dir, '--dataset', data, '--split', 'train', '--limit', '10', '--steps', '2', '--json'])
        .stdout,
    ) as { task: string; meanBaseline: { lengthMae: number; angleMae: number } };
    expect(e.task).toBe('lattice');
    type Info = { id: string; lattice: Record<'a' | 'b' | 'c' | 'alpha' | 'beta' | 'gamma', number> };
    const train = (JSON.parse(runCli(['info', data, '--json', '--limit', '60']).stdout) as Info[]).filter(
      (x) => splitOf(x.id) === 'train',
    );
    const mean = (k: 'a' | 'b' | 'c') => train.reduce((s, x) => s + x.lattice[k], 0) / train.length;
    const m = { a: mean('a'), b: mean('b'), c: mean('c') };
    const rows = train.slice(0, 10);
    const lengthMae =
      rows.reduce(
        (s, x) => s + Math.abs(x.lattice.a - m.a) + Math.abs(x.lattice.b - m.b) + Math.abs(x.lattice.c - m.c),
        0,
      ) /
      (3 * rows.length);
    expect(e.meanBaseline.lengthMae).toBeCloseTo(lengthMae, 6);
    const table = runCli([
      'eval',
      '--model',
      dir,
      '--dataset',
      data,
      '--split',
      'train',
      '--limit',
      '10',
      '--steps',
      '2',
    ]);
    expect(table.stdout).toMatch(/^lattice length MAE, training-mean baseline \(Å\) +\d+\.\d{4}$/m);
  });

  test('crys split prints the sizes of the train / valid / holdout parts that splitOf gives, as a table and as JSON', () => {
    const ids = (JSON.parse(runCli(['info', data, '--json', '--limit', '60']).stdout) as { id: string }[]).map(
      (x) => x.id,
    );
    const count = (part: string) => ids.filter((id) => splitOf(id) === part).length;
    const r = runCli(['split', data, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      file: data,
      rows: 60,
      train: count('train'),
      valid: count('valid'),
      holdout: count('holdout'),
    });
    const t = runCli(['split', data]);
    expect(t.stdout).toMatch(new RegExp(`^holdout +9 +${count('holdout')} +`, 'm'));
  });

  test('crys predict --corrector-steps runs the predictor–corrector sampler (other structures, same seed)', () => {
    const dir = tempDir();
    const plain = runCli(['predict', '--composition', 'SrTiO3', '--steps', '5', '--out', join(dir, 'a.cif')]);
    const corr = runCli([
      'predict',
      '--composition',
      'SrTiO3',
      '--steps',
      '5',
      '--corrector-steps',
      '2',
      '--corrector-scale',
      '0.5',
      '--out',
      join(dir, 'b.cif'),
    ]);
    expect(plain.code).toBe(0);
    expect(corr.code).toBe(0);
    expect(readFileSync(join(dir, 'b.cif'), 'utf8')).not.toBe(readFileSync(join(dir, 'a.cif'), 'utf8'));
  });

  test('out-of-range sampler and backend options are usage errors (exit 2)', () => {
    const eta = runCli(['predict', '--composition', 'SrTiO3', '--eta', '2']);
    expect(eta.code).toBe(2);
    expect(eta.stderr).toContain("option '--eta <x>' argument '2' is invalid. expected a number from 0 to 1, got '2'.");
    const corrector = runCli(['predict', '--composition', 'SrTiO3', '--corrector-steps', '101']);
    expect(corrector.code).toBe(2);
    expect(corrector.stderr).toContain("option '--corrector-steps <n>' argument '101' is invalid");
    expect(runCli(['relax', data, '--corrector-scale', '0']).code).toBe(2);
    const backend = runCli(['eval', '--dataset', data, '--backend', 'gpu']);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toContain("expected one of wasm, cpu, got 'gpu'");
  });

  test('a missing model path or unknown name is a usage error listing the shipped models', () => {
    const r = runCli(['relax', data, '--model', 'no-such-model']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--model 'no-such-model' is neither a shipped model nor an existing file");
    expect(r.stderr).toMatch(/hint: shipped models: perov_5, carbon_24/);
  });

  test('a corrupt model file fails with the file named', () => {
    const bad = join(tempDir(), 'model.json');
    writeFileSync(bad, '{"format": "crys-action-model", "version": 1');
    const r = runCli(['relax', data, '--model', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`crys relax: error: ${bad} is not a model file:`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
