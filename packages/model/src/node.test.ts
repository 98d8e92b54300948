import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, useBackend } from '../test/helpers.js';
import { type DatasetRow, splitDataset } from './data.js';
import { modelDomain } from './domain.js';
import { disposeModel, loadModel } from './model.js';
import type { ModelJson } from './model.js';
import { readCheckpointFile, saveModelFile, trainToDirectory } from './node.js';
import { type MetricsRecord, type TrainConfig, train } from './train.js';

let rows: DatasetRow[];
const network = { hidden: 8, layers: 1, rbf: 8, cutoff: 8, vectorChannels: 2, timeFeatures: 4 };
const tiny: TrainConfig = {
  task: 'denoise',
  seed: 1,
  batchSize: 4,
  maxSteps: 3,
  warmupSteps: 1,
  validEvery: 2,
  checkpointEvery: 1,
  logEvery: 1,
  k: 6,
  network,
};

beforeAll(async () => {
  await useBackend();
  rows = datasetRows('perov_5', 24);
});

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'crys-model-node-'));
const lines = (file: string): MetricsRecord[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as MetricsRecord);

describe('trainToDirectory', () => {
  it('a run killed after its last checkpoint and resumed logs exactly what the uninterrupted run logs', () => {
    const config: TrainConfig = { ...tiny, maxSteps: 7, checkpointEvery: 2, logEvery: 3, validEvery: 3 };
    const whole = join(tempDir(), 'whole');
    disposeModel(trainToDirectory({ dataset: rows, out: whole, config }).model);
    // the killed run: checkpoint.json from step 4, metrics.jsonl up to step 5 and a line cut in half
    const killed = join(tempDir(), 'killed');
    mkdirSync(killed);
    const split = splitDataset(rows);
    const meta = { split: 'fnv1a(material_id) % 10: 0-7 train, 8 valid, 9 holdout' };
    const r = train(
      { ...config, meta },
      { train: split.train.map((x) => x.crystal), valid: split.valid.map((x) => x.crystal) },
      {
        onMetrics: (m) => appendFileSync(join(killed, 'metrics.jsonl'), `${JSON.stringify(m)}\n`),
        onCheckpoint: (c) => {
          if (c.step === 4) writeFileSync(join(killed, 'checkpoint.json'), JSON.stringify(c));
        },
        shouldStop: (step) => step === 5,
      },
    );
    disposeModel(r.model);
    appendFileSync(join(killed, 'metrics.jsonl'), '{"type":"train","st');
    disposeModel(trainToDirectory({ dataset: rows, out: killed, config, resume: true }).model);
    const strip = (file: string) =>
      lines(file)
        .filter((m) => m.type === 'train' || m.type === 'valid')
        .map((m) => JSON.stringify({ ...m, elapsedSec: 0 }));
    const expected = strip(join(whole, 'metrics.jsonl'));
    expect(expected.length).toBe(5); // train at 3 and 6, valid at 3, 6 and the last step
    expect(strip(join(killed, 'metrics.jsonl'))).toEqual(expected);
  });

  it('snapshotEvery keeps the moving-average model at every multiple of it, loadable, as the checkpoint holds it', () => {
    const out = join(tempDir(), 'run');
    const result = trainToDirectory({ dataset: rows, out, config: { ...tiny, maxSteps: 4 }, snapshotEvery: 2 });
    disposeModel(result.model);
    expect(readdirSync(join(out, 'snapshots')).sort()).toEqual(['model-2.json', 'model-4.json']);
    const snap = JSON.parse(readFileSync(join(out, 'snapshots', 'model-4.json'), 'utf8')) as ModelJson;
    const last = readCheckpointFile(join(out, 'checkpoint.json'));
    expect(snap.weights.map((w) => w.data)).toEqual((last.ema ?? []).map((w) => w.data));
    expect(snap.weights.map((w) => w.data)).not.toEqual(last.model.weights.map((w) => w.data));
    disposeModel(loadModel(snap));
    expect(() =>
      trainToDirectory({ dataset: rows, out: join(tempDir(), 'x'), config: tiny, snapshotEvery: 0 }),
    ).toThrow(/snapshotEvery/);
  });

  it('a resumed run keeps the snapshot interval it was started with, unless told another', () => {
    const out = join(tempDir(), 'run');
    disposeModel(trainToDirectory({ dataset: rows, out, config: { ...tiny, maxSteps: 2 }, snapshotEvery: 2 }).model);
    expect(readCheckpointFile(join(out, 'checkpoint.json')).config.meta?.snapshotEvery).toBe(2);
    disposeModel(trainToDirectory({ dataset: rows, out, config: { maxSteps: 4 }, resume: true }).model);
    expect(readdirSync(join(out, 'snapshots')).sort()).toEqual(['model-2.json', 'model-4.json']);
    disposeModel(
      trainToDirectory({ dataset: rows, out, config: { maxSteps: 6 }, resume: true, snapshotEvery: 3 }).model,
    );
    expect(readdirSync(join(out, 'snapshots')).sort()).toEqual(['model-2.json', 'model-4.json', 'model-6.json']);
    expect(readCheckpointFile(join(out, 'checkpoint.json')).config.meta?.snapshotEvery).toBe(3);
  });

  it('trainToDirectory(options) writes metrics.jsonl, checkpoint.json and model.json, and passes each record on', () => {
    const out = join(tempDir(), 'run');
    const seen: string[] = [];
    const result = trainToDirectory({ dataset: rows, out, config: tiny, onMetrics: (r) => seen.push(r.type) });
    disposeModel(result.model);
    const metrics = lines(join(out, 'metrics.jsonl'));
    expect(metrics.map((m) => m.type)).toEqual(seen);
    expect(seen[0]).toBe('start');
    expect(seen.at(-1)).toBe('done');
    expect(readCheckpointFile(join(out, 'checkpoint.json')).step).toBe(3);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as {
      format: string;
      config: { meta: Record<string, string> };
    };
    expect(model.format).toBe('crys-action-model');
    expect(model.config.meta.split).toBe('fnv1a(material_id) % 10: 0-7 train, 8 valid, 9 holdout');
    expect(readdirSync(out).sort()).toEqual(['checkpoint.json', 'metrics.jsonl', 'model.json']);
  });

  it("trainToDirectory(options) records the training split's domain in model.json and in snapshots", () => {
    const out = join(tempDir(), 'run');
    const result = trainToDirectory({ dataset: rows, out, config: { ...tiny, maxSteps: 2 }, snapshotEvery: 2 });
    disposeModel(result.model);
    const expected = modelDomain(
      splitDataset(rows).train.map((r) => r.crystal),
      { task: 'denoise' },
    );
    const written = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as ModelJson;
    expect(written.config.domain).toEqual(expected);
    expect(result.best.config.domain).toEqual(expected);
    const snap = JSON.parse(readFileSync(join(out, 'snapshots', 'model-2.json'), 'utf8')) as ModelJson;
    expect(snap.config.domain).toEqual(expected);
    expect(expected.atoms).toEqual({ min: 5, max: 5 });
  });

  it('trainToDirectory refuses to start over a run; resume: true continues it with its configuration and a new maxSteps', () => {
    const out = join(tempDir(), 'run');
    disposeModel(trainToDirectory({ dataset: rows, out, config: tiny }).model);
    expect(() => trainToDirectory({ dataset: rows, out, config: tiny })).toThrowError(
      `trainToDirectory: options.out already holds a training run (${join(out, 'checkpoint.json')}); pass resume: true to continue it`,
    );
    const resumed = trainToDirectory({ dataset: rows, out, config: { maxSteps: 5 }, resume: true });
    disposeModel(resumed.model);
    expect(resumed.steps).toBe(5);
    const starts = lines(join(out, 'metrics.jsonl')).filter((m) => m.type === 'start');
    expect(starts.map((m) => m.step)).toEqual([0, 3]);
    expect(starts[1].type === 'start' && starts[1].config).toMatchObject({
      task: 'denoise',
      seed: 1,
      k: 6,
      maxSteps: 5,
    });
  });

  it('trainToDirectory with resume refuses a missing checkpoint and a changed task, seed, k or network', () => {
    const out = join(tempDir(), 'run');
    expect(() => trainToDirectory({ dataset: rows, out, config: tiny, resume: true })).toThrowError(
      `trainToDirectory: options.resume is true but ${join(out, 'checkpoint.json')} does not exist`,
    );
    disposeModel(trainToDirectory({ dataset: rows, out, config: { ...tiny, maxSteps: 1 } }).model);
    expect(() => trainToDirectory({ dataset: rows, out, config: { ...tiny, seed: 2 }, resume: true })).toThrowError(
      `trainToDirectory: config.seed cannot change when resuming the run in ${out}: it has 1, got 2`,
    );
    expect(() => trainToDirectory({ dataset: rows, out, config: { task: 'lattice' }, resume: true })).toThrowError(
      `trainToDirectory: config.task cannot change when resuming the run in ${out}: it has "denoise", got "lattice"`,
    );
    expect(() => trainToDirectory({ dataset: rows, out, config: { k: 8 }, resume: true })).toThrowError(
      `trainToDirectory: config.k cannot change when resuming the run in ${out}: it has 6, got 8`,
    );
    expect(() =>
      trainToDirectory({ dataset: rows, out, config: { network: { ...network, hidden: 16 } }, resume: true }),
    ).toThrowError(/^trainToDirectory: config\.network cannot change when resuming/);
    // the same values are accepted (a command line repeated with --resume)
    const again = trainToDirectory({ dataset: rows, out, config: tiny, resume: true });
    disposeModel(again.model);
    expect(again.steps).toBe(3);
  });
});

describe('files', () => {
  it('readCheckpointFile(path) names the file when it is not JSON or not a checkpoint', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'torn.json'), '{"format": "crys-action-checkpoint", "step"');
    writeFileSync(join(dir, 'model.json'), '{"format": "crys-action-model"}');
    expect(() => readCheckpointFile(join(dir, 'torn.json'))).toThrowError(
      new RegExp(`^readCheckpointFile: ${join(dir, 'torn.json')} is not valid JSON: `),
    );
    expect(() => readCheckpointFile(join(dir, 'model.json'))).toThrowError(
      `readCheckpointFile: ${join(dir, 'model.json')} is not a crys-action-checkpoint`,
    );
  });

  it('saveModelFile(path, json) creates the folder, replaces the old content and leaves no temporary file', () => {
    const dir = join(tempDir(), 'sub');
    const file = join(dir, 'x.json');
    saveModelFile(file, { format: 'old' } as unknown as ModelJson);
    saveModelFile(file, { format: 'new' } as unknown as ModelJson);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ format: 'new' });
    expect(readdirSync(dir)).toEqual(['x.json']);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});
