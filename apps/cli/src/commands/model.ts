import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { elementSymbol } from '@crys/lattice';
import type { ModelDomain } from '@crys/model';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliContext } from '../main.js';
import { duration, fixed } from '../table.js';
import type { TaskDescription } from '../task-info.js';
import { paint } from '../term.js';
import { type EvaluationSummary, formatEvaluation } from './eval.js';
import { keyValueLines } from './tasks.js';
import { readMetrics } from './train.js';

/** What a model's metrics.jsonl says about its training (all runs, resumed ones included). */
export interface TrainingSummary {
  readonly file: string;
  /** `start` records: 1 plus the number of resumes. */
  readonly runs: number;
  readonly trainCrystals: number | null;
  readonly validCrystals: number | null;
  readonly parameters: number | null;
  /** The options the run was started (or last resumed) with, over `DEFAULT_TRAIN_CONFIG`. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Last step logged. */
  readonly steps: number;
  readonly elapsedSec: number | null;
  /** Why the run stopped (`steps`, `time`, `stopped`), or null without a `done` record (killed or running). */
  readonly stopReason: string | null;
  readonly bestStep: number | null;
  readonly bestValidLoss: number | null;
  readonly lastTrain: { step: number; loss: number; atomLoss: number; latticeLoss: number } | null;
  readonly lastValid: { step: number; loss: number; atomLoss: number; latticeLoss: number } | null;
  readonly validations: number;
  readonly skippedBatches: number;
}

/** Everything `crys model` reports (its `--json` record). */
export interface ModelReport {
  readonly name: string;
  readonly source: string;
  /** Whether `source` is a shipped model name. */
  readonly shipped: boolean;
  readonly file: string;
  readonly task: TaskDescription['config'] & { option: string; title: string };
  readonly network: Readonly<Record<string, number | boolean | string>>;
  readonly parameters: number;
  readonly k: number;
  readonly species: readonly string[];
  readonly maxAtoms: number;
  readonly steps: number;
  readonly prior: { readonly volumes: readonly number[] };
  readonly latticeStats: { readonly mean: readonly number[]; readonly std: readonly number[] } | null;
  /** What the model was trained on (`config.domain`), or null in a file written before it was recorded. */
  readonly domain: ModelDomain | null;
  readonly meta: Readonly<Record<string, string | number>>;
  readonly training: TrainingSummary | null;
  /** The summary of an eval.json written by `crys eval --json FILE` beside the model, with its run settings. */
  readonly evaluation: (EvaluationSummary & { file: string; split?: string; seed?: number; steps?: number }) | null;
  /** A property model: its column and training mean and spread (`config.property`); null for the others. */
  readonly property: { readonly name: string; readonly mean: number; readonly std: number } | null;
  /** A property model's eval.json (`crys eval --json FILE` of it), or null. */
  readonly propertyEvaluation: {
    readonly file: string;
    readonly split?: string;
    readonly rows: number;
    readonly mae: number;
    readonly rmse: number;
    readonly baseline: { readonly mae: number; readonly rmse: number };
  } | null;
}

type Rec = Record<string, unknown>;
const numOr = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Summarises a metrics stream; null when it holds no record. */
export function summarizeTraining(
  file: string,
  records: readonly Rec[],
  defaults: Readonly<Record<string, unknown>>,
): TrainingSummary | null {
  if (records.length === 0) return null;
  const starts = records.filter((r) => r.type === 'start');
  const first = starts[0];
  const last = starts.at(-1);
  const done = records.filter((r) => r.type === 'done').at(-1);
  const train = records.filter((r) => r.type === 'train').at(-1);
  const valids = records.filter((r) => r.type === 'valid');
  const valid = valids.at(-1);
  const given = (last?.config ?? {}) as Rec;
  const config: Rec = {};
  for (const key of [
    'task',
    'name',
    'seed',
    'maxSteps',
    'maxMinutes',
    'batchSize',
    'learningRate',
    'warmupSteps',
    'decaySteps',
    'latticeWeight',
    'validEvery',
    'k',
  ]) {
    const v = given[key] ?? defaults[key];
    if (v !== undefined) config[key] = v;
  }
  config.network = { ...((defaults.network as Rec | undefined) ?? {}), ...((given.network as Rec | undefined) ?? {}) };
  let steps = 0;
  for (const r of records) steps = Math.max(steps, numOr(r.step) ?? 0);
  const best = valids.filter((r) => r.best === true).at(-1);
  return {
    file,
    runs: starts.length,
    trainCrystals: numOr(first?.train),
    validCrystals: numOr(first?.valid),
    parameters: numOr(first?.parameters),
    config,
    steps,
    elapsedSec: numOr(done?.elapsedSec) ?? numOr(valid?.elapsedSec) ?? numOr(train?.elapsedSec),
    stopReason: typeof done?.reason === 'string' ? done.reason : null,
    bestStep: numOr(done?.bestStep) ?? numOr(best?.step),
    bestValidLoss: numOr(done?.bestLoss) ?? numOr(best?.loss),
    lastTrain: train
      ? {
          step: Number(train.step),
          loss: Number(train.loss),
          atomLoss: Number(train.atomLoss),
          latticeLoss: Number(train.latticeLoss),
        }
      : null,
    lastValid: valid
      ? {
          step: Number(valid.step),
          loss: Number(valid.loss),
          atomLoss: Number(valid.atomLoss),
          latticeLoss: Number(valid.latticeLoss),
        }
      : null,
    validations: valids.length,
    skippedBatches: records.filter((r) => r.type === 'skipped').length,
  };
}

/** An eval.json beside a model (the `crys eval --json FILE` record) as an object; null when absent or unreadable. */
function readRecord(file: string): Rec | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Rec;
  } catch {
    return null;
  }
}

/** Reads a property model's eval.json (the `crys eval --json FILE` record); null when absent or of another shape. */
function readPropertyEvaluation(file: string): ModelReport['propertyEvaluation'] {
  const r = readRecord(file);
  if (r === null) return null;
  const b = r.baseline as Rec | undefined;
  if (r.task !== 'property' || numOr(r.mae) === null || numOr(r.rmse) === null || !b) return null;
  return {
    file,
    ...(typeof r.split === 'string' ? { split: r.split } : {}),
    rows: Number(r.rows),
    mae: Number(r.mae),
    rmse: Number(r.rmse),
    baseline: { mae: Number(b.mae), rmse: Number(b.rmse) },
  };
}

/** Reads an eval.json beside a model (the `crys eval --json FILE` record); null when absent or of another shape. */
function readEvaluation(file: string): ModelReport['evaluation'] {
  const r = readRecord(file);
  if (r === null) return null;
  const keys = ['task', 'rows', 'matchRate', 'rmse', 'structuralValidity', 'latticeLengthMae', 'positionError'];
  if (!keys.every((k) => k in r)) return null;
  return {
    file,
    ...(typeof r.split === 'string' ? { split: r.split } : {}),
    ...(typeof r.seed === 'number' ? { seed: r.seed } : {}),
    ...(typeof r.steps === 'number' ? { steps: r.steps } : {}),
    task: String(r.task),
    rows: Number(r.rows),
    seconds: Number(r.seconds),
    matchRate: r.matchRate as EvaluationSummary['matchRate'],
    rmse: r.rmse as EvaluationSummary['rmse'],
    // absent from records written before these figures existed
    tightMatchRate: (r.tightMatchRate ?? { before: null, after: null }) as EvaluationSummary['tightMatchRate'],
    tightRms: (r.tightRms ?? null) as EvaluationSummary['tightRms'],
    spaceGroupRate: (r.spaceGroupRate ?? { before: null, after: null }) as EvaluationSummary['spaceGroupRate'],
    spaceGroupSymprec: (r.spaceGroupSymprec ?? null) as EvaluationSummary['spaceGroupSymprec'],
    control: (r.control ?? null) as EvaluationSummary['control'],
    structuralValidity: r.structuralValidity as EvaluationSummary['structuralValidity'],
    compositionalValidity: Number(r.compositionalValidity),
    latticeLengthMae: r.latticeLengthMae as EvaluationSummary['latticeLengthMae'],
    latticeAngleMae: r.latticeAngleMae as EvaluationSummary['latticeAngleMae'],
    meanBaseline: (r.meanBaseline ?? null) as EvaluationSummary['meanBaseline'],
    positionError: r.positionError as EvaluationSummary['positionError'],
  };
}

const PARAMS = ['a', 'b', 'c', 'α', 'β', 'γ'];

/** The text `crys model` prints. */
export function formatModelReport(r: ModelReport, color: boolean, width: number): string {
  const kv = (k: string, v: string) => keyValueLines(color, k, v, width, 14);
  const t = r.task;
  const sigma = t.atomSigmaMax > 0 ? `atoms σ(t) ${t.atomSigmaMin} → ${t.atomSigmaMax}` : 'atoms fixed';
  const short = (f: string) => {
    const rel = relative(process.cwd(), f);
    return rel.length < f.length ? rel : f;
  };
  const shown = short(r.file);
  const lines = [
    paint(color, 'bold', `${r.name}  (${r.shipped ? 'shipped: ' : ''}${shown})`),
    ...kv('task', `${t.title} (--task ${t.option}; \`crys tasks ${t.option}\` for its loss and metrics)`),
    ...(r.property
      ? kv(
          'property',
          `${r.property.name}: training mean ${fixed(r.property.mean, 4)}, spread ${fixed(r.property.std, 4)} (it reads the clean crystal: no noise)`,
        )
      : kv(
          'noise',
          `${sigma}; lattice noise ${t.latticeNoise}; top level ${t.sampledStart ? `a draw of c·exp(${t.latticeNoise}·E) around the volume-prior cubic cell` : t.latticeFromPrior ? 'the volume-prior cubic cell' : 'the strained crystal'}`,
        )),
    ...kv(
      'network',
      `${Object.entries(r.network)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ${r.parameters.toLocaleString('en-US')} parameters`,
    ),
    ...kv(
      'graph',
      r.network.graph === 'cutoff'
        ? `every neighbour within ${r.network.cutoff} Å, envelope-weighted averages`
        : `k = ${r.k} nearest neighbours per atom`,
    ),
    ...kv('species', `${r.species.length}: ${r.species.join(' ')}`),
    ...kv('max atoms', String(r.maxAtoms)),
    ...(r.property ? [] : kv('steps', `${r.steps} (default inference steps)`)),
  ];
  const v = r.prior.volumes;
  if (v.length > 0 && !r.property) {
    lines.push(
      ...kv(
        'volume prior',
        `V = Σ n_Z·v_Z, v_Z from ${fixed(Math.min(...v), 2)} to ${fixed(Math.max(...v), 2)} Å³ (fitted on the training crystals)`,
      ),
    );
  }
  if (r.latticeStats && !r.property) {
    const s = r.latticeStats;
    const cells = PARAMS.map((p, i) => `${p} ${fixed(s.mean[i], i < 3 ? 3 : 2)} ± ${fixed(s.std[i], i < 3 ? 3 : 2)}`);
    lines.push(...kv('lattice stats', `${cells.join(', ')} (training mean ± floored spread, Å and °)`));
  }
  const d = r.domain;
  lines.push(
    ...kv(
      'domain',
      d
        ? `${d.crystals} training crystals${d.dataset ? ` of ${d.dataset}` : ''}: ${d.elements.length} elements, ${d.atoms.min === d.atoms.max ? d.atoms.min : `${d.atoms.min}–${d.atoms.max}`} atoms per cell, ${fixed(d.volumePerAtom.min, 2)}–${fixed(d.volumePerAtom.max, 2)} Å³ per atom (inputs outside get a warning; --strict refuses them)`
        : 'not recorded (a file written before domains were); inputs are checked against species and max atoms only',
    ),
  );
  const meta = Object.entries(r.meta);
  lines.push(...kv('provenance', meta.length > 0 ? meta.map(([k, x]) => `${k}: ${x}`).join('; ') : 'none recorded'));
  const tr = r.training;
  lines.push('');
  if (!tr) {
    lines.push(paint(color, 'dim', 'training: no metrics.jsonl beside the model'));
  } else {
    lines.push(paint(color, 'bold', `training (${short(tr.file)})`));
    const c = tr.config;
    const isLattice = t.kind === 'lattice';
    const parts = (x: { atomLoss: number; latticeLoss: number }) =>
      isLattice
        ? `standardised lattice parameters ${fixed(x.latticeLoss, 4)}`
        : `atoms ${fixed(x.atomLoss, 4)}, lattice ${fixed(x.latticeLoss, 4)}`;
    const status = tr.stopReason
      ? `stopped by ${tr.stopReason === 'steps' ? 'its step budget' : tr.stopReason === 'time' ? 'its time budget' : 'request'}`
      : 'no done record (killed or still running)';
    lines.push(
      ...kv(
        'run',
        `${tr.steps} steps in ${tr.elapsedSec === null ? '–' : duration(tr.elapsedSec)}, ${status}${tr.runs > 1 ? `; resumed ${tr.runs - 1}×` : ''}`,
      ),
    );
    if (tr.trainCrystals !== null) {
      lines.push(...kv('data', `${tr.trainCrystals} training / ${tr.validCrystals ?? '–'} validation crystals`));
    }
    lines.push(
      ...kv(
        'config',
        `seed ${c.seed}, max steps ${c.maxSteps}${c.maxMinutes !== undefined ? `, max minutes ${c.maxMinutes}` : ''}, batch ${c.batchSize}, lr ${c.learningRate}, warmup ${c.warmupSteps}${isLattice ? '' : `, lattice weight ${c.latticeWeight}`}, validation every ${c.validEvery}`,
      ),
    );
    if (tr.lastTrain) {
      lines.push(
        ...kv('last loss', `${fixed(tr.lastTrain.loss, 4)} at step ${tr.lastTrain.step} (${parts(tr.lastTrain)})`),
      );
    }
    lines.push(
      ...kv(
        'validation',
        `best ${fixed(tr.bestValidLoss ?? Number.NaN, 4)} at step ${tr.bestStep ?? '–'}${tr.lastValid ? `; last ${fixed(tr.lastValid.loss, 4)} at step ${tr.lastValid.step} (${parts(tr.lastValid)})` : ''}; ${tr.validations} validations`,
      ),
    );
    lines.push(...kv('skipped', `${tr.skippedBatches} batches (non-finite or exploding)`));
  }
  const ev = r.evaluation;
  if (ev) {
    lines.push('');
    const settings = [
      ev.split && `${ev.split} split`,
      ev.seed !== undefined && `seed ${ev.seed}`,
      ev.steps && `${ev.steps} steps`,
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(paint(color, 'bold', `evaluation (${short(ev.file)}${settings ? `: ${settings}` : ''})`));
    lines.push(formatEvaluation(ev));
  }
  const pe = r.propertyEvaluation;
  if (pe) {
    lines.push('');
    lines.push(
      paint(color, 'bold', `evaluation (${short(pe.file)}${pe.split ? `: ${pe.split} split` : ''}, ${pe.rows} rows)`),
    );
    lines.push(`MAE  ${fixed(pe.mae, 4)}  (the training mean for every row: ${fixed(pe.baseline.mae, 4)})`);
    lines.push(`RMSE ${fixed(pe.rmse, 4)}  (the training mean: ${fixed(pe.baseline.rmse, 4)})`);
  }
  return lines.join('\n');
}

export function registerModel(program: Command, ctx: CliContext): void {
  program
    .command('model')
    .summary("a model's task, configuration, size, provenance and training summary")
    .description(
      'Describes a model: its name, task and noise process, network size and parameter count, k, species, the ' +
        'largest crystal it accepts, its default inference steps, the volume prior, the lattice statistics of its ' +
        'training split and its provenance (meta). When a metrics.jsonl sits beside the model (a `crys train ' +
        '--out` folder, a shipped model) it adds the training summary: steps, time, data, configuration, last and ' +
        'best losses, skipped batches; an eval.json there (`crys eval --json FILE`) adds its scores.',
    )
    .argument(
      '<model>',
      'shipped model name (perov_5, carbon_24-denoise, …) or a model.json / `crys train --out` folder',
    )
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys model perov_5\n  $ crys model runs/denoise\n  $ crys model carbon_24-lattice --json',
    )
    .action(async (spec: string, opts: { json?: boolean }) => {
      const { term } = ctx;
      const rt = await import('../model-runtime.js');
      const { DEFAULT_TRAIN_CONFIG, parameterCount, SHIPPED_MODEL_NAMES } = await import('@crys/model');
      const info = await import('../task-info.js');
      if (!existsSync(spec) && !(SHIPPED_MODEL_NAMES as readonly string[]).includes(spec)) {
        throw new UsageError(
          `'${spec}' is neither a shipped model nor an existing file`,
          `shipped models: ${SHIPPED_MODEL_NAMES.join(', ')}; or a model.json / \`crys train --out\` folder`,
        );
      }
      await rt.startBackend();
      const { model, source, file } = rt.resolveModel(spec, 'structure', []);
      const c = model.config;
      const described = info.describeTask(c.task.kind);
      const dir = dirname(file);
      const metricsFile = join(dir, 'metrics.jsonl');
      const report: ModelReport = {
        name: c.name,
        source,
        shipped: (SHIPPED_MODEL_NAMES as readonly string[]).includes(source) && !existsSync(spec),
        file,
        task: { ...c.task, option: described.option, title: described.title },
        network: { ...c.network },
        parameters: parameterCount(model),
        k: c.k,
        species: c.species.map((z) => elementSymbol(z)),
        maxAtoms: c.maxAtoms,
        steps: c.steps,
        prior: { volumes: [...c.prior.volumes] },
        latticeStats: c.latticeStats ? { mean: [...c.latticeStats.mean], std: [...c.latticeStats.std] } : null,
        domain: c.domain ?? null,
        meta: { ...(c.meta ?? {}) },
        training: summarizeTraining(
          metricsFile,
          readMetrics(metricsFile) as unknown as Rec[],
          DEFAULT_TRAIN_CONFIG as unknown as Rec,
        ),
        evaluation: readEvaluation(join(dir, 'eval.json')),
        property: c.property ? { ...c.property } : null,
        propertyEvaluation: readPropertyEvaluation(join(dir, 'eval.json')),
      };
      if (opts.json) {
        term.out(JSON.stringify(report, null, 2));
        return;
      }
      const width = Math.max(60, Math.min(120, term.stdout.columns ?? 100));
      term.out(formatModelReport(report, term.color, width));
    });
}
