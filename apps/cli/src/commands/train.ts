import type { Checkpoint, TrainConfig } from '@crys/model';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliFailure, UsageError } from '../errors.js';
import { fileFailure, readText, writeAtomic } from '../files.js';
import { FORMAT_NAMES, loadCrystals } from '../load.js';
import type { CliContext } from '../main.js';
import { choiceOption, intOption, numberOption } from '../options.js';
import { createProgress } from '../progress.js';
import { lineChartSvg } from '../svg-plot.js';
import { duration, fixed } from '../table.js';
import { paint } from '../term.js';

interface TrainOpts {
  task: 'lattice' | 'denoise' | 'csp' | 'structure';
  data: string;
  out: string;
  steps?: number;
  minutes?: number;
  batchSize?: number;
  lr?: number;
  seed: number;
  validEvery?: number;
  checkpointEvery?: number;
  hidden?: number;
  layers?: number;
  name?: string;
  resume?: boolean;
  plot?: string;
  format?: string;
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

export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .summary('train an action model (lattice recovery, denoising or structure prediction)')
    .description(
      'Trains an action model on a dataset CSV with its deterministic split (FNV-1a of material_id: buckets ' +
        '0–7 train, 8 validation, 9 holdout, which is never used here). Shows a progress bar with the loss, ' +
        'the validation loss and the ETA on stderr; writes OUT/metrics.jsonl (JSON lines), OUT/checkpoint.json ' +
        '(latest state, to --resume) and OUT/model.json (best by validation loss), each file atomically, so a ' +
        'killed run never leaves a truncated checkpoint. --plot writes the loss curve as SVG. Pass the OUT ' +
        'folder to --model of relax, predict and eval.',
    )
    .requiredOption(
      '--task <task>',
      'lattice, denoise or csp',
      choiceOption(['lattice', 'denoise', 'csp', 'structure'] as const),
    )
    .requiredOption('--data <file.csv>', 'dataset CSV of stable crystals')
    .requiredOption('--out <dir>', 'run folder (metrics.jsonl, checkpoint.json, model.json)')
    .option('--steps <n>', 'optimizer steps (default 10000)', intOption(1))
    .option('--minutes <m>', 'stop after this much wall-clock time', numberOption('positive'))
    .option('--batch-size <n>', 'crystals per step (default 64)', intOption(1))
    .option('--lr <x>', 'peak learning rate (default 1e-3)', numberOption('positive'))
    .option('--seed <s>', 'seed of weights, shuffling and noise', intOption(0, 2 ** 32 - 1), 0)
    .option('--valid-every <n>', 'validate every n steps (default 200)', intOption(1))
    .option('--checkpoint-every <n>', 'write checkpoint.json every n steps (default 200)', intOption(1))
    .option('--hidden <n>', 'hidden features of the network', intOption(1))
    .option('--layers <n>', 'message-passing layers', intOption(1))
    .option('--name <name>', 'model name recorded in model.json')
    .option('--resume', 'continue the run in --out from its checkpoint.json')
    .option('--plot <file.svg>', 'write the loss curve (training and validation) as SVG')
    .option('--format <id>', `format of --data when the name does not say: ${FORMAT_NAMES}`)
    .option('--json', 'stream the metrics as JSON lines on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys train --task denoise --data data/perov_5/val.csv --out runs/denoise --minutes 20 --plot loss.svg\n  $ crys train --task denoise --data data/perov_5/val.csv --out runs/denoise --resume --steps 4000',
    )
    .action(async (opts: TrainOpts) => {
      const { term } = ctx;
      const rt = await import('../model-runtime.js');
      const model = await import('@crys/model');
      const task = rt.taskKind(opts.task);
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
          resume = JSON.parse(readText(checkpointPath)) as Checkpoint;
        } catch (e) {
          if (e instanceof SyntaxError) {
            throw new CliFailure(
              `${checkpointPath} is not valid JSON: ${e.message}`,
              'start a new run with another --out',
            );
          }
          throw e;
        }
      }
      const loadProgress = createProgress(term, { label: 'reading', total: 100, unit: '%' });
      const loaded = loadCrystals(opts.data, {
        format: opts.format,
        onProgress: (f, n) => loadProgress.update(Math.round(100 * f), `${n} crystals`),
      });
      loadProgress.finish(`${loaded.crystals.length} crystals`);
      const split = model.splitDataset(rt.asRows(loaded.crystals));
      if (split.train.length === 0) {
        throw new CliFailure(`${opts.data} has no rows in the training split`, 'use a dataset with more rows');
      }
      const base = resume?.config ?? {};
      const config: TrainConfig = {
        ...base,
        name: opts.name ?? base.name ?? `${task}`,
        task,
        seed: resume ? base.seed : opts.seed,
        ...(opts.steps !== undefined ? { maxSteps: opts.steps } : {}),
        ...(opts.minutes !== undefined ? { maxMinutes: opts.minutes } : {}),
        ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
        ...(opts.lr !== undefined ? { learningRate: opts.lr } : {}),
        ...(opts.validEvery !== undefined ? { validEvery: opts.validEvery } : {}),
        ...(opts.checkpointEvery !== undefined ? { checkpointEvery: opts.checkpointEvery } : {}),
        ...(opts.hidden !== undefined || opts.layers !== undefined
          ? {
              network: {
                ...model.DEFAULT_TRAIN_CONFIG.network,
                ...(base.network ?? {}),
                ...(opts.hidden !== undefined ? { hidden: opts.hidden } : {}),
                ...(opts.layers !== undefined ? { layers: opts.layers } : {}),
              },
            }
          : {}),
        meta: {
          ...(base.meta ?? {}),
          dataset: opts.data,
          split: 'fnv1a(material_id) % 10: 0-7 train, 8 valid, 9 holdout',
        },
      };
      if (resume && resume.config.task !== task) {
        throw new UsageError(`--task ${opts.task} differs from the run being resumed (${String(resume.config.task)})`);
      }
      try {
        mkdirSync(opts.out, { recursive: true });
        if (!resume) writeFileSync(metricsPath, '');
      } catch (e) {
        fileFailure(e, 'write', opts.out);
      }
      const backend = await rt.startBackend();
      const maxSteps = config.maxSteps ?? model.DEFAULT_TRAIN_CONFIG.maxSteps;
      const progress = createProgress(term, { label: `training ${task}`, total: maxSteps, unit: 'steps', delayMs: 0 });
      let lastValid = Number.NaN;
      let lastLoss = Number.NaN;
      const c = term.colorErr;
      term.err(
        `${paint(c, 'bold', 'crys train')}: ${task} on ${split.train.length} training / ${split.valid.length} validation crystals of ${opts.data} (${backend})${resume ? `, resuming at step ${resume.step}` : ''}`,
      );
      const result = model.train(
        config,
        { train: split.train.map((r) => r.crystal), valid: split.valid.map((r) => r.crystal) },
        {
          onMetrics(record) {
            const line = JSON.stringify(record);
            appendFileSync(metricsPath, `${line}\n`);
            if (opts.json) term.out(line);
            if (record.type === 'train') {
              lastLoss = record.loss;
            } else if (record.type === 'valid') {
              lastValid = record.loss;
            } else if (record.type === 'skipped') {
              progress.log(
                `${paint(c, 'yellow', 'skipped')} step ${record.step}: ${record.reason} batch (loss ${record.loss}, gradient norm ${record.gradNorm}); not applied`,
              );
            }
            if (record.type === 'train' || record.type === 'valid') {
              progress.update(record.step, `loss ${fixed(lastLoss, 4)}  val ${fixed(lastValid, 4)}`);
            }
          },
          onCheckpoint: (checkpoint) => writeAtomic(checkpointPath, JSON.stringify(checkpoint)),
          onBest: (best) => writeAtomic(modelPath, JSON.stringify(best)),
        },
        resume,
      );
      progress.finish(`best val ${fixed(result.bestLoss, 4)} at step ${result.bestStep}`);
      if (!existsSync(modelPath)) writeAtomic(modelPath, JSON.stringify(result.best));
      if (opts.plot) writeAtomic(opts.plot, lossCurveSvg(readMetrics(metricsPath), `crys train --task ${opts.task}`));
      if (opts.json) return;
      term.out(
        `trained ${result.steps} steps in ${duration(result.elapsedSec)}${result.skipped ? ` (${result.skipped} batches skipped)` : ''}; best validation loss ${fixed(result.bestLoss, 4)} at step ${result.bestStep}`,
      );
      term.out(
        `wrote ${modelPath} (best model), ${checkpointPath} (resume with --resume), ${metricsPath}${opts.plot ? `, ${opts.plot}` : ''}`,
      );
      term.out(`next: crys eval --model ${opts.out} --data ${opts.data}`);
    });
}
