import { existsSync } from 'node:fs';
import { type Crystal, InvalidArgumentError, latticeParameters } from '@crys/lattice';
import { splitDataset, splitOf } from './data.js';
import { loadModelFile, loadShippedModel, readDatasetFile, trainToDirectory, writeFileAtomic } from './node.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from './train.js';
import type { TaskKind } from './tasks.js';

function meanParameters(crystals: readonly Crystal[]): {
  a: number;
  b: number;
  c: number;
  alpha: number;
  beta: number;
  gamma: number;
} {
  const m = { a: 0, b: 0, c: 0, alpha: 0, beta: 0, gamma: 0 };
  for (const c of crystals) {
    const p = latticeParameters(c.lattice);
    for (const k of Object.keys(m) as (keyof typeof m)[]) m[k] += p[k] / Math.max(1, crystals.length);
  }
  return m;
}

function num(args: Record<string, string | boolean>, key: string): number | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n))
    throw new InvalidArgumentError('crys-model', `--${key}`, `must be a number, got ${v}`, v);
  return n;
}

function str(args: Record<string, string | boolean>, key: string, fallback?: string): string {
  const v = args[key];
  if (typeof v === 'string') return v;
  if (fallback !== undefined) return fallback;
  throw new InvalidArgumentError('crys-model', `--${key}`, 'is required', v);
}

/** Runs one CLI command (`train`, `predict`, `evaluate`). @internal */
export async function runCommand(
  command: string,
  args: Record<string, string | boolean>,
  backend: string,
): Promise<void> {
  if (command === 'train') {
    const config: TrainConfig = {
      name: str(args, 'name', 'model'),
      task: str(args, 'task', 'structure') as TaskKind,
      seed: num(args, 'seed') ?? 0,
      batchSize: num(args, 'batch-size') ?? DEFAULT_TRAIN_CONFIG.batchSize,
      maxSteps: num(args, 'max-steps') ?? DEFAULT_TRAIN_CONFIG.maxSteps,
      maxMinutes: num(args, 'max-minutes'),
      learningRate: num(args, 'lr') ?? DEFAULT_TRAIN_CONFIG.learningRate,
      warmupSteps: num(args, 'warmup') ?? DEFAULT_TRAIN_CONFIG.warmupSteps,
      decaySteps: num(args, 'decay-steps'),
      validEvery: num(args, 'valid-every') ?? DEFAULT_TRAIN_CONFIG.validEvery,
      latticeWeight: num(args, 'lattice-weight') ?? DEFAULT_TRAIN_CONFIG.latticeWeight,
      k: num(args, 'k') ?? DEFAULT_TRAIN_CONFIG.k,
      network: {
        ...DEFAULT_TRAIN_CONFIG.network,
        hidden: num(args, 'hidden') ?? DEFAULT_TRAIN_CONFIG.network.hidden,
        layers: num(args, 'layers') ?? DEFAULT_TRAIN_CONFIG.network.layers,
      },
      meta: { dataset: str(args, 'dataset'), backend, split: 'fnv1a(material_id) % 10: 0-7 train, 8 valid, 9 holdout' },
    };
    const result = trainToDirectory({
      dataset: str(args, 'dataset'),
      out: str(args, 'out'),
      config,
      resume: args.resume === true,
      echo: args.quiet !== true,
    });
    console.log(
      JSON.stringify({
        steps: result.steps,
        bestStep: result.bestStep,
        bestLoss: result.bestLoss,
        skipped: result.skipped,
        elapsedSec: result.elapsedSec,
      }),
    );
    return;
  }
  if (command === 'split') {
    const rows = readDatasetFile(str(args, 'dataset'));
    const s = splitDataset(rows);
    console.log(JSON.stringify({ train: s.train.length, valid: s.valid.length, holdout: s.holdout.length }));
    return;
  }
  if (command === 'predict' || command === 'evaluate') {
    const { predictRows, evaluatePredictions } = await import('./evaluate.js');
    const name = str(args, 'model');
    const model = existsSync(name) ? loadModelFile(name) : loadShippedModel(name);
    const split = str(args, 'split', 'holdout');
    let rows = readDatasetFile(str(args, 'dataset'));
    const trainMean = meanParameters(rows.filter((r) => splitOf(r.id) === 'train').map((r) => r.crystal));
    if (split !== 'all') rows = rows.filter((r) => splitOf(r.id) === split);
    const limit = num(args, 'limit');
    if (limit !== undefined) rows = rows.slice(0, limit);
    const steps = num(args, 'steps');
    const seed = num(args, 'seed') ?? 0;
    const startLevel = num(args, 'start-level');
    const t0 = Date.now();
    const eta = num(args, 'eta');
    const moveLattice = args['fixed-lattice'] !== true;
    const predictions = predictRows(model, rows, { seed, steps, startLevel, eta, moveLattice });
    const seconds = (Date.now() - t0) / 1000;
    if (command === 'predict') {
      const { writeDataset } = await import('./data.js');
      writeFileAtomic(str(args, 'out'), writeDataset(predictions.map((p) => ({ id: p.id, crystal: p.crystal }))));
      console.log(JSON.stringify({ rows: predictions.length, seconds }));
      return;
    }
    if (typeof args.out === 'string') {
      const { writeDataset } = await import('./data.js');
      writeFileAtomic(args.out, writeDataset(predictions.map((p) => ({ id: p.id, crystal: p.crystal }))));
    }
    const report = evaluatePredictions(model, rows, predictions, trainMean);
    const out = {
      model: name,
      split,
      rows: rows.length,
      seed,
      steps: steps ?? model.config.steps,
      eta: eta ?? 0,
      moveLattice,
      ...(startLevel !== undefined ? { startLevel } : {}),
      seconds,
      ...report,
    };
    console.log(JSON.stringify(out, null, 2));
    if (typeof args.json === 'string') writeFileAtomic(args.json, JSON.stringify(out, null, 2));
    return;
  }
  console.log('usage: crys-model train|predict|evaluate|split --dataset CSV [options] (see packages/model/README.md)');
}
