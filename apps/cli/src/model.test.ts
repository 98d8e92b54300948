import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitOf } from '@crys/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES, runCli, startCli, tempDir } from './test-support/run-cli.js';

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
    expect(t.stderr).toContain("expected one of lattice, denoise, csp, structure, got 'magic'");
    const d = runCli(['train', '--task', 'csp', '--out', 'x']);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain("required option '--data <file.csv>' not specified");
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
    expect(r.stderr).toMatch(/Og \(Z = 118\).*was not trained on/);
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
