import { CrysError, InvalidArgumentError } from '@crys/lattice';
import type { Checkpoint, TaskKind, TrainConfig, TrainResult } from '@crys/model';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliFailure, UsageError } from '../errors.js';
import { assertCanWrite, fileFailure, writeAtomic } from '../files.js';
import { FORMAT_NAMES, loadCrystals } from '../load.js';
import type { CliContext } from '../main.js';
import { backendOption, choiceOption, intOption, numberOption, threadsOption, unitIntervalOption } from '../options.js';
import { createProgress, type Progress } from '../progress.js';
import { lineChartSvg } from '../svg-plot.js';
import { duration, fixed } from '../table.js';
import { paint } from '../term.js';

interface TrainOpts {
  task: 'lattice' | 'denoise' | 'csp' | 'structure' | 'property';
  property?: string;
  dataset: string;
  out: string;
  maxSteps?: number;
  maxMinutes?: number;
  batchSize?: number;
  lr?: number;
  warmup?: number;
  decaySteps?: number;
  latticeWeight?: number;
  ema?: number;
  atomNoiseScale?: number;
  startLatticeNoise?: number;
  reduceCells?: boolean;
  seed?: number;
  validEvery?: number;
  checkpointEvery?: number;
  snapshotEvery?: number;
  hidden?: number;
  elementDescriptors?: boolean;
  cutoffGraph?: number;
  layers?: number;
  k?: number;
  name?: string;
  resume?: boolean;
  plot?: string;
  format?: string;
  backend: 'wasm' | 'cpu';
  threads: number | 'auto';
  json?: boolean;
}

/** One parsed line of metrics.jsonl (the fields the CLI reads). */
interface MetricLine {
  type: string;
  step: number;
  loss?: number;
}

/** Reads a metrics.jsonl, skipping a torn last line (a run killed mid-append). */
export function readMetrics(file: string): MetricLine[] {
  if (!existsSync(file)) return [];
  const out: MetricLine[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as MetricLine);
    } catch {
      // torn line from a killed run: skip it
    }
  }
  return out;
}

/** The loss-curve SVG of a metrics stream: training loss and validation loss against the step. */
export function lossCurveSvg(metrics: readonly MetricLine[], title: string): string {
  const trainPts = metrics.filter((m) => m.type === 'train' && Number.isFinite(m.loss));
  const validPts = metrics.filter((m) => m.type === 'valid' && Number.isFinite(m.loss));
  return lineChartSvg(
    [
      { name: 'training loss', x: trainPts.map((m) => m.step), y: trainPts.map((m) => m.loss as number) },
      { name: 'validation loss', x: validPts.map((m) => m.step), y: validPts.map((m) => m.loss as number) },
    ],
    { title, xLabel: 'step', yLabel: 'loss' },
  );
}

/** The `crys train` options that override the run's configuration (only those given). */
function configFromOptions(opts: TrainOpts, task: TaskKind): TrainConfig {
  return {
    task,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    ...(opts.maxMinutes !== undefined ? { maxMinutes: opts.maxMinutes } : {}),
    ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
    ...(opts.lr !== undefined ? { learningRate: opts.lr } : {}),
    ...(opts.warmup !== undefined ? { warmupSteps: opts.warmup } : {}),
    ...(opts.decaySteps !== undefined ? { decaySteps: opts.decaySteps } : {}),
    ...(opts.latticeWeight !== undefined ? { latticeWeight: opts.latticeWeight } : {}),
    ...(opts.ema !== undefined ? { emaDecay: opts.ema } : {}),
    ...(opts.atomNoiseScale !== undefined ? { atomNoiseScale: opts.atomNoiseScale } : {}),
    ...(opts.startLatticeNoise !== undefined ? { startLatticeNoise: opts.startLatticeNoise } : {}),
    ...(opts.reduceCells ? { reduceCells: true } : {}),
    ...(opts.validEvery !== undefined ? { validEvery: opts.validEvery } : {}),
    ...(opts.checkpointEvery !== undefined ? { checkpointEvery: opts.checkpointEvery } : {}),
    ...(opts.k !== undefined ? { k: opts.k } : {}),
    ...(opts.property !== undefined ? { property: opts.property } : {}),
  };
}

/** The option a `trainToDirectory` configuration field comes from, for messages. */
const OPTION_OF: Record<string, string> = {
  'config.task': '--task',
  'config.seed': '--seed',
  'config.k': '--k',
  'config.network': '--hidden / --layers / --element-descriptors / --cutoff-graph',
  'config.startLatticeNoise': '--start-lattice-noise',
  'config.property': '--property',
};

export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .summary('train an action model (lattice recovery, denoising, structure prediction or a property)')
    .description(
      'Trains an action model on a dataset CSV with its deterministic split (FNV-1a of material_id: buckets ' +
        '0–7 train, 8 validation, 9 holdout, which is never used here). Shows a progress bar with the loss, ' +
        'the validation loss and the ETA on stderr; writes OUT/metrics.jsonl (JSON lines), OUT/checkpoint.json ' +
        '(latest state, to --resume) and OUT/model.json (best by validation loss), each file atomically, so a ' +
        'killed run never leaves a truncated checkpoint. --resume keeps the run’s configuration and applies the ' +
        'options given (e.g. a larger --max-steps). --plot writes the loss curve as SVG. Pass the OUT folder to ' +
        '--model of relax, predict and eval.',
    )
    .requiredOption(
      '--task <task>',
      'lattice, denoise, csp (= structure) or property (a dataset column, --property)',
      choiceOption(['lattice', 'denoise', 'csp', 'structure', 'property'] as const),
    )
    .requiredOption('--data, --dataset <file.csv>', 'dataset CSV of stable crystals')
    .requiredOption('--out <dir>', 'run folder (metrics.jsonl, checkpoint.json, model.json)')
    .option('--steps, --max-steps <n>', 'optimizer steps (default 10000)', intOption(1))
    .option(
      '--minutes, --max-minutes <m>',
      'also stop after this much wall-clock time (the schedule then follows it; not step-deterministic)',
      numberOption('positive'),
    )
    .option('--batch-size <n>', 'crystals per step (default 64)', intOption(1))
    .option('--lr <x>', 'peak learning rate (default 1e-3)', numberOption('positive'))
    .option('--warmup <n>', 'linear warmup steps (default 100)', intOption(0))
    .option('--decay-steps <n>', 'cosine decay steps after warmup (default: the rest of --max-steps)', intOption(1))
    .option(
      '--lattice-weight <x>',
      'weight of the lattice loss beside the atom loss (default 10)',
      numberOption('nonnegative'),
    )
    .option(
      '--ema <decay>',
      'decay of the moving average of the weights that validation and model.json use, in [0, 1); 0 turns it off (default 0.999)',
      unitIntervalOption(),
    )
    .option(
      '--reduce-cells',
      'train on every crystal in its Niggli-reduced cell (the same crystals, the most compact cells)',
    )
    .option(
      '--atom-noise-scale <x>',
      'weigh each atom loss by 1 + (σ(t)/x)², so high noise levels count more; 0 weighs every level the same (default 0)',
      numberOption('nonnegative'),
    )
    .option(
      '--start-lattice-noise <x>',
      'csp: draw each start cell from c·exp(x·E) around the prior cube (E a random symmetric log-strain; trained and sampled alike) instead of starting every prediction from the cube',
      numberOption('positive'),
    )
    .option('--seed <s>', 'seed of weights, shuffling and noise (default 0)', intOption(0, 2 ** 32 - 1))
    .option('--valid-every <n>', 'validate every n steps (default 200)', intOption(1))
    .option('--checkpoint-every <n>', 'write checkpoint.json every n steps (default 200)', intOption(1))
    .option(
      '--snapshot-every <n>',
      "also keep the model at every checkpoint whose step is a multiple of n, as OUT/snapshots/model-<step>.json (a learning curve); --resume keeps the run's n",
      intOption(1),
    )
    .option('--hidden <n>', 'hidden features of the network (default 64)', intOption(1))
    .option('--layers <n>', 'message-passing layers (default 4)', intOption(1))
    .option(
      '--element-descriptors',
      'give the species embedding element descriptors (radius, electronegativity, period, group, block, oxidation states) shared by all elements',
    )
    .option(
      '--property <column>',
      'property task: the numeric dataset column to learn (e.g. heat_ref, the heat of formation of Perov-5); its model ranks structure predictions (--rank-by)',
    )
    .option('--k <n>', 'nearest neighbours per atom in the graph (default 16)', intOption(1))
    .option(
      '--cutoff-graph <Å>',
      'run on every neighbour within this radius instead of the k nearest, with envelope-weighted averages (actions continuous in the positions)',
      numberOption('positive'),
    )
    .option('--name <name>', 'model name recorded in model.json (default: the task)')
    .option('--resume', 'continue the run in --out from its checkpoint.json')
    .option('--plot <file.svg>', 'write the loss curve (training and validation) as SVG')
    .option('--format <id>', `format of --data when the name does not say: ${FORMAT_NAMES}`)
    .addOption(backendOption())
    .addOption(threadsOption())
    .option('--json', 'stream the metrics as JSON lines on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys train --task csp --dataset data/perov_5/val.csv --name perov_5 --out runs/perov_5 --max-steps 3000 --seed 0\n  $ crys train --task denoise --data data/perov_5/val.csv --out runs/denoise --max-minutes 20 --plot loss.svg\n  $ crys train --task denoise --data data/perov_5/val.csv --out runs/denoise --resume --max-steps 4000',
    )
    .action(async (opts: TrainOpts) => {
      const { term } = ctx;
      if (opts.plot !== undefined) assertCanWrite(opts.plot, '--plot');
      const rt = await import('../model-runtime.js');
      const model = await import('@crys/model');
      const node = await import('@crys/model/node');
      const task = rt.taskKind(opts.task);
      if (task === 'property' && opts.property === undefined && !opts.resume) {
        throw new UsageError(
          '--task property needs --property COLUMN',
          'name the dataset column to learn, e.g. --property heat_ref for Perov-5',
        );
      }
      if (task !== 'property' && opts.property !== undefined) {
        throw new UsageError(`--property applies to --task property, not --task ${opts.task}`, 'leave --property out');
      }
      const checkpointPath = join(opts.out, 'checkpoint.json');
      const modelPath = join(opts.out, 'model.json');
      const metricsPath = join(opts.out, 'metrics.jsonl');
      if (!opts.resume && existsSync(checkpointPath)) {
        throw new UsageError(
          `${opts.out} already holds a training run (checkpoint.json)`,
          'pass --resume to continue it, or choose another --out',
        );
      }
      let resume: Checkpoint | undefined;
      if (opts.resume) {
        if (!existsSync(checkpointPath)) {
          throw new CliFailure(`nothing to resume: ${checkpointPath} does not exist`, 'start the run without --resume');
        }
        try {
          resume = node.readCheckpointFile(checkpointPath);
        } catch (e) {
          if (!CrysError.isInstance(e)) fileFailure(e, 'read', checkpointPath);
          throw new CliFailure(e.message, 'start a new run with another --out');
        }
      }
      const loadProgress = createProgress(term, { label: 'reading', total: 100, unit: '%' });
      const loaded = loadCrystals(opts.dataset, {
        format: opts.format,
        onProgress: (f, n) => loadProgress.update(Math.round(100 * f), `${n} crystals`),
      });
      loadProgress.finish(`${loaded.crystals.length} crystals`);
      const rows = rt.asRows(loaded.crystals);
      const split = model.splitDataset(rows);
      if (split.train.length === 0 || split.valid.length === 0) {
        throw new CliFailure(
          `${opts.dataset} is too small to split: its ${rows.length} crystal(s) give ${split.train.length} for training and ${split.valid.length} for validation, and a run needs both (validation picks the model it writes)`,
          'train on more rows: the split (FNV-1a of material_id) puts about 80 % in training, 10 % in validation and 10 % in the holdout, so a few dozen rows give each part some',
        );
      }
      const column = opts.property ?? resume?.config.property;
      if (task === 'property' && column !== undefined) {
        // every training and validation row needs the value: fail before the backend starts
        for (const r of [...split.train, ...split.valid]) {
          try {
            node.rowProperty(r, column, 'train');
          } catch (e) {
            if (!(e instanceof InvalidArgumentError)) throw e;
            throw new UsageError(
              `--property ${e.message.slice(e.message.indexOf('names column'))} (${opts.dataset})`,
              'choose a numeric column of the dataset that every row has',
            );
          }
        }
      }
      const backend = await rt.startBackend(opts.backend, opts.threads);
      const given = configFromOptions(opts, task);
      const network =
        opts.hidden !== undefined ||
        opts.layers !== undefined ||
        opts.elementDescriptors ||
        opts.cutoffGraph !== undefined
          ? {
              ...model.DEFAULT_TRAIN_CONFIG.network,
              ...(resume?.config.network ?? {}),
              ...(opts.hidden !== undefined ? { hidden: opts.hidden } : {}),
              ...(opts.layers !== undefined ? { layers: opts.layers } : {}),
              ...(opts.elementDescriptors ? { descriptors: true } : {}),
              ...(opts.cutoffGraph !== undefined ? { graph: 'cutoff' as const, cutoff: opts.cutoffGraph } : {}),
            }
          : undefined;
      const config: TrainConfig = {
        ...given,
        // a new run's defaults; a resumed run keeps its own
        ...(resume ? {} : { name: given.name ?? task, seed: given.seed ?? 0 }),
        ...(network ? { network } : {}),
        meta: { dataset: opts.dataset, backend },
      };
      const c = term.colorErr;
      let progress = undefined as Progress | undefined;
      let lastValid = Number.NaN;
      let lastValidStep = -1;
      let lastLoss = Number.NaN;
      let result: TrainResult;
      try {
        result = node.trainToDirectory({
          dataset: rows,
          out: opts.out,
          config,
          resume,
          ...(opts.snapshotEvery !== undefined ? { snapshotEvery: opts.snapshotEvery } : {}),
          onMetrics(record) {
            if (opts.json) term.out(JSON.stringify(record));
            if (record.type === 'start') {
              term.err(
                `${paint(c, 'bold', 'crys train')}: ${task} on ${record.train} training / ${record.valid} validation crystals of ${opts.dataset} (${backend})${resume ? `, resuming at step ${record.step}` : ''}`,
              );
              const total = record.config.maxSteps ?? model.DEFAULT_TRAIN_CONFIG.maxSteps;
              progress = createProgress(term, {
                label: `training ${task}`,
                total,
                unit: 'steps',
                delayMs: 0,
                initial: record.step,
              });
            } else if (record.type === 'train') {
              lastLoss = record.loss;
            } else if (record.type === 'valid') {
              lastValid = record.loss;
              lastValidStep = record.step;
            } else if (record.type === 'skipped') {
              progress?.log(
                `${paint(c, 'yellow', 'skipped')} step ${record.step}: ${record.reason} batch (loss ${record.loss}, gradient norm ${record.gradNorm}); not applied`,
              );
            }
            if (record.type === 'train' || record.type === 'valid') {
              const val = lastValidStep < 0 ? 'val – (not yet)' : `val ${fixed(lastValid, 4)} @ ${lastValidStep}`;
              progress?.update(record.step, `loss ${fixed(lastLoss, 4)}  ${val}`);
            }
          },
        });
      } catch (e) {
        if (
          e instanceof InvalidArgumentError &&
          e.parameter in OPTION_OF &&
          e.message.includes('cannot change when resuming')
        ) {
          throw new UsageError(
            `${OPTION_OF[e.parameter]} differs from the run being resumed in ${opts.out}: ${e.message.slice(e.message.lastIndexOf(': it has ') + 2)}`,
            `give ${OPTION_OF[e.parameter]} the run's value${e.parameter === 'config.task' ? '' : ' (or leave it out)'} to continue it, or start a new run with another --out`,
          );
        }
        fileFailure(e, 'write', opts.out);
      }
      progress?.finish(`best val ${fixed(result.bestLoss, 4)} at step ${result.bestStep}`);
      if (opts.plot) writeAtomic(opts.plot, lossCurveSvg(readMetrics(metricsPath), `crys train --task ${opts.task}`));
      if (opts.json) return;
      term.out(
        `trained ${result.steps} steps in ${duration(result.elapsedSec)}${result.skipped ? ` (${result.skipped} batches skipped)` : ''}; best validation loss ${fixed(result.bestLoss, 4)} at step ${result.bestStep}`,
      );
      term.out(
        `wrote ${modelPath} (best model), ${checkpointPath} (resume with --resume), ${metricsPath}${opts.plot ? `, ${opts.plot}` : ''}`,
      );
      term.out(`next: crys eval --model ${opts.out} --data ${opts.dataset}`);
    });
}
