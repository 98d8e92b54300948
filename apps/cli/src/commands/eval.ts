import { validityRates } from '@crys/eval';
import type { Crystal } from '@crys/lattice';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { writeAtomic } from '../files.js';
import { FORMAT_NAMES, formatCrystals, formatFromName, loadCrystals } from '../load.js';
import type { CliContext } from '../main.js';
import { backendOption, choiceOption, etaOption, fixedLatticeOption, intOption, numberOption } from '../options.js';
import { createProgress } from '../progress.js';
import { fixed, formatTable, percent } from '../table.js';
import { paint } from '../term.js';

interface EvalOpts {
  model?: string;
  dataset: string;
  split: 'holdout' | 'valid' | 'train' | 'all';
  limit?: number;
  seed: number;
  steps?: number;
  startLevel?: number;
  eta?: number;
  fixedLattice?: boolean;
  backend: 'wasm' | 'cpu';
  out?: string;
  format?: string;
  json?: boolean | string;
}

/** The numbers `crys eval` prints (and `--json` gives). `before` is the model's input, `after` its output. */
export interface EvaluationSummary {
  readonly task: string;
  readonly rows: number;
  readonly seconds: number;
  readonly matchRate: { before: number | null; after: number };
  readonly rmse: { before: number | null; after: number | null };
  readonly structuralValidity: { before: number | null; after: number };
  readonly compositionalValidity: number;
  readonly latticeLengthMae: { before: number | null; after: number | null };
  readonly latticeAngleMae: { before: number | null; after: number | null };
  /** Lattice recovery: the MAE of predicting the training split's mean parameters for every crystal. */
  readonly meanBaseline: { lengthMae: number; angleMae: number } | null;
  readonly positionError: { before: number | null; after: number | null };
}

interface MatchLike {
  matchRate: number;
  rmse: number | null;
}
interface LatticeLike {
  lengthMae: number;
  angleMae: number;
}

/** Builds the summary from @crys/model's `evaluatePredictions` report and @crys/eval's validity rates. */
export function summarizeEvaluation(
  report: Record<string, unknown>,
  before: readonly Crystal[],
  after: readonly Crystal[],
  rows: number,
  seconds: number,
): EvaluationSummary {
  const match = report.match as { before?: MatchLike; after: MatchLike };
  const lattice = report.lattice as { before: LatticeLike; after: LatticeLike } | undefined;
  const pos = report.positionError as { before: number; after: number } | undefined;
  const baseline = report.meanBaseline as { lengthMae: number; angleMae: number } | undefined;
  const task = String(report.task);
  const vAfter = validityRates(after);
  return {
    task,
    rows,
    seconds,
    matchRate: { before: match.before?.matchRate ?? null, after: match.after.matchRate },
    rmse: { before: match.before?.rmse ?? null, after: match.after.rmse },
    structuralValidity: {
      before: task === 'structure' ? null : validityRates(before).structValid,
      after: vAfter.structValid,
    },
    compositionalValidity: vAfter.compValid,
    latticeLengthMae: { before: lattice?.before.lengthMae ?? null, after: lattice?.after.lengthMae ?? null },
    latticeAngleMae: { before: lattice?.before.angleMae ?? null, after: lattice?.after.angleMae ?? null },
    meanBaseline: baseline ? { lengthMae: baseline.lengthMae, angleMae: baseline.angleMae } : null,
    positionError: { before: pos?.before ?? null, after: pos?.after ?? null },
  };
}

/** The summary as a `metric | before | after` table. */
export function formatEvaluation(s: EvaluationSummary): string {
  const p = (x: number | null) => (x === null ? '–' : percent(x));
  const f = (x: number | null, d: number) => (x === null ? '–' : fixed(x, d));
  const rows: string[][] = [
    ['match rate (stol 0.5, ltol 0.3, angle_tol 10)', p(s.matchRate.before), p(s.matchRate.after)],
    ['RMSE over matched, /(V/N)^⅓', f(s.rmse.before, 4), f(s.rmse.after, 4)],
    ['structural validity', p(s.structuralValidity.before), p(s.structuralValidity.after)],
    ['compositional validity (SMACT)', '', p(s.compositionalValidity)],
  ];
  if (s.latticeLengthMae.after !== null) {
    rows.push(['lattice length MAE (Å)', f(s.latticeLengthMae.before, 4), f(s.latticeLengthMae.after, 4)]);
    rows.push(['lattice angle MAE (°)', f(s.latticeAngleMae.before, 3), f(s.latticeAngleMae.after, 3)]);
  }
  if (s.meanBaseline !== null) {
    rows.push(['lattice length MAE, training-mean baseline (Å)', '', f(s.meanBaseline.lengthMae, 4)]);
    rows.push(['lattice angle MAE, training-mean baseline (°)', '', f(s.meanBaseline.angleMae, 3)]);
  }
  if (s.positionError.after !== null) {
    rows.push(['position error, RMS (Å)', f(s.positionError.before, 4), f(s.positionError.after, 4)]);
  }
  return formatTable([`${s.task}: ${s.rows} crystals`, 'before', 'after'], rows);
}

export function registerEval(program: Command, ctx: CliContext): void {
  program
    .command('eval')
    .summary("score a model on a dataset with the field's metrics")
    .description(
      "Runs a model's task on the rows of a dataset CSV (structure prediction from random starts, denoising of " +
        'seeded perturbations, or lattice recovery from the prior cell) and prints the metrics of @crys/eval: ' +
        'match rate and RMSE against the true structures (StructureMatcher, stol 0.5, ltol 0.3, angle_tol 10), ' +
        'structural and compositional validity, and for denoising / lattice recovery the lattice MAE and ' +
        'position error before and after (lattice recovery also beside the "predict the training mean" ' +
        'baseline). By default only the holdout split (FNV-1a of material_id, bucket 9 of 10) is scored: the ' +
        'shipped models were trained on the other buckets of data/*/val.csv. --json FILE writes every number ' +
        '(the run settings, the summary and the full report) to FILE; --json alone prints it instead of the table.',
    )
    .requiredOption('--data, --dataset <file.csv>', 'dataset CSV with the true structures')
    .option('--model <name|path>', 'shipped model name or a model.json / `crys train --out` folder')
    .option('--split <part>', 'rows to score', choiceOption(['holdout', 'valid', 'train', 'all'] as const), 'holdout')
    .option('--limit <n>', 'only the first n rows (after the split)', intOption(1))
    .option('--seed <s>', 'seed of starts and perturbations', intOption(0, 2 ** 32 - 1), 0)
    .option('--steps <n>', "action steps (default: the model's)", intOption(1, 100_000))
    .option(
      '--start-level <t>',
      'denoising: noise level of the perturbations, (0, 1] (default 0.5)',
      numberOption('positive'),
    )
    .addOption(etaOption())
    .addOption(fixedLatticeOption())
    .addOption(backendOption())
    .option('-o, --out <file>', 'also write the predictions (a dataset CSV with material_id and P1 cif)')
    .option('--format <id>', `format of --data when the name does not say: ${FORMAT_NAMES}`)
    .option('--json [file]', 'write the metrics as JSON to file (or print them, without a file or with -)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys eval --model perov_5 --data data/perov_5/val.csv --limit 100\n  $ crys eval --model perov_5 --dataset data/perov_5/val.csv --split holdout --steps 50 --seed 0 --json eval.json\n  $ crys eval --model runs/denoise --data data/carbon_24/val.csv --json',
    )
    .action(async (opts: EvalOpts) => {
      const { term } = ctx;
      if (opts.startLevel !== undefined && opts.startLevel > 1) {
        throw new UsageError(`--start-level must be in (0, 1], got ${opts.startLevel}`);
      }
      const rt = await import('../model-runtime.js');
      const { evaluatePredictions, latticeStats, predictRows, splitOf } = await import('@crys/model');
      const loaded = loadCrystals(opts.dataset, { format: opts.format });
      const all = rt.asRows(loaded.crystals);
      let rows = opts.split === 'all' ? all : all.filter((r) => splitOf(r.id) === opts.split);
      if (opts.limit !== undefined) rows = rows.slice(0, opts.limit);
      if (rows.length === 0) {
        throw new UsageError(`no rows of ${opts.dataset} are in the ${opts.split} split`, 'use --split all');
      }
      await rt.startBackend(opts.backend);
      const elements = new Set<number>();
      for (const r of rows) for (const z of r.crystal.atomicNumbers) elements.add(z);
      const defaultTask = opts.model?.endsWith('-denoise')
        ? 'denoise'
        : opts.model?.endsWith('-lattice')
          ? 'lattice'
          : 'structure';
      const { model, source } = rt.resolveModel(opts.model, defaultTask, elements);
      const options = {
        seed: opts.seed,
        steps: opts.steps,
        startLevel: opts.startLevel,
        eta: opts.eta,
        moveLattice: !opts.fixedLattice,
      };
      const progress = createProgress(term, { label: 'evaluating', total: rows.length, unit: 'crystals' });
      const t0 = performance.now();
      const preds = [];
      for (let start = 0; start < rows.length; start += 64) {
        preds.push(...predictRows(model, rows.slice(start, start + 64), options));
        progress.update(Math.min(rows.length, start + 64));
      }
      progress.finish();
      const seconds = (performance.now() - t0) / 1000;
      const trainRows = all.filter((r) => splitOf(r.id) === 'train');
      const mean = trainRows.length > 0 ? latticeStats(trainRows.map((r) => r.crystal)).mean : undefined;
      const trainMean = mean && { a: mean[0], b: mean[1], c: mean[2], alpha: mean[3], beta: mean[4], gamma: mean[5] };
      const report = evaluatePredictions(model, rows, preds, trainMean);
      const summary = summarizeEvaluation(
        report,
        preds.map((p) => p.start),
        preds.map((p) => p.crystal),
        rows.length,
        seconds,
      );
      if (opts.out) {
        const outFormat = opts.out === '-' ? 'dataset-csv' : (formatFromName(opts.out) ?? 'dataset-csv');
        const items = preds.map((p) => ({ crystal: p.crystal, label: p.id, id: p.id }));
        writeAtomic(opts.out, formatCrystals(items, outFormat), term.stdout);
      }
      // The run settings, @crys/model's report (the shape of packages/model/models/*/eval.json) and the summary.
      const record = {
        data: opts.dataset,
        model: source,
        split: opts.split,
        seed: opts.seed,
        steps: opts.steps ?? model.config.steps,
        eta: opts.eta ?? 0,
        moveLattice: !opts.fixedLattice,
        ...(model.config.task.kind === 'denoise' ? { startLevel: opts.startLevel ?? 0.5 } : {}),
        ...report,
        ...summary,
      };
      const jsonFile = typeof opts.json === 'string' && opts.json !== '-' ? opts.json : undefined;
      if (jsonFile) writeAtomic(jsonFile, `${JSON.stringify(record, null, 2)}\n`);
      else if (opts.json) {
        term.out(JSON.stringify(record));
        return;
      }
      if (opts.out === '-') return;
      term.out(
        paint(
          term.color,
          'bold',
          `model ${source} on ${opts.dataset} (${opts.split} split, seed ${opts.seed}) in ${fixed(seconds, 1)} s`,
        ),
      );
      term.out(formatEvaluation(summary));
      const wrote = [opts.out, jsonFile].filter((f) => f !== undefined);
      if (wrote.length > 0) term.out(`wrote ${wrote.join(', ')}`);
    });
}
