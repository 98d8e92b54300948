import { symmetrize, validityRates } from '@crys/eval';
import type { Crystal } from '@crys/lattice';
import type { EvaluationReport } from '@crys/model';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { assertCanWrite, writeAtomic } from '../files.js';
import { FORMAT_NAMES, formatCrystals, formatFromName, loadCrystals } from '../load.js';
import { addJobOptions, resolveParallel } from '../jobs/options.js';
import type { JobFlags } from '../jobs/run.js';
import { assertModelInput } from '../model-input.js';
import type { CliContext } from '../main.js';
import {
  backendOption,
  choiceOption,
  etaOption,
  fixedLatticeOption,
  intOption,
  latticeModelOption,
  numberOption,
  rankByOption,
  refuseCandidatesForTask,
  refuseCandidatesWithJobs,
  samplerOptions,
  strictOption,
  threadsOption,
} from '../options.js';
import { createProgress } from '../progress.js';
import { fixed, formatTable, percent } from '../table.js';
import { paint } from '../term.js';

interface EvalOpts extends Partial<JobFlags> {
  model?: string;
  dataset: string;
  split: 'holdout' | 'valid' | 'train' | 'all';
  limit?: number;
  seed: number;
  steps?: number;
  startLevel?: number;
  eta?: number;
  fixedLattice?: boolean;
  refineSteps?: number;
  correctorSteps?: number;
  correctorScale?: number;
  symmetrize?: number;
  candidates?: number;
  latticeModel?: string;
  rankBy?: string;
  backend: 'wasm' | 'cpu';
  threads: number | 'auto';
  out?: string;
  format?: string;
  strict?: boolean;
  json?: boolean | string;
}

/** The random-start control of structure prediction: @crys/model's `EvaluationReport.control`. */
export type EvaluationControl = NonNullable<EvaluationReport['control']>;

/** The numbers `crys eval` prints (and `--json` gives). `before` is the model's input, `after` its output. */
export interface EvaluationSummary {
  readonly task: string;
  readonly rows: number;
  readonly seconds: number;
  readonly matchRate: { before: number | null; after: number };
  readonly rmse: { before: number | null; after: number | null };
  /**
   * Pairs matched (with the validity gate) at a normalised RMS below `tightRms` (0.1), over all pairs. Null in
   * records written before these figures existed (an old eval.json read by `crys model`).
   */
  readonly tightMatchRate: { before: number | null; after: number | null };
  readonly tightRms: number | null;
  /** Predictions whose space group (moyo at `spaceGroupSymprec`, 0.1 Å) equals the truth's, over all pairs. */
  readonly spaceGroupRate: { before: number | null; after: number | null };
  readonly spaceGroupSymprec: number | null;
  /** Structure prediction: the starts (random coordinates in the prior cell) scored as predictions. */
  readonly control: EvaluationControl | null;
  /**
   * Structure prediction: matched species-blind at RMS < `tightRms` (the right geometry, whatever species sits on
   * which site; @crys/model `frameworkReport`). Absent in records written before it existed.
   */
  readonly frameworkTightMatchRate?: number | null;
  readonly structuralValidity: { before: number | null; after: number };
  readonly compositionalValidity: number;
  readonly latticeLengthMae: { before: number | null; after: number | null };
  readonly latticeAngleMae: { before: number | null; after: number | null };
  /** Lattice recovery: the MAE of predicting the training split's mean parameters for every crystal. */
  readonly meanBaseline: { lengthMae: number; angleMae: number } | null;
  /** Lattice recovery: the lattice MAE and the mean baseline with every cell Niggli-reduced (absent in older files). */
  readonly latticeNiggliMae?: {
    before: { lengthMae: number; angleMae: number };
    after: { lengthMae: number; angleMae: number };
    baseline: { lengthMae: number; angleMae: number } | null;
  } | null;
  readonly positionError: { before: number | null; after: number | null };
}

/** Builds the summary from @crys/model's `evaluatePredictions` report and @crys/eval's validity rates. */
export function summarizeEvaluation(
  report: EvaluationReport,
  before: readonly Crystal[],
  after: readonly Crystal[],
  rows: number,
  seconds: number,
): EvaluationSummary {
  const { match, lattice, spaceGroup } = report;
  const pos = report.positionError;
  const baseline = report.meanBaseline;
  const task = String(report.task);
  const vAfter = validityRates(after);
  return {
    task,
    rows,
    seconds,
    matchRate: { before: match.before?.matchRate ?? null, after: match.after.matchRate },
    rmse: { before: match.before?.rmse ?? null, after: match.after.rmse },
    tightMatchRate: { before: match.before?.tightMatchRate ?? null, after: match.after.tightMatchRate },
    tightRms: match.after.tightRms,
    spaceGroupRate: { before: spaceGroup.before?.rate ?? null, after: spaceGroup.after.rate },
    spaceGroupSymprec: spaceGroup.after.symprec,
    control: report.control ?? null,
    frameworkTightMatchRate: report.framework?.tightMatchRate ?? null,
    structuralValidity: {
      before: task === 'structure' ? null : validityRates(before).structValid,
      after: vAfter.structValid,
    },
    compositionalValidity: vAfter.compValid,
    latticeLengthMae: { before: lattice?.before.lengthMae ?? null, after: lattice?.after.lengthMae ?? null },
    latticeAngleMae: { before: lattice?.before.angleMae ?? null, after: lattice?.after.angleMae ?? null },
    meanBaseline: baseline ? { lengthMae: baseline.lengthMae, angleMae: baseline.angleMae } : null,
    latticeNiggliMae: report.latticeNiggli
      ? { ...report.latticeNiggli, baseline: report.meanBaselineNiggli ?? null }
      : null,
    positionError: { before: pos?.before ?? null, after: pos?.after ?? null },
  };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : percent(x));
const num = (x: number | null | undefined, d: number) => (x === null || x === undefined ? '–' : fixed(x, d));

/**
 * The random-start control in one line: what the same metrics give for the starts the model ran from.
 *
 * @example
 * formatControl(summary); // 'random-start control (the starts, no model; same rows): match rate 34.9 %, …'
 */
export function formatControl(s: Pick<EvaluationSummary, 'control' | 'tightRms' | 'spaceGroupSymprec'>): string {
  const c = s.control;
  if (c === null) return '';
  return (
    'random-start control (the starts, no model; same rows): ' +
    `match rate ${pct(c.match.matchRate)}, RMS < ${s.tightRms ?? c.match.tightRms} ${pct(c.match.tightMatchRate)}, ` +
    `RMSE ${num(c.match.rmse, 4)}, same space group ${pct(c.spaceGroup.rate)}`
  );
}

/** The summary as a `metric | before | after` table, then the random-start control on its own line. */
export function formatEvaluation(s: EvaluationSummary): string {
  const rows: string[][] = [
    ['match rate (stol 0.5, ltol 0.3, angle_tol 10)', pct(s.matchRate.before), pct(s.matchRate.after)],
    [`matched with RMS < ${s.tightRms ?? 0.1}`, pct(s.tightMatchRate.before), pct(s.tightMatchRate.after)],
    ...(s.frameworkTightMatchRate === null || s.frameworkTightMatchRate === undefined
      ? []
      : [[`  the same, species-blind (sites in any order)`, '', pct(s.frameworkTightMatchRate)]]),
    ['RMSE over matched, /(V/N)^⅓', num(s.rmse.before, 4), num(s.rmse.after, 4)],
    [
      `same space group as the truth (symprec ${s.spaceGroupSymprec ?? 0.1} Å)`,
      pct(s.spaceGroupRate.before),
      pct(s.spaceGroupRate.after),
    ],
    ['structural validity', pct(s.structuralValidity.before), pct(s.structuralValidity.after)],
    ['compositional validity (SMACT)', '', pct(s.compositionalValidity)],
  ];
  if (s.latticeLengthMae.after !== null) {
    rows.push(['lattice length MAE (Å)', num(s.latticeLengthMae.before, 4), num(s.latticeLengthMae.after, 4)]);
    rows.push(['lattice angle MAE (°)', num(s.latticeAngleMae.before, 3), num(s.latticeAngleMae.after, 3)]);
  }
  if (s.meanBaseline !== null) {
    rows.push(['lattice length MAE, training-mean baseline (Å)', '', num(s.meanBaseline.lengthMae, 4)]);
    rows.push(['lattice angle MAE, training-mean baseline (°)', '', num(s.meanBaseline.angleMae, 3)]);
  }
  const niggli = s.latticeNiggliMae;
  if (niggli) {
    rows.push([
      'lattice length MAE, Niggli cells (Å)',
      num(niggli.before.lengthMae, 4),
      num(niggli.after.lengthMae, 4),
    ]);
    rows.push(['lattice angle MAE, Niggli cells (°)', num(niggli.before.angleMae, 3), num(niggli.after.angleMae, 3)]);
    if (niggli.baseline) {
      rows.push(['Niggli length MAE, training-mean baseline (Å)', '', num(niggli.baseline.lengthMae, 4)]);
      rows.push(['Niggli angle MAE, training-mean baseline (°)', '', num(niggli.baseline.angleMae, 3)]);
    }
  }
  if (s.positionError.after !== null) {
    rows.push(['position error, RMS (Å)', num(s.positionError.before, 4), num(s.positionError.after, 4)]);
  }
  const table = formatTable([`${s.task}: ${s.rows} crystals`, 'before', 'after'], rows);
  return s.control ? `${table}\n${formatControl(s)}` : table;
}

export function registerEval(program: Command, ctx: CliContext): void {
  addJobOptions(program.command('eval'))
    .summary("score a model on a dataset with the field's metrics")
    .description(
      "Runs a model's task on the rows of a dataset CSV (structure prediction from random starts, denoising of " +
        'seeded perturbations, or lattice recovery from the prior cell) and prints the metrics of @crys/eval: ' +
        'match rate and RMSE against the true structures (StructureMatcher, stol 0.5, ltol 0.3, angle_tol 10), ' +
        'the rate matched with RMS < 0.1 (a tight match: the lenient tolerances also accept wrong arrangements), ' +
        'the rate with the true space group (moyo, symprec 0.1 Å), structural and compositional validity, and ' +
        'for denoising / lattice recovery the lattice MAE and position error before and after (lattice recovery ' +
        'also beside the "predict the training mean" baseline). Structure prediction always adds the ' +
        'random-start control: the same metrics for the starts the model ran from, on the same rows. By default only the holdout split (FNV-1a of material_id, bucket 9 of 10) is scored: the ' +
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
    .addOption(samplerOptions()[0])
    .addOption(samplerOptions()[1])
    .addOption(samplerOptions()[2])
    .addOption(latticeModelOption())
    .option(
      '--symmetrize <symprec>',
      'idealise every prediction (and start, for the control) onto the space group moyo finds at this tolerance ' +
        '(Å) before scoring: a symmetry-aware refinement reported as such, not the plain model',
      numberOption('positive'),
    )
    .option(
      '--candidates <k>',
      'structure prediction: run k samples per row (seeds seed … seed+k-1) and keep the most symmetric one ' +
        '(moyo, symprec 0.1 Å; the starts of the control are selected alike): a selection that does not use the ' +
        'truth, reported as such, not the one-sample model',
      intOption(2, 64),
    )
    .addOption(rankByOption())
    .addOption(backendOption())
    .addOption(threadsOption())
    .addOption(strictOption())
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
      refuseCandidatesWithJobs(opts.candidates, opts);
      resolveParallel(opts); // a bad --parallel / --queue pair fails before any work
      if (opts.out !== undefined) assertCanWrite(opts.out, '--out');
      if (typeof opts.json === 'string') assertCanWrite(opts.json, '--json');
      const rt = await import('../model-runtime.js');
      const {
        evaluatePredictions,
        predictRows,
        predictRowsLowestProperty,
        predictRowsMostSymmetric,
        splitOf,
        trainingMeans,
      } = await import('@crys/model');
      const reading = createProgress(term, { label: 'reading', total: 100, unit: '%' });
      const loaded = loadCrystals(opts.dataset, {
        format: opts.format,
        onProgress: (f, n) => reading.update(Math.round(100 * f), `${n} crystals`),
      });
      reading.finish(`${loaded.crystals.length} crystals`);
      const all = rt.asRows(loaded.crystals);
      let rows = opts.split === 'all' ? all : all.filter((r) => splitOf(r.id) === opts.split);
      if (opts.limit !== undefined) rows = rows.slice(0, opts.limit);
      if (rows.length === 0) {
        throw new UsageError(`no rows of ${opts.dataset} are in the ${opts.split} split`, 'use --split all');
      }
      const labels = new Map(all.map((r, i) => [r, loaded.crystals[i].label]));
      for (const r of rows) assertModelInput(r.crystal, labels.get(r) ?? r.id);
      const backend = await rt.startBackend(opts.backend, opts.threads);
      const elements = new Set<number>();
      for (const r of rows) for (const z of r.crystal.atomicNumbers) elements.add(z);
      const defaultTask = opts.model?.endsWith('-denoise')
        ? 'denoise'
        : opts.model?.endsWith('-lattice')
          ? 'lattice'
          : 'structure';
      const resolved = rt.resolveModel(opts.model, defaultTask, elements);
      const { model, source } = resolved;
      if (model.config.task.kind === 'property') {
        const { evaluateProperty } = await import('./eval-property.js');
        await evaluateProperty(ctx, opts, model, source, rows);
        return;
      }
      refuseCandidatesForTask(opts.candidates, model.config.task.kind, source);
      const rank =
        opts.rankBy === undefined ? undefined : rt.resolveRankModel(opts.rankBy, model, elements, opts.candidates);
      const dc = await import('../domain-check.js');
      const items = rows.map((r) => ({ crystal: r.crystal, label: labels.get(r) ?? r.id }));
      dc.checkRows(term, model, source, items, opts.strict);
      const lattice =
        opts.latticeModel === undefined ? undefined : rt.resolveLatticeModel(opts.latticeModel, model, elements);
      const options = {
        seed: opts.seed,
        steps: opts.steps,
        startLevel: opts.startLevel,
        eta: opts.eta,
        moveLattice: !opts.fixedLattice,
        refineSteps: opts.refineSteps,
        correctorSteps: opts.correctorSteps,
        correctorScale: opts.correctorScale,
      };
      const progress = createProgress(term, { label: 'evaluating', total: rows.length, unit: 'crystals' });
      const t0 = performance.now();
      const preds = [];
      const batch = await import('../jobs/batch.js');
      const threads = opts.candidates === undefined ? batch.onShardThreads(opts, rows.length) : 1;
      if (batch.wantsJob(opts) || threads > 1) {
        // the same predictions as a sharded job: in-process shards (on --parallel threads), or crys workers with
        // --queue; without --shard-size, shards of the 64 rows the loop below runs at a time
        const job = { ...opts, retries: opts.retries ?? 2, shardSize: opts.shardSize ?? batch.SHARD_ROWS };
        const got = await batch.evalPredictions(ctx, rows, resolved, backend, options, job);
        if (got === undefined) return; // --detach: the run id is printed; run the same command again to score it
        preds.push(...got);
        progress.update(rows.length);
      } else {
        for (let start = 0; start < rows.length; start += 64) {
          const chunk = rows.slice(start, start + 64);
          preds.push(
            ...(opts.candidates === undefined
              ? predictRows(model, chunk, options)
              : rank
                ? await predictRowsLowestProperty(model, rank.model, chunk, { ...options, candidates: opts.candidates })
                : await predictRowsMostSymmetric(model, chunk, { ...options, candidates: opts.candidates })),
          );
          progress.update(Math.min(rows.length, start + 64));
        }
      }
      progress.finish();
      if (lattice) {
        // the starts too, so that the control gets the same second model
        const { recoverLattices } = await import('@crys/model');
        const starts = recoverLattices(
          lattice.model,
          preds.map((p) => p.start),
        );
        const crystals = recoverLattices(
          lattice.model,
          preds.map((p) => p.crystal),
        );
        for (let i = 0; i < preds.length; i++) preds[i] = { ...preds[i], start: starts[i], crystal: crystals[i] };
      }
      let symmetrizeFailed = 0;
      if (opts.symmetrize !== undefined) {
        const symprec = opts.symmetrize;
        // the starts too, so that the control (and denoising's "before") gets the same refinement
        const ideal = async (c: Crystal): Promise<Crystal> => {
          try {
            return await symmetrize(c, { symprec });
          } catch {
            symmetrizeFailed++; // moyo could not analyse it (e.g. coincident atoms): scored as it is
            return c;
          }
        };
        for (let i = 0; i < preds.length; i++) {
          preds[i] = { ...preds[i], start: await ideal(preds[i].start), crystal: await ideal(preds[i].crystal) };
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      const trainRows = all.filter((r) => splitOf(r.id) === 'train');
      const means = trainRows.length > 0 ? trainingMeans(trainRows.map((r) => r.crystal)) : {};
      // matching and space groups take seconds to minutes on a large split: a line when it is long
      const scoring = createProgress(term, { label: 'scoring (StructureMatcher, space groups)', total: 0 });
      const report = await evaluatePredictions(model, rows, preds, means);
      scoring.finish(`${rows.length} crystals`);
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
      const stopped = preds.filter((p) => p.stopped !== undefined);
      // The run settings, @crys/model's report (the shape of packages/model/models/*/eval.json) and the summary.
      const record = {
        data: opts.dataset,
        model: source,
        split: opts.split,
        seed: opts.seed,
        steps: opts.steps ?? model.config.steps,
        eta: opts.eta ?? 0,
        moveLattice: !opts.fixedLattice,
        refineSteps: opts.refineSteps ?? model.config.refineSteps ?? 0,
        correctorSteps: opts.correctorSteps ?? model.config.correctorSteps ?? 0,
        correctorScale: opts.correctorScale ?? model.config.correctorScale ?? 0.1,
        ...(lattice ? { latticeModel: lattice.source } : {}),
        ...(opts.candidates !== undefined ? { candidates: opts.candidates } : {}),
        ...(rank ? { rankBy: rank.source } : {}),
        ...(opts.symmetrize !== undefined ? { symmetrize: opts.symmetrize, symmetrizeFailed } : {}),
        ...(model.config.task.kind === 'denoise' ? { startLevel: opts.startLevel ?? 0.5 } : {}),
        ...report,
        ...summary,
        // shard threads the predictions ran on (--parallel; the same predictions for any count)
        ...(opts.queue === undefined ? { parallel: threads } : {}),
        // runs whose cell a step would have taken out of 1–10⁴ Å³ per atom: scored as their last sound state
        stopped: stopped.map((p) => ({ id: p.id, reason: p.stopped })),
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
          `model ${source} on ${opts.dataset} (${opts.split} split, seed ${opts.seed}) in ${fixed(seconds, 1)} s${threads > 1 ? ` on ${threads} threads` : ''}`,
        ),
      );
      if (lattice) {
        term.out(
          `lattices (of predictions and starts) derived again by the lattice-recovery model ${lattice.source} from their coordinates (--lattice-model: a two-model pipeline, not the plain model)`,
        );
      }
      if (opts.candidates !== undefined && rank) {
        term.out(
          `each prediction the sample of ${opts.candidates} (seeds ${opts.seed}–${opts.seed + opts.candidates - 1}) that ${rank.source} predicts lowest in ${rank.model.config.property?.name ?? 'its property'}, the control's starts selected alike (--candidates --rank-by: ${opts.candidates} samples per composition, not the one-sample model)`,
        );
      } else if (opts.candidates !== undefined) {
        term.out(
          `each prediction the most symmetric of ${opts.candidates} samples (seeds ${opts.seed}–${opts.seed + opts.candidates - 1}, moyo at symprec 0.1 Å), the control's starts selected alike (--candidates: ${opts.candidates} samples per composition, not the one-sample model)`,
        );
      }
      if (opts.symmetrize !== undefined) {
        term.out(
          `predictions and starts idealised with moyo at symprec ${opts.symmetrize} Å before scoring (--symmetrize: not the plain model)${symmetrizeFailed ? `; ${symmetrizeFailed} could not be analysed and are scored as they are` : ''}`,
        );
      }
      if (stopped.length > 0) {
        term.out(
          `${paint(term.color, 'yellow', `${stopped.length} of ${preds.length} runs stopped early`)}: a step would have taken the cell out of 1–10⁴ Å³ per atom; scored as their last sound state (e.g. ${stopped
            .slice(0, 3)
            .map((p) => `${p.id}, ${p.stopped}`)
            .join('; ')})`,
        );
      }
      term.out(formatEvaluation(summary));
      const wrote = [opts.out, jsonFile].filter((f) => f !== undefined);
      if (wrote.length > 0) term.out(`wrote ${wrote.join(', ')}`);
    });
}
