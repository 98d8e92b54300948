import { relative } from 'node:path';
import { CrysError, reducedFormula } from '@crys/lattice';
import type { Command } from 'commander';
import { CliFailure } from '../errors.js';
import { type LoadedCrystal, loadCrystals } from '../load.js';
import type { CliContext } from '../main.js';
import { intOption } from '../options.js';
import { builtinDataset } from '../repo.js';
import { duration, fixed, formatTable, percent } from '../table.js';
import { createProgress } from '../progress.js';
import { paint, type Term } from '../term.js';
import { type EvaluationSummary, formatControl, formatEvaluation, summarizeEvaluation } from './eval.js';
import { crystalInfo, formatInfo, spaceGroupOf } from './info.js';

const DATASETS = ['perov_5', 'carbon_24'] as const;

/** How long `crys quickstart` takes, measured; the README and docs/cli.md quote the same sentence. */
export const QUICKSTART_TIME = 'About a minute on two cores (52 s measured on a clean clone)';

interface QuickstartOpts {
  crystals: number;
  seed: number;
  json?: boolean;
}

function readBuiltin(name: string): { file: string; items: LoadedCrystal[]; seconds: number } {
  const path = builtinDataset(name);
  if (!path) {
    throw new CliFailure(
      `the built-in dataset ${name} is missing (data/${name}/val.csv)`,
      'run crys quickstart from a clone of the crys repository',
    );
  }
  const file = relative(process.cwd(), path) || path;
  const t0 = performance.now();
  const items = loadCrystals(file).crystals;
  return { file, items, seconds: (performance.now() - t0) / 1000 };
}

/** The data-only report: one shipped crystal of each dataset (used when no shipped model is present). */
async function dataReport(term: Term, json: boolean): Promise<void> {
  const records = [];
  for (const name of DATASETS) {
    const { file, items, seconds } = readBuiltin(name);
    const info = await crystalInfo(items[0], 5, 0.01);
    records.push({ dataset: name, crystals: items.length, readSeconds: seconds, first: info });
    if (json) continue;
    term.out(paint(term.color, 'bold', `${name}: read ${items.length} crystals from ${file} in ${duration(seconds)}`));
    term.out(formatInfo(info, term.color));
    term.out();
  }
  if (json) term.out(JSON.stringify({ models: false, datasets: records }, null, 2));
}

export function registerQuickstart(program: Command, ctx: CliContext): void {
  program
    .command('quickstart')
    .summary('the main job on the built-in data (what `npm start` runs)')
    .description(
      'Runs the shipped models on held-out crystals of the built-in validation sets (data/perov_5/val.csv, ' +
        'data/carbon_24/val.csv; holdout = FNV-1a of material_id, bucket 9 of 10, never trained on): ' +
        '(1) denoising: each crystal is perturbed (symmetric lattice strain + atom displacements at noise level ' +
        '0.5), relaxed by the shipped denoising model, and the recovery table compares before and after; ' +
        '(2) structure prediction: the composition of held-out crystals is given, positions start at random, ' +
        'and the prediction is matched against the known structure. Without shipped models it reports on ' +
        `the data instead. ${QUICKSTART_TIME}.`,
    )
    .option('--crystals <n>', 'held-out crystals per dataset and task', intOption(1, 1000), 24)
    .option('--seed <s>', 'seed of perturbations and random starts', intOption(0, 2 ** 32 - 1), 0)
    .option('--json', 'print the results as JSON')
    .addHelpText('after', '\nExample:\n  $ crys quickstart\n  $ crys quickstart --crystals 100 --json')
    .action(async (opts: QuickstartOpts) => {
      const { term } = ctx;
      const rt = await import('../model-runtime.js');
      let backend: string;
      try {
        backend = await rt.startBackend('wasm', 'auto');
      } catch (e) {
        if (!CrysError.isInstance(e)) throw e;
        term.err(paint(term.colorErr, 'yellow', `note: the model is not usable (${e.message}); reporting on the data`));
        await dataReport(term, opts.json === true);
        return;
      }
      const available = rt.availableShippedModels();
      if (available.length === 0) {
        term.err(
          paint(
            term.colorErr,
            'yellow',
            'note: no shipped model in this checkout (packages/model/models); reporting on the data',
          ),
        );
        await dataReport(term, opts.json === true);
        return;
      }
      const { evaluatePredictions, matchReport, predictRows, splitOf } = await import('@crys/model');
      const c = term.color;
      const results: Record<string, unknown>[] = [];
      if (!opts.json) {
        term.out(
          paint(
            c,
            'bold',
            `crys quickstart: shipped models on held-out crystals of the built-in data (seed ${opts.seed}, tfjs ${backend})`,
          ),
        );
      }
      const jobs = DATASETS.flatMap((name) => [`${name}-denoise`, name]).filter((m) => available.includes(m));
      const progress = createProgress(term, { label: 'quickstart', total: jobs.length, unit: 'jobs' });
      let done = 0;
      /** Starts job `model` in the progress line; returns its end (progress advanced, bar cleared for stdout). */
      const job = (model: string, rows: number) => {
        progress.update(done, `${model} on ${rows} crystals`);
        return () => {
          progress.update(++done, `${model} done`);
          progress.clear();
        };
      };
      for (const name of DATASETS) {
        const { file, items } = readBuiltin(name);
        const holdout = rt.asRows(items).filter((r) => splitOf(r.id) === 'holdout');
        const rows = holdout.slice(0, opts.crystals);
        // 1. denoising: perturb, relax, compare with the original
        const denoiseName = `${name}-denoise`;
        if (available.includes(denoiseName)) {
          const { model } = rt.resolveModel(denoiseName, 'denoise', []);
          const end = job(denoiseName, rows.length);
          const t0 = performance.now();
          const preds = predictRows(model, rows, { seed: opts.seed, startLevel: 0.5 });
          const seconds = (performance.now() - t0) / 1000;
          const summary: EvaluationSummary = summarizeEvaluation(
            await evaluatePredictions(model, rows, preds),
            preds.map((p) => p.start),
            preds.map((p) => p.crystal),
            rows.length,
            seconds,
          );
          end();
          results.push({ dataset: name, job: 'denoise', model: denoiseName, ...summary });
          if (!opts.json) {
            term.out();
            term.out(
              paint(
                c,
                'bold',
                `Denoising ${name}: ${rows.length} held-out crystals of ${file}, perturbed at t = 0.5 and relaxed by ${denoiseName} in ${fixed(seconds, 1)} s`,
              ),
            );
            term.out(formatEvaluation(summary));
            term.out("before = the perturbed input, after = the model's output; both compared with the original");
          }
        }
        // 2. structure prediction from the composition alone
        if (available.includes(name)) {
          const { model } = rt.resolveModel(name, 'structure', []);
          const shown = rows.slice(0, Math.min(rows.length, 8));
          const end = job(name, rows.length);
          const t0 = performance.now();
          const preds = predictRows(model, rows, { seed: opts.seed });
          const seconds = (performance.now() - t0) / 1000;
          const summary = summarizeEvaluation(
            await evaluatePredictions(model, rows, preds),
            preds.map((p) => p.start),
            preds.map((p) => p.crystal),
            rows.length,
            seconds,
          );
          const table: string[][] = [];
          for (let i = 0; i < shown.length; i++) {
            const truth = shown[i].crystal;
            // the summary's definition (DiffCSP): an RMS within stol and both crystals valid
            const m = matchReport([preds[i].crystal], [truth]);
            const sgTrue = await spaceGroupOf(truth, 0.1);
            const sgPred = await spaceGroupOf(preds[i].crystal, 0.1);
            table.push([
              shown[i].id,
              reducedFormula(truth),
              sgTrue ? `${sgTrue.symbol} (${sgTrue.number})` : '–',
              sgPred ? `${sgPred.symbol} (${sgPred.number})` : '–',
              m.matched === 1 ? paint(c, 'green', 'yes') : paint(c, 'red', 'no'),
              m.rmseNoValidity === null ? '–' : fixed(m.rmseNoValidity, 4),
            ]);
          }
          end();
          results.push({ dataset: name, job: 'csp', model: name, ...summary });
          if (!opts.json) {
            term.out();
            term.out(
              paint(
                c,
                'bold',
                `Structure prediction ${name}: ${rows.length} held-out compositions from random starts with model ${name} in ${fixed(seconds, 1)} s`,
              ),
            );
            term.out(
              formatTable(['material_id', 'formula', 'known space group', 'predicted', 'match', 'rms'], table, [
                'left',
                'left',
                'left',
                'left',
                'left',
                'right',
              ]),
            );
            const after = (x: { after: number | null }) => (x.after === null ? '–' : percent(x.after));
            term.out(
              `first ${shown.length} shown (space groups at symprec 0.1 Å); over all ${rows.length}: match rate ${percent(summary.matchRate.after)}, matched with RMS < ${summary.tightRms} ${after(summary.tightMatchRate)}, RMSE ${summary.rmse.after === null ? '–' : fixed(summary.rmse.after, 4)}, same space group ${after(summary.spaceGroupRate)}, structural validity ${percent(summary.structuralValidity.after)}`,
            );
            term.out(formatControl(summary));
          }
        }
      }
      progress.finish('');
      if (opts.json) {
        term.out(JSON.stringify({ models: true, seed: opts.seed, results }, null, 2));
        return;
      }
      term.out();
      term.out(
        'Next: crys relax FILE · crys predict --composition SrTiO3 · crys eval --model perov_5 --data data/perov_5/val.csv · crys --help',
      );
    });
}
