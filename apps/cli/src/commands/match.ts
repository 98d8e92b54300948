import {
  DEFAULT_MATCHER_OPTIONS,
  explainMatch,
  FIELD_MATCHER_OPTIONS,
  type MatchExplanation,
  type MatcherOptions,
  matchStructures,
} from '@crys/eval';
import { type Crystal, reducedFormula, volume } from '@crys/lattice';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { FORMAT_NAMES, type LoadedCrystal, loadCrystals } from '../load.js';
import type { CliContext } from '../main.js';
import { addJobOptions } from '../jobs/options.js';
import type { JobFlags } from '../jobs/run.js';
import { choiceOption, intOption, numberOption } from '../options.js';
import { fixed } from '../table.js';
import { paint } from '../term.js';

interface MatchOpts extends Partial<JobFlags> {
  all?: boolean;
  pairBy: 'index' | 'id';
  out?: string;
  index: number;
  indexB?: number;
  format?: string;
  ltol?: number;
  stol?: number;
  angleTol?: number;
  field?: boolean;
  primitive: boolean;
  scale: boolean;
  supercell?: boolean;
  json?: boolean;
  explain?: boolean;
}

/** Volume per atom, Å³. */
function volumePerAtom(crystal: Crystal): number {
  return volume(crystal.lattice) / crystal.atomicNumbers.length;
}

/**
 * What `match` did about volumes, in words: by default both lattices are scaled to the same volume first (pymatgen's
 * `scale=True`), so a prediction with the right arrangement and the wrong density still matches.
 */
export function scalingNote(scaled: boolean, va: number, vb: number): string {
  const ratio = vb / va;
  const volumes = `volume per atom A ${fixed(va, 2)} Å³, B ${fixed(vb, 2)} Å³ (B/A ${fixed(ratio, 3)})`;
  return scaled
    ? `volumes scaled to the same volume before comparing, so the verdicts ignore the difference in density: ${volumes}; --no-scale compares them as given`
    : `volumes compared as given (--no-scale): ${volumes}`;
}

/** The `explain` field of `crys match --explain --json`: the verdict, the sentence and the numbers. */
function explanationJson(why: MatchExplanation): object {
  return {
    verdict: why.verdict,
    reason: why.reason,
    formulas: why.formulas,
    sites: why.sites,
    lattice: why.lattice
      ? {
          withinTolerance: why.lattice.withinTolerance,
          lengthDeviation: why.lattice.lengthDeviation,
          angleDeviation: why.lattice.angleDeviation,
          candidate: why.lattice.candidate,
          target: why.lattice.target,
        }
      : null,
    closestSites: why.closestSites,
  };
}

function pick(file: string, index: number, format: string | undefined): LoadedCrystal {
  const item = loadCrystals(file, { format, index, limit: 1 }).crystals[0];
  if (!item) throw new UsageError(`${file} holds no crystal`);
  return item;
}

export function registerMatch(program: Command, ctx: CliContext): void {
  addJobOptions(program.command('match'))
    .summary("StructureMatcher verdict and RMS distance of two crystals (pymatgen's semantics)")
    .description(
      "Compares two crystals with pymatgen StructureMatcher's algorithm (@crys/eval): whether they match within " +
        'the tolerances, and the RMS and largest site displacement of the best mapping, normalised by (V/N)^⅓. ' +
        "Defaults are pymatgen's (ltol 0.2, stol 0.3, angle_tol 5); --field uses the CSP papers' (0.3, 0.5, 10). " +
        "Two verdicts: pymatgen's fit (every site within stol) and the CSP papers' match (get_rms_dist finds a " +
        'mapping: the RMS, not every site, within stol), which is what match rates count. ' +
        'Exit code 0 whether or not they match (read the verdict or --json).',
    )
    .argument('<a>', 'first crystal file')
    .argument('<b>', 'second crystal file')
    .option('--index <n>', 'which crystal of a multi-crystal file A (and B unless --index-b)', intOption(1), 1)
    .option('--index-b <n>', 'which crystal of B', intOption(1))
    .option('--format <id>', `input format when the names do not say: ${FORMAT_NAMES}`)
    .option('--ltol <x>', 'fractional length tolerance', numberOption('positive'))
    .option('--stol <x>', 'site tolerance, fraction of (V/N)^⅓', numberOption('positive'))
    .option('--angle-tol <deg>', 'angle tolerance in degrees', numberOption('positive'))
    .option('--field', "the CSP evaluations' tolerances: ltol 0.3, stol 0.5, angle_tol 10")
    .option('--no-primitive', 'do not reduce to primitive cells first')
    .option('--no-scale', 'compare the volumes as given (default: both lattices are scaled to the same volume first)')
    .option('--supercell', 'try supercells when the site counts differ')
    .option('--json', 'print the result as JSON')
    .option(
      '--explain',
      'say why they do not match: composition, site counts of the reduced cells, the closest lattice (length and angle deviation) or the best site mapping (RMS, max)',
    )
    .option('--all', 'match every crystal of A with its partner in B (see --pair-by) and write one row per pair')
    .option(
      '--pair-by <how>',
      'with --all: index (k-th with k-th) or id (same material_id)',
      choiceOption(['index', 'id'] as const),
      'index',
    )
    .option('-o, --out <file>', 'with --all: the CSV (or .jsonl) of verdicts, - for stdout', '-')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys match predicted.cif known.cif --field\n  $ crys match data/perov_5/val.csv relaxed.csv --index 3 --index-b 1 --json\n  $ crys match truth.csv predicted.csv --all --pair-by id --field --out verdicts.csv',
    )
    .action(async (fileA: string, fileB: string, opts: MatchOpts) => {
      const { term } = ctx;
      const base = opts.field ? { ...DEFAULT_MATCHER_OPTIONS, ...FIELD_MATCHER_OPTIONS } : DEFAULT_MATCHER_OPTIONS;
      const options: Required<MatcherOptions> = {
        ltol: opts.ltol ?? base.ltol,
        stol: opts.stol ?? base.stol,
        angleTol: opts.angleTol ?? base.angleTol,
        primitiveCell: opts.primitive,
        scale: opts.scale,
        attemptSupercell: opts.supercell ?? false,
      };
      if (opts.explain && (opts.all || opts.queue !== undefined || opts.shardSize !== undefined)) {
        throw new UsageError('--explain works on one pair, not with --all', 'pick the pair with --index / --index-b');
      }
      if (opts.all || opts.queue !== undefined || opts.shardSize !== undefined) {
        const { matchJob } = await import('../jobs/batch.js');
        const job = { ...opts, out: opts.out ?? '-', retries: opts.retries ?? 2 };
        return matchJob(ctx, fileA, fileB, job, options);
      }
      const a = pick(fileA, opts.index, opts.format);
      const b = pick(fileB, opts.indexB ?? opts.index, opts.format);
      const why = opts.explain ? explainMatch(a.crystal, b.crystal, options) : undefined;
      const r = why ? why.result : matchStructures(a.crystal, b.crystal, options);
      const va = volumePerAtom(a.crystal);
      const vb = volumePerAtom(b.crystal);
      if (opts.json) {
        term.out(
          JSON.stringify({
            a: a.label,
            b: b.label,
            match: r.match,
            rmsMatch: r.rms !== null,
            rms: r.rms,
            maxDist: r.maxDist,
            scaled: options.scale,
            volumePerAtom: { a: va, b: vb },
            options,
            ...(why ? { explain: explanationJson(why) } : {}),
          }),
        );
        return;
      }
      const c = term.color;
      term.out(`A  ${a.label}  ${reducedFormula(a.crystal)}  ${a.crystal.atomicNumbers.length} atoms`);
      term.out(`B  ${b.label}  ${reducedFormula(b.crystal)}  ${b.crystal.atomicNumbers.length} atoms`);
      term.out(
        `${r.match ? paint(c, 'green', 'match') : paint(c, 'red', 'no match')} (fit)  ${r.rms !== null ? paint(c, 'green', 'match') : paint(c, 'red', 'no match')} (CSP, get_rms_dist)  rms ${r.rms === null ? '–' : fixed(r.rms, 4)}  max ${r.maxDist === null ? '–' : fixed(r.maxDist, 4)}  (normalised by (V/N)^⅓)`,
      );
      if (why) term.out(`${paint(c, 'bold', 'why')}  ${why.verdict}: ${why.reason}`);
      term.out(scalingNote(options.scale, va, vb));
      term.out(
        paint(
          c,
          'dim',
          `ltol ${options.ltol}  stol ${options.stol}  angle_tol ${options.angleTol}  primitive ${options.primitiveCell}  scale ${options.scale}  supercell ${options.attemptSupercell}`,
        ),
      );
    });
}
