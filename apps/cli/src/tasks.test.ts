import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIELD_MATCHER_OPTIONS } from '@crys/eval';
import { atomSigma, DEFAULT_TRAIN_CONFIG, LATTICE_STD_FLOOR, TASKS, type TaskKind } from '@crys/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { summarizeTraining } from './commands/model.js';
import { FIXTURES, hasAnsi, REPO, runCli, tempDir } from '../test/run-cli.js';

interface TaskJson {
  task: TaskKind;
  option: string;
  config: unknown;
  noise: { atomSigma: [number, number]; topLevelIsPriorCell: boolean };
  loss: { text: string; latticeWeight: number | null; stdFloor: { length: number; angle: number } | null };
  metrics: string[];
  matcher: unknown;
  shipped: string[];
  commands: { train: string; eval: string };
}

describe('crys tasks', () => {
  test('crys tasks --json gives each task the numbers of @crys/model and @crys/eval', () => {
    const r = runCli(['tasks', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { tasks: TaskJson[]; trainingDefaults: Record<string, unknown> };
    expect(out.tasks.map((t) => [t.task, t.option])).toEqual([
      ['structure', 'csp'],
      ['denoise', 'denoise'],
      ['lattice', 'lattice'],
      ['property', 'property'],
    ]);
    for (const t of out.tasks) {
      const task = TASKS[t.task];
      expect(t.config).toEqual(task);
      expect(t.noise.atomSigma).toEqual([atomSigma(task, 0), atomSigma(task, 1)]);
      expect(t.noise.topLevelIsPriorCell).toBe(task.latticeFromPrior);
      expect(t.matcher).toEqual({ ...FIELD_MATCHER_OPTIONS });
      if (t.task === 'property') continue; // its metrics and command: below
      expect(t.metrics[0]).toContain(
        `stol ${FIELD_MATCHER_OPTIONS.stol}, ltol ${FIELD_MATCHER_OPTIONS.ltol}, angle_tol ${FIELD_MATCHER_OPTIONS.angleTol}`,
      );
      expect(t.commands.train).toBe(
        `crys train --task ${t.option} --data data/perov_5/val.csv --out runs/perov_5-${t.option}`,
      );
    }
    const [structure, denoise, lattice, property] = out.tasks;
    expect(property.commands.train).toBe(
      'crys train --task property --property heat_ref --data data/perov_5/val.csv --out runs/perov_5-energy',
    );
    expect(property.metrics).toEqual([
      'MAE and RMSE of the property in its own units, beside the "predict the training mean" baseline',
    ]);
    expect(property.shipped).toEqual(['perov_5-energy', 'carbon_24-energy']);
    expect(structure.loss.latticeWeight).toBe(DEFAULT_TRAIN_CONFIG.latticeWeight);
    expect(denoise.loss.latticeWeight).toBe(DEFAULT_TRAIN_CONFIG.latticeWeight);
    expect(lattice.loss).toMatchObject({
      latticeWeight: null,
      stdFloor: { length: LATTICE_STD_FLOOR[0], angle: LATTICE_STD_FLOOR[3] },
    });
    expect(structure.shipped).toEqual(['perov_5', 'carbon_24']);
    expect(lattice.shipped).toEqual(['perov_5-lattice', 'carbon_24-lattice']);
    expect(denoise.metrics.join('\n')).toContain('position error');
    expect(lattice.metrics.join('\n')).toContain('training mean');
    expect(out.trainingDefaults).toMatchObject({
      maxSteps: DEFAULT_TRAIN_CONFIG.maxSteps,
      batchSize: DEFAULT_TRAIN_CONFIG.batchSize,
      learningRate: DEFAULT_TRAIN_CONFIG.learningRate,
      latticeWeight: DEFAULT_TRAIN_CONFIG.latticeWeight,
      k: DEFAULT_TRAIN_CONFIG.k,
      network: { ...DEFAULT_TRAIN_CONFIG.network },
    });
  });

  test('crys tasks prints the summary table, one block per task and the training defaults, without colour off a terminal', () => {
    const r = runCli(['tasks']);
    expect(r.code).toBe(0);
    expect(hasAnsi(r.stdout)).toBe(false);
    const s = TASKS.structure;
    expect(r.stdout).toMatch(
      new RegExp(
        `^structure prediction from random starts +csp +${s.atomSigmaMin} → ${s.atomSigmaMax} +${s.latticeNoise} +volume-prior cube`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/^lattice reconstruction +lattice +fixed /m);
    for (const heading of ['(--task csp)', '(--task denoise)', '(--task lattice)', 'training defaults']) {
      expect(r.stdout).toContain(heading);
    }
    expect(r.stdout).toContain(`floored at ${LATTICE_STD_FLOOR[0]} Å for a, b, c and ${LATTICE_STD_FLOOR[3]}°`);
    expect(r.stdout).toContain(`--lattice-weight ${DEFAULT_TRAIN_CONFIG.latticeWeight}`);
    expect(r.stdout).toContain('$ crys eval --model perov_5-denoise --data data/perov_5/val.csv');
    expect(hasAnsi(runCli(['tasks'], { env: { FORCE_COLOR: '1' } }).stdout)).toBe(true);
  });

  test('crys tasks lattice (or structure, = csp) shows that task alone', () => {
    const one = runCli(['tasks', 'lattice']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('lattice reconstruction (--task lattice)');
    expect(one.stdout).not.toContain('(--task csp)');
    expect(one.stdout).not.toContain('───');
    const csp = JSON.parse(runCli(['tasks', 'structure', '--json']).stdout) as { tasks: TaskJson[] };
    expect(csp.tasks.map((t) => t.option)).toEqual(['csp']);
  });

  test('crys tasks frob exits 2 and lists the tasks', () => {
    const r = runCli(['tasks', 'frob']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatchInlineSnapshot(`
      "crys tasks: error: 'frob' is not a task
      hint: choose csp (= structure), denoise, lattice or property
      "
    `);
  });
});

interface ModelJsonReport {
  name: string;
  source: string;
  shipped: boolean;
  task: { kind: string; option: string; atomSigmaMax: number };
  parameters: number;
  k: number;
  species: string[];
  maxAtoms: number;
  steps: number;
  network: Record<string, number>;
  latticeStats: { mean: number[]; std: number[] } | null;
  domain: unknown;
  meta: Record<string, string | number>;
  training: {
    runs: number;
    steps: number;
    trainCrystals: number;
    parameters: number;
    stopReason: string | null;
    bestStep: number;
    bestValidLoss: number;
    skippedBatches: number;
    config: Record<string, unknown>;
  } | null;
  evaluation: { task: string; rows: number } | null;
}

describe('crys model', () => {
  const data = join(FIXTURES, 'perov-60.csv');
  let run = '';
  beforeAll(() => {
    run = join(tempDir(), 'run');
    const r = runCli([
      'train',
      '--task',
      'lattice',
      '--data',
      data,
      '--out',
      run,
      '--steps',
      '6',
      '--hidden',
      '8',
      '--layers',
      '1',
      '--batch-size',
      '8',
      '--valid-every',
      '3',
      '--seed',
      '3',
    ]);
    if (r.code !== 0) throw new Error(`training the test model failed:\n${r.stderr}`);
  }, 120_000);

  test('crys model RUN --json reports the configuration of model.json and the summary of metrics.jsonl', () => {
    const r = runCli(['model', run, '--json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as ModelJsonReport;
    const file = JSON.parse(readFileSync(join(run, 'model.json'), 'utf8')) as {
      config: {
        species: number[];
        k: number;
        network: Record<string, number>;
        latticeStats: unknown;
        domain: { task: string; split: string; elements: number[] };
      };
    };
    const start = JSON.parse(readFileSync(join(run, 'metrics.jsonl'), 'utf8').split('\n')[0]) as {
      parameters: number;
      train: number;
    };
    expect(m).toMatchObject({ name: 'lattice', source: run, shipped: false, k: file.config.k });
    expect(m.task).toMatchObject({ ...TASKS.lattice, option: 'lattice' });
    expect(m.network).toEqual(file.config.network);
    expect(m.network.hidden).toBe(8);
    expect(m.parameters).toBe(start.parameters);
    expect(m.species.length).toBe(file.config.species.length);
    expect(m.latticeStats).toEqual(file.config.latticeStats);
    expect(m.domain).toEqual(file.config.domain);
    expect(file.config.domain).toMatchObject({ task: 'lattice', split: 'train', elements: file.config.species });
    expect(m.meta.dataset).toBe(data);
    expect(m.training).toMatchObject({
      runs: 1,
      steps: 6,
      trainCrystals: start.train,
      parameters: start.parameters,
      stopReason: 'steps',
      skippedBatches: 0,
    });
    expect(m.training?.config).toMatchObject({ seed: 3, maxSteps: 6, batchSize: 8, task: 'lattice' });
    expect(m.evaluation).toBeNull();
  });

  test('crys model RUN prints the model, its task and its training', () => {
    const r = runCli(['model', run]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lattice {2}\(/);
    expect(r.stdout).toContain('lattice reconstruction (--task lattice;');
    expect(r.stdout).toMatch(/network +hidden 8, layers 1, .*; [\d,]+\s+parameters/);
    expect(r.stdout).toMatch(/run +6 steps in .*, stopped by its step budget/);
    expect(r.stdout).toMatch(/config +seed 3, max steps 6, batch 8, /);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(
      /domain \d+ training crystals of .*: \d+ elements, 5 atoms per cell, \d+\.\d\d–\d+\.\d\d Å³ per atom/,
    );
    expect(r.stdout).not.toContain('lattice weight');
  });

  test('crys model FILE without metrics.jsonl beside it says so', () => {
    const dir = tempDir();
    copyFileSync(join(run, 'model.json'), join(dir, 'model.json'));
    const json = JSON.parse(runCli(['model', join(dir, 'model.json'), '--json']).stdout) as ModelJsonReport;
    expect(json.training).toBeNull();
    const text = runCli(['model', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('training: no metrics.jsonl beside the model');
  });

  test.skipIf(!existsSync(join(REPO, 'packages/model/models/perov_5-denoise/model.json')))(
    'crys model perov_5-denoise reads the shipped model with its metrics and holdout eval.json',
    () => {
      const r = runCli(['model', 'perov_5-denoise', '--json']);
      expect(r.code).toBe(0);
      const m = JSON.parse(r.stdout) as ModelJsonReport;
      const dir = join(REPO, 'packages/model/models/perov_5-denoise');
      const file = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
        config: { species: number[]; steps: number; task: object };
      };
      expect(m).toMatchObject({ name: 'perov_5-denoise', shipped: true, steps: file.config.steps });
      expect(m.species.length).toBe(file.config.species.length);
      // the model's own noise process (a model file records the task it was trained with)
      expect(m.task).toMatchObject({ ...file.config.task, option: 'denoise' });
      expect(m.task).toMatchObject({ kind: TASKS.denoise.kind, atomSigmaMax: TASKS.denoise.atomSigmaMax });
      expect(m.training?.stopReason).toBe('steps');
      expect(m.evaluation).toMatchObject({ task: 'denoise' });
      const text = runCli(['model', 'perov_5-denoise']).stdout;
      expect(text).toContain('(shipped: ');
      expect(text).toMatch(/^position error, RMS \(Å\)/m);
    },
  );

  test('crys model nope exits 2 naming the shipped models; a folder without model.json exits 1', () => {
    const r = runCli(['model', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("crys model: error: 'nope' is neither a shipped model nor an existing file");
    expect(r.stderr).toMatch(/hint: shipped models: perov_5, carbon_24, /);
    const empty = tempDir();
    mkdirSync(join(empty, 'sub'));
    const f = runCli(['model', join(empty, 'sub')]);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('is a folder without model.json');
  });
});

describe('summarizeTraining', () => {
  test('summarizeTraining(file, records) counts resumes and skipped batches and takes the best from valid records when no done record exists', () => {
    const records = [
      { type: 'start', step: 0, config: { task: 'denoise', maxSteps: 20 }, parameters: 100, train: 40, valid: 5 },
      { type: 'train', step: 10, loss: 2, atomLoss: 1, latticeLoss: 0.1, elapsedSec: 3 },
      { type: 'valid', step: 10, loss: 1.5, atomLoss: 1, latticeLoss: 0.05, best: true, elapsedSec: 3.5 },
      {
        type: 'start',
        step: 10,
        config: { task: 'denoise', maxSteps: 30, batchSize: 4 },
        parameters: 100,
        train: 40,
        valid: 5,
      },
      { type: 'skipped', step: 12, reason: 'exploding', loss: 9, gradNorm: 1e6 },
      { type: 'train', step: 20, loss: 1, atomLoss: 0.5, latticeLoss: 0.05, elapsedSec: 7 },
      { type: 'valid', step: 20, loss: 1.6, atomLoss: 1.1, latticeLoss: 0.05, best: false, elapsedSec: 7.5 },
    ];
    const s = summarizeTraining('m.jsonl', records, DEFAULT_TRAIN_CONFIG as unknown as Record<string, unknown>);
    expect(s).toMatchObject({
      runs: 2,
      steps: 20,
      trainCrystals: 40,
      validCrystals: 5,
      stopReason: null,
      bestStep: 10,
      bestValidLoss: 1.5,
      elapsedSec: 7.5,
      validations: 2,
      skippedBatches: 1,
      lastTrain: { step: 20, loss: 1 },
      lastValid: { step: 20, loss: 1.6 },
    });
    expect(s?.config).toMatchObject({ maxSteps: 30, batchSize: 4, learningRate: DEFAULT_TRAIN_CONFIG.learningRate });
    expect(summarizeTraining('m.jsonl', [], {})).toBeNull();
  });
});
