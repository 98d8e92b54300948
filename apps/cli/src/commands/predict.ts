import { crystalValidity } from '@crys/eval';
import {
  atomicNumberOf,
  type Crystal,
  elementSymbol,
  latticeParameters,
  parseFormula,
  reducedFormula,
  volume,
} from '@crys/lattice';
import type { PhysicalChecks } from '@crys/model';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { assertCanWrite, writeAtomic } from '../files.js';
import { FORMAT_NAMES, formatCrystals, formatFromName, type LoadedCrystal, loadCrystals } from '../load.js';
import type { CliContext } from '../main.js';
import { assertModelInput } from '../model-input.js';
import {
  backendOption,
  choiceOption,
  etaOption,
  fixedLatticeOption,
  intOption,
  latticeModelOption,
  rankByOption,
  numberOption,
  refuseCandidatesForTask,
  refuseCandidatesWithJobs,
  samplerOptions,
  strictOption,
  threadsOption,
} from '../options.js';
import { addJobOptions } from '../jobs/options.js';
import type { JobFlags } from '../jobs/run.js';
import { createProgress } from '../progress.js';
import { fixed, formatTable } from '../table.js';
import { paint } from '../term.js';
import { spaceGroupOf } from './info.js';

interface PredictOpts extends Partial<JobFlags> {
  composition?: string;
  dataset?: string;
  out?: string;
  model?: string;
  samples: number;
  seed: number;
  steps?: number;
  limit?: number;
  split: 'holdout' | 'valid' | 'train' | 'all';
  startLevel?: number;
  eta?: number;
  fixedLattice?: boolean;
  refineSteps?: number;
  correctorSteps?: number;
  correctorScale?: number;
  latticeModel?: string;
  rankBy?: string;
  candidates?: number;
  backend: 'wasm' | 'cpu';
  threads: number | 'auto';
  format?: string;
  strict?: boolean;
  json?: boolean;
}

/**
 * The cell content of `--composition` (`BaTiO3`, `Ba2Ti2O6`; whole numbers of atoms only) as [atomic number,
 * count] pairs by atomic number, and the number of atoms. Nothing is expanded: a count of 10¹¹ is only a
 * number here, so the caller can compare it with the model's limit first.
 */
export function compositionCounts(formula: string): { counts: [number, number][]; total: number } {
  let parsed: Map<number, number>;
  try {
    parsed = parseFormula(formula);
  } catch (e) {
    // parseFormula's message names the API (`parseFormula: formula unknown element …`): keep what the user needs
    const why = (e as Error).message.replace(/^parseFormula: formula /, '');
    throw new UsageError(
      `--composition '${formula}' is not a formula: ${why}`,
      'write the cell content, e.g. BaTiO3 or C8',
    );
  }
  const counts = [...parsed.entries()].sort((a, b) => a[0] - b[0]);
  let total = 0;
  for (const [z, n] of counts) {
    if (!Number.isInteger(n) || n < 1) {
      throw new UsageError(
        `--composition '${formula}' has ${n} atoms of ${elementSymbol(z)}`,
        'give whole numbers of atoms in the cell (e.g. Ba2Ti2O6 rather than BaTiO3 with half atoms)',
      );
    }
    total += n;
  }
  return { counts, total };
}

/**
 * Atomic numbers of a cell content (see {@link compositionCounts}), elements in the order the formula names them
 * (`SrTiO3` → Sr, Ti, O, O, O: the atom order of `predictStructure(model, [38, 22, 8, 8, 8], { seed })`, so the same
 * seed gives the same structure on the command line and through the API), after checking that it has at most
 * `maxAtoms` atoms (the model's limit, named `source` in the message).
 */
export function compositionAtoms(formula: string, maxAtoms: number, source: string): number[] {
  const { counts, total } = compositionCounts(formula);
  if (total > maxAtoms) {
    throw new UsageError(
      `--composition '${formula}' has ${total} atoms, above the limit of ${maxAtoms} atoms of model ${source}`,
      `give a cell content of at most ${maxAtoms} atoms (a reduced formula, e.g. ${reducedFormula(new Map(counts))})`,
    );
  }
  const written = [...new Set((formula.match(/[A-Z][a-z]?/g) ?? []).map((symbol) => atomicNumberOf(symbol) ?? 0))];
  const rank = (z: number) => (written.includes(z) ? written.indexOf(z) : written.length + z);
  const atoms: number[] = [];
  for (const [z, n] of [...counts].sort((a, b) => rank(a[0]) - rank(b[0]))) for (let i = 0; i < n; i++) atoms.push(z);
  return atoms;
}

/** One row of the `crys predict --composition` table. */
export interface SampleSummary {
  readonly sample: number;
  readonly seed: number;
  readonly formula: string;
  readonly lattice: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number };
  readonly volume: number;
  readonly valid: boolean;
  /** Physical sanity beside the field's validity flag (closest pair relative to covalent radii, density). */
  readonly checks: PhysicalChecks;
  readonly spaceGroup: string | null;
}

async function summarize(
  crystal: Crystal,
  sample: number,
  seed: number,
  checks: PhysicalChecks,
): Promise<SampleSummary> {
  const p = latticeParameters(crystal.lattice);
  const sg = await spaceGroupOf(crystal, 0.1);
  return {
    sample,
    seed,
    formula: reducedFormula(crystal),
    lattice: { a: p.a, b: p.b, c: p.c, alpha: p.alpha, beta: p.beta, gamma: p.gamma },
    volume: Math.abs(volume(crystal.lattice)),
    valid: crystalValidity(crystal).structural,
    checks,
    spaceGroup: sg ? `${sg.symbol} (${sg.number})` : null,
  };
}

export function registerPredict(program: Command, ctx: CliContext): void {
  addJobOptions(program.command('predict'))
    .summary('predict crystal structures from compositions (random starts + learned actions)')
    .description(
      'Structure prediction: each sample starts from random fractional coordinates in a cell of the ' +
        "model's volume prior and the learned actions carry it to a structure. --composition gives the cell " +
        'content (BaTiO3, C8); --data predicts one sample per row of a dataset CSV (or of one --split of it) ' +
        'and writes a dataset CSV (material_id, P1 cif) that pymatgen and CDVAE/DiffCSP scripts read; with a ' +
        'denoising or lattice model, --data runs that task on the rows instead. Shipped models are named by their ' +
        'dataset (perov_5, carbon_24); without --model the one that knows the elements is used. Seeded: the ' +
        "same seed gives the same structures; a dataset row's start depends on the seed and its id only.",
    )
    .option('--composition <formula>', 'cell content to predict, e.g. BaTiO3')
    .option('--data, --dataset <file.csv>', 'dataset CSV: predict every row (its composition)')
    .option('-o, --out <file>', 'where to write (default <formula>-predicted.cif; required with --data)')
    .option('--model <name|path>', 'shipped model name or a model.json / `crys train --out` folder')
    .option('-n, --samples <n>', 'samples per composition (different seeds)', intOption(1, 10_000), 1)
    .option('--seed <s>', 'seed of the random starts', intOption(0, 2 ** 32 - 1), 0)
    .option('--steps <n>', "action steps (default: the model's)", intOption(1, 100_000))
    .option('--limit <n>', 'only the first n rows of --data (after --split)', intOption(1))
    .option(
      '--split <part>',
      'only the rows of this part of the deterministic split of --data',
      choiceOption(['holdout', 'valid', 'train', 'all'] as const),
      'all',
    )
    .option(
      '--start-level <t>',
      'with --data and a denoising model: noise level of the perturbed inputs, (0, 1] (default 0.5)',
      numberOption('positive'),
    )
    .addOption(etaOption())
    .addOption(fixedLatticeOption())
    .addOption(latticeModelOption())
    .addOption(rankByOption())
    .addOption(samplerOptions()[0])
    .addOption(samplerOptions()[1])
    .addOption(samplerOptions()[2])
    .option(
      '--candidates <k>',
      'with --data: run k samples per row (seeds seed … seed+k-1) and write the most symmetric one (moyo, ' +
        'symprec 0.1 Å): a selection that does not use the truth, not the one-sample model',
      intOption(2, 64),
    )
    .addOption(backendOption())
    .addOption(threadsOption())
    .option('--format <id>', `format of --data when the name does not say: ${FORMAT_NAMES}`)
    .addOption(strictOption())
    .option('--json', 'print the summaries as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys predict --composition SrTiO3 -n 3 --seed 1\n  $ crys predict --model perov_5 --dataset data/perov_5/val.csv --split holdout --out pred.csv --seed 0',
    )
    .action(async (opts: PredictOpts) => {
      if (opts.startLevel !== undefined && opts.startLevel > 1) {
        throw new UsageError(`--start-level must be in (0, 1], got ${opts.startLevel}`);
      }
      if ((opts.composition === undefined) === (opts.dataset === undefined)) {
        throw new UsageError(
          opts.composition === undefined
            ? 'give --composition FORMULA or --data FILE.csv'
            : 'give --composition or --data, not both',
          'e.g. `crys predict --composition BaTiO3` or `crys predict --data in.csv --out out.csv`',
        );
      }
      if (opts.candidates !== undefined && opts.dataset === undefined) {
        throw new UsageError(
          '--candidates applies to --data',
          `with --composition, -n ${opts.candidates} prints every sample and its space group`,
        );
      }
      if (opts.dataset !== undefined) {
        if (opts.samples !== 1) {
          throw new UsageError(
            `--samples ${opts.samples} applies to --composition; --data predicts one sample per row`,
            'run crys predict --data once per --seed for more samples of each row',
          );
        }
        await predictDataset(ctx, opts);
        return;
      }
      const { term } = ctx;
      const { counts } = compositionCounts(opts.composition as string);
      const formula = reducedFormula(new Map(counts));
      const out = opts.out ?? `${(opts.composition as string).replace(/[^A-Za-z0-9]/g, '')}-predicted.cif`;
      assertCanWrite(out, '--out');
      const outFormat = out === '-' ? 'cif' : (formatFromName(out) ?? 'cif');
      const rt = await import('../model-runtime.js');
      const {
        lowestProperty,
        MIN_COVALENT_RATIO: MIN_RATIO,
        predictStructure,
        priorVolume,
        recoverLattices,
        speciesIndices,
      } = await import('@crys/model');
      await rt.startBackend(opts.backend, opts.threads);
      const { model, source } = rt.resolveModel(
        opts.model,
        'structure',
        counts.map(([z]) => z),
      );
      rt.refusePropertyModel(model, source, 'crys predict');
      const atoms = compositionAtoms(opts.composition as string, model.config.maxAtoms, source);
      const lattice =
        opts.latticeModel === undefined
          ? undefined
          : rt.resolveLatticeModel(
              opts.latticeModel,
              model,
              counts.map(([z]) => z),
            );
      if (opts.rankBy !== undefined && opts.samples < 2) {
        throw new UsageError(
          `--rank-by ranks the samples of --composition, and -n ${opts.samples} gives one`,
          `add -n 4 (or more) to --rank-by ${opts.rankBy}`,
        );
      }
      const rank =
        opts.rankBy === undefined
          ? undefined
          : rt.resolveRankModel(
              opts.rankBy,
              model,
              counts.map(([z]) => z),
              opts.samples,
            );
      const dc = await import('../domain-check.js');
      dc.checkDomain(
        term,
        model,
        source,
        [{ label: `--composition '${opts.composition}'`, atomicNumbers: atoms }],
        opts.strict,
      );
      const prior = priorVolume(model.config.prior, speciesIndices(model, atoms, 'crys predict'));
      const progress = createProgress(term, { label: 'predicting', total: opts.samples, unit: 'samples' });
      const results: LoadedCrystal[] = [];
      const summaries: SampleSummary[] = [];
      for (let k = 0; k < opts.samples; k++) {
        const seed = opts.seed + k;
        const r = predictStructure(model, atoms, {
          seed,
          steps: opts.steps,
          eta: opts.eta,
          noiseSeed: seed,
          moveLattice: !opts.fixedLattice,
          refineSteps: opts.refineSteps,
          correctorSteps: opts.correctorSteps,
          correctorScale: opts.correctorScale,
        });
        if (r.stopped !== undefined) {
          progress.log(
            `${paint(term.color, 'yellow', 'stopped early')}: sample ${k + 1} (seed ${seed}), ${r.stopped}; written as its last sound state`,
          );
        }
        const crystal = lattice ? recoverLattices(lattice.model, [r.crystal])[0] : r.crystal;
        results.push({ crystal, label: `sample ${k + 1}`, id: `${formula}-seed${seed}` });
        summaries.push(await summarize(crystal, k + 1, seed, dc.outputChecks(model, source, crystal)));
        progress.update(k + 1);
      }
      progress.finish();
      // --rank-by: every sample's predicted property, and the lowest
      const column = rank?.model.config.property?.name ?? 'property';
      const selection = rank
        ? lowestProperty(
            rank.model,
            results.map((r) => r.crystal),
          )
        : undefined;
      const ranked = selection ? Array.from(selection.values) : undefined;
      const lowest = selection ? selection.index : -1;
      writeAtomic(out, formatCrystals(results, outFormat), term.stdout);
      if (opts.json) {
        term.out(
          JSON.stringify({
            composition: opts.composition,
            model: source,
            ...(lattice ? { latticeModel: lattice.source } : {}),
            ...(rank ? { rankBy: rank.source, property: column, lowest: lowest + 1 } : {}),
            priorVolume: prior,
            out,
            samples: ranked ? summaries.map((s, i) => ({ ...s, [column]: ranked[i] })) : summaries,
          }),
        );
        return;
      }
      if (out === '-') return;
      term.out(
        paint(
          term.color,
          'bold',
          `${opts.composition}: ${opts.samples} sample(s) with model ${source}${lattice ? ` and lattices by ${lattice.source}` : ''} (prior volume ${fixed(prior, 2)} Å³)`,
        ),
      );
      term.out(
        formatTable(
          [
            'sample',
            'seed',
            'a',
            'b',
            'c',
            'α',
            'β',
            'γ',
            'V Å³',
            'ρ g/cm³',
            'd/Σr',
            'valid',
            'checks',
            'space group',
            ...(ranked ? [column] : []),
          ],
          summaries.map((s, i) => [
            String(s.sample),
            String(s.seed),
            fixed(s.lattice.a, 3),
            fixed(s.lattice.b, 3),
            fixed(s.lattice.c, 3),
            fixed(s.lattice.alpha, 1),
            fixed(s.lattice.beta, 1),
            fixed(s.lattice.gamma, 1),
            fixed(s.volume, 2),
            fixed(s.checks.density, 2),
            fixed(s.checks.covalentRatio, 2),
            s.valid ? 'yes' : 'no',
            s.checks.ok ? 'ok' : paint(term.color, 'red', 'FAIL'),
            s.spaceGroup ?? '–',
            ...(ranked ? [`${fixed(ranked[i], 3)}${i === lowest ? ' ←' : ''}`] : []),
          ]),
        ),
      );
      if (rank) {
        term.out(
          `lowest ${column} by ${rank.source}: sample ${lowest + 1} (seed ${opts.seed + lowest}), the one a ranking by this property keeps`,
        );
      }
      for (const s of summaries) {
        if (!s.checks.ok) term.out(`sample ${s.sample}: ${s.checks.problems.join('; ')}`);
      }
      term.out(
        paint(
          term.color,
          'dim',
          `d/Σr: the closest pair's distance over the sum of its covalent radii (real bonds ≈ 1; FAIL below ${MIN_RATIO}); valid: the field's 0.5 Å rule`,
        ),
      );
      term.out(`wrote ${out}`);
    });
}

/** `crys predict --data`: one sample per row, written as a dataset CSV (or any format). */
async function predictDataset(ctx: CliContext, opts: PredictOpts): Promise<void> {
  const { term } = ctx;
  if (!opts.out) {
    throw new UsageError('--data needs --out FILE.csv', 'e.g. `crys predict --data in.csv --out predicted.csv`');
  }
  assertCanWrite(opts.out, '--out');
  const rowOptions = {
    seed: opts.seed,
    steps: opts.steps,
    startLevel: opts.startLevel,
    eta: opts.eta,
    moveLattice: !opts.fixedLattice,
    refineSteps: opts.refineSteps,
    correctorSteps: opts.correctorSteps,
    correctorScale: opts.correctorScale,
  };
  const { evalPredictions, onShardThreads, predictJob, SHARD_ROWS, wantsJob } = await import('../jobs/batch.js');
  refuseCandidatesWithJobs(opts.candidates, opts);
  if (wantsJob(opts)) {
    if (opts.latticeModel !== undefined) {
      throw new UsageError(
        '--lattice-model is not supported with sharded jobs (--shards / --queue) of crys predict',
        'run crys predict --data without them, or crys eval --lattice-model, which takes both',
      );
    }
    const job = { ...opts, dataset: opts.dataset as string, out: opts.out, retries: opts.retries ?? 2 };
    return predictJob(ctx, job, rowOptions);
  }
  const outFormat = opts.out === '-' ? 'dataset-csv' : (formatFromName(opts.out) ?? 'dataset-csv');
  const loaded = loadCrystals(opts.dataset as string, { format: opts.format });
  const rt = await import('../model-runtime.js');
  const { predictRows, predictRowsLowestProperty, predictRowsMostSymmetric, recoverLattices, splitOf } = await import(
    '@crys/model'
  );
  const allRows = rt.asRows(loaded.crystals);
  let picked = loaded.crystals.map((item, i) => ({ item, row: allRows[i] }));
  if (opts.split !== 'all') picked = picked.filter((p) => splitOf(p.row.id) === opts.split);
  if (opts.limit !== undefined) picked = picked.slice(0, opts.limit);
  const rows = picked.map((p) => p.row);
  if (rows.length === 0)
    throw new UsageError(
      `${opts.dataset} holds no crystal${opts.split === 'all' ? '' : ` in the ${opts.split} split`}`,
    );
  for (const p of picked) assertModelInput(p.item.crystal, p.item.label);
  const backend = await rt.startBackend(opts.backend, opts.threads);
  const elements = new Set<number>();
  for (const r of rows) for (const z of r.crystal.atomicNumbers) elements.add(z);
  const resolved = rt.resolveModel(opts.model, 'structure', elements);
  const { model, source } = resolved;
  rt.refusePropertyModel(model, source, 'crys predict');
  refuseCandidatesForTask(opts.candidates, model.config.task.kind, source);
  const rank =
    opts.rankBy === undefined ? undefined : rt.resolveRankModel(opts.rankBy, model, elements, opts.candidates);
  const lattice =
    opts.latticeModel === undefined ? undefined : rt.resolveLatticeModel(opts.latticeModel, model, elements);
  const limit = { maxAtoms: model.config.maxAtoms, model: source };
  for (const p of picked) assertModelInput(p.item.crystal, p.item.label, limit);
  const dc = await import('../domain-check.js');
  dc.checkRows(
    term,
    model,
    source,
    picked.map((p) => p.item),
    opts.strict,
  );
  const t0 = performance.now();
  const chunk = SHARD_ROWS;
  // one sample per row: shards of 64 rows on --parallel threads when there are several (the same predictions)
  const threads = opts.candidates === undefined ? onShardThreads(opts, rows.length) : 1;
  const threaded =
    threads > 1
      ? await evalPredictions(
          ctx,
          rows,
          resolved,
          backend,
          rowOptions,
          { dataset: opts.dataset as string, shardSize: chunk, retries: 0, parallel: threads },
          'predicting',
        )
      : undefined;
  const progress = createProgress(term, { label: 'predicting', total: rows.length, unit: 'crystals' });
  const out: LoadedCrystal[] = [];
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const preds = threaded
      ? threaded.slice(start, start + chunk)
      : opts.candidates === undefined
        ? predictRows(model, part, rowOptions)
        : rank
          ? await predictRowsLowestProperty(model, rank.model, part, { ...rowOptions, candidates: opts.candidates })
          : await predictRowsMostSymmetric(model, part, { ...rowOptions, candidates: opts.candidates });
    const crystals = preds.map((p) => p.crystal);
    const final = lattice ? recoverLattices(lattice.model, crystals) : crystals;
    preds.forEach((p, i) => {
      if (p.stopped !== undefined) {
        progress.log(
          `${paint(term.color, 'yellow', 'stopped early')}: row ${p.id}, ${p.stopped}; written as its last sound state`,
        );
      }
      out.push({ crystal: final[i], label: p.id, id: p.id });
    });
    progress.update(Math.min(rows.length, start + chunk));
  }
  progress.finish();
  const seconds = (performance.now() - t0) / 1000;
  writeAtomic(opts.out, formatCrystals(out, outFormat), term.stdout);
  if (opts.json) {
    term.out(
      JSON.stringify({
        data: opts.dataset,
        model: source,
        ...(lattice ? { latticeModel: lattice.source } : {}),
        ...(opts.candidates !== undefined ? { candidates: opts.candidates } : {}),
        out: opts.out,
        rows: out.length,
        seconds,
        parallel: threads,
      }),
    );
  } else if (opts.out !== '-') {
    term.out(
      `predicted ${out.length} structure(s) with model ${source}${lattice ? ` and lattices by ${lattice.source}` : ''} in ${fixed(seconds, 1)} s${threads > 1 ? ` on ${threads} threads` : ''}; wrote ${opts.out} (${opts.candidates === undefined ? `one sample per row, seed ${opts.seed}` : `per row the ${rank ? `lowest in ${rank.model.config.property?.name ?? 'property'} by ${rank.source}` : 'most symmetric'} of ${opts.candidates} samples, seeds ${opts.seed}–${opts.seed + opts.candidates - 1} (--candidates: not the one-sample model)`})`,
    );
  }
}
