import { radiusGraph } from '@crys/graph';
import { spaceGroup } from '@crys/eval';
import {
  type Crystal,
  chemicalFormula,
  density,
  elementSymbol,
  hasPartialOccupancy,
  latticeParameters,
  reducedFormula,
  volume,
} from '@crys/lattice';
import type { Command } from 'commander';
import { type GraphStats, graphStats } from '../graph-stats.js';
import { UsageError } from '../errors.js';
import { FORMAT_NAMES, type LoadedCrystal, latticeOption, loadCrystals, speciesOption } from '../load.js';
import type { CliContext } from '../main.js';
import { overlapMessage } from '../model-input.js';
import { intOption, numberOption } from '../options.js';
import { fixed } from '../table.js';
import { createProgress } from '../progress.js';
import { paint } from '../term.js';

/** Everything `crys info` reports about one crystal (the `--json` record). */
export interface CrystalInfo {
  readonly source: string;
  readonly id: string | null;
  readonly formula: string;
  readonly reducedFormula: string;
  readonly numAtoms: number;
  readonly lattice: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number };
  readonly volume: number;
  readonly volumePerAtom: number;
  readonly density: number;
  /** null when it could not be decided or was not looked for (`spaceGroupSkipped`). */
  readonly spaceGroup: { number: number; symbol: string; symprec: number } | null;
  /** True when `--no-symmetry` skipped the space group. */
  readonly spaceGroupSkipped: boolean;
  readonly neighbours: {
    readonly cutoff: number;
    readonly edges: number;
    readonly meanDegree: number;
    readonly minDegree: number;
    readonly maxDegree: number;
    readonly selfImageEdges: number;
    readonly multiEdges: number;
    readonly nearest: { distance: number; pair: string } | null;
  };
  readonly partialOccupancy: boolean;
  /**
   * Coincident site images of the file that the reader merged (a CIF's symmetry expansion), so the formula counts
   * that many atoms fewer than the file lists; 0 when none.
   */
  readonly mergedSites: number;
  /** The warning about atoms closer than 0.5 Å (`overlapMessage`), or null. */
  readonly overlap: string | null;
}

/** Space group of a crystal (@crys/eval, moyo on the primitive cell); null when it cannot be decided. */
export async function spaceGroupOf(crystal: Crystal, symprec: number): Promise<CrystalInfo['spaceGroup']> {
  if (hasPartialOccupancy(crystal)) return null;
  try {
    const sg = await spaceGroup(crystal, { symprec });
    return { number: sg.number, symbol: sg.symbol.replace(/\s+/g, ''), symprec };
  } catch {
    return null;
  }
}

/**
 * The `crys info` record of one crystal; `symprec` null skips the space group. `onPhase` hears which part starts
 * (`neighbours`, `space group`, `contacts`): each takes seconds on a cell of thousands of atoms.
 */
export async function crystalInfo(
  item: LoadedCrystal,
  cutoff: number,
  symprec: number | null,
  onPhase?: (phase: string) => void,
): Promise<CrystalInfo> {
  const c = item.crystal;
  const n = c.atomicNumbers.length;
  const p = latticeParameters(c.lattice);
  const v = Math.abs(volume(c.lattice));
  onPhase?.('neighbours');
  const g = radiusGraph(c, { cutoff, distances: true });
  const s: GraphStats = graphStats(g);
  let minDegree = n > 0 ? Number.POSITIVE_INFINITY : 0;
  let maxDegree = 0;
  for (let i = 0; i < n; i++) {
    minDegree = Math.min(minDegree, s.degrees[i]);
    maxDegree = Math.max(maxDegree, s.degrees[i]);
  }
  let sg: CrystalInfo['spaceGroup'] = null;
  if (symprec !== null) {
    onPhase?.('space group');
    sg = await spaceGroupOf(c, symprec);
  }
  onPhase?.('contacts');
  const overlap = overlapMessage(c, item.label) ?? null;
  return {
    source: item.label,
    id: item.id ?? null,
    formula: chemicalFormula(c),
    reducedFormula: reducedFormula(c),
    numAtoms: n,
    lattice: { a: p.a, b: p.b, c: p.c, alpha: p.alpha, beta: p.beta, gamma: p.gamma },
    volume: v,
    volumePerAtom: n > 0 ? v / n : Number.NaN,
    density: density(c),
    spaceGroup: sg,
    spaceGroupSkipped: symprec === null,
    neighbours: {
      cutoff,
      edges: s.numEdges,
      meanDegree: s.meanDegree,
      minDegree,
      maxDegree,
      selfImageEdges: s.selfImageEdges,
      multiEdges: s.multiEdges,
      nearest: s.nearest
        ? {
            distance: s.nearest.distance,
            pair: `${elementSymbol(c.atomicNumbers[s.nearest.src])}${s.nearest.src + 1}–${elementSymbol(c.atomicNumbers[s.nearest.dst])}${s.nearest.dst + 1}`,
          }
        : null,
    },
    partialOccupancy: hasPartialOccupancy(c),
    mergedSites: item.merged ?? 0,
    overlap,
  };
}

/** Text block of one crystal, as `crys info` prints it. */
export function formatInfo(info: CrystalInfo, color: boolean): string {
  const k = (s: string) => paint(color, 'dim', s.padEnd(13));
  const l = info.lattice;
  const nb = info.neighbours;
  const lines = [
    paint(color, 'bold', `${info.source}${info.id ? `  (id ${info.id})` : ''}`),
    `  ${k('formula')}${paint(color, 'cyan', info.formula)}${info.formula !== info.reducedFormula ? `  (reduced ${info.reducedFormula})` : ''}${info.mergedSites > 0 ? `  (${info.mergedSites} coincident site image(s) of the file merged on reading)` : ''}`,
    `  ${k('atoms')}${info.numAtoms}${info.partialOccupancy ? '  (partially occupied sites)' : ''}`,
    `  ${k('lattice')}a ${fixed(l.a, 4)}  b ${fixed(l.b, 4)}  c ${fixed(l.c, 4)} Å   α ${fixed(l.alpha, 3)}  β ${fixed(l.beta, 3)}  γ ${fixed(l.gamma, 3)}°`,
    `  ${k('volume')}${fixed(info.volume, 3)} Å³  (${fixed(info.volumePerAtom, 3)} Å³/atom)`,
    `  ${k('density')}${fixed(info.density, 4)} g/cm³`,
    `  ${k('space group')}${info.spaceGroup ? `${info.spaceGroup.symbol} (${info.spaceGroup.number})  symprec ${info.spaceGroup.symprec} Å` : info.spaceGroupSkipped ? 'skipped (--no-symmetry)' : 'undetermined'}`,
    `  ${k('neighbours')}within ${nb.cutoff} Å: ${nb.edges} edges, ${fixed(nb.meanDegree, 2)} per atom (min ${nb.minDegree}, max ${nb.maxDegree}); ${nb.selfImageEdges} image self-loops, ${nb.multiEdges} multi-edges`,
    `  ${k('nearest')}${nb.nearest ? `${fixed(nb.nearest.distance, 4)} Å (${nb.nearest.pair})` : `none within ${nb.cutoff} Å`}`,
  ];
  return lines.join('\n');
}

export function registerInfo(program: Command, ctx: CliContext): void {
  program
    .command('info')
    .summary('formula, lattice, volume, density, space group and neighbours of each crystal')
    .description(
      'Prints, for every crystal in the files (CIF blocks, dataset CSV rows, …): formula, lattice parameters, ' +
        'volume, density, space group (moyo) and neighbour statistics of the periodic multigraph within --cutoff.',
    )
    .argument('<files...>', 'crystal files (CIF, dataset CSV, …); - reads stdin')
    .option('--format <id>', `input format when the name does not say: ${FORMAT_NAMES}`)
    .option('--species <list>', 'species of a VASP 4 POSCAR/CHGCAR without a species line, e.g. Cs,Cl', speciesOption)
    .option(
      '--lattice <numbers>',
      'cell of a plain XYZ file: 9 numbers (vectors a, b, c in Å) or 3 box lengths',
      latticeOption,
    )
    .option('--index <n>', 'only the n-th crystal of each file (1-based)', intOption(1))
    .option('--limit <n>', 'at most n crystals per file (default 5 for multi-crystal files)', intOption(1))
    .option('--cutoff <Å>', 'neighbour cutoff radius', numberOption('positive'), 5)
    .option('--symprec <Å>', 'symmetry tolerance for the space group', numberOption('positive'), 0.01)
    .option('--no-symmetry', 'skip the space group (the rest of the record is unchanged)')
    .option('--json', 'print a JSON array of records instead of text')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys info structure.cif\n  $ crys info big-supercell.cif --no-symmetry\n  $ crys info data/perov_5/val.csv --index 17 --cutoff 4\n  $ cat POSCAR | crys info - --format poscar --json',
    )
    .action(
      async (
        files: string[],
        opts: {
          format?: string;
          index?: number;
          limit?: number;
          cutoff: number;
          symprec: number;
          symmetry: boolean;
          json?: boolean;
          species?: string[];
          lattice?: number[];
        },
        command: Command,
      ) => {
        const { term } = ctx;
        if (!opts.symmetry && command.getOptionValueSource('symprec') === 'cli') {
          throw new UsageError('--symprec has no effect with --no-symmetry: give one or the other.');
        }
        const records: CrystalInfo[] = [];
        let first = true;
        for (const file of files) {
          const reading = createProgress(term, { label: `reading ${file}`, total: 100, unit: '%' });
          const loaded = loadCrystals(file, {
            format: opts.format,
            species: opts.species,
            lattice: opts.lattice,
            index: opts.index,
            limit: opts.index !== undefined ? 1 : (opts.limit ?? 5),
            onProgress: (f, n) => reading.update(Math.round(100 * f), `${n} crystals`),
          });
          reading.finish(`${loaded.crystals.length} crystals`);
          for (const w of loaded.warnings) term.err(`${paint(term.colorErr, 'yellow', 'warning:')} ${w}`);
          const analysing = createProgress(term, {
            label: 'analysing',
            total: loaded.crystals.length,
            unit: 'crystals',
          });
          for (const [k, item] of loaded.crystals.entries()) {
            const atoms = `${item.crystal.atomicNumbers.length} atoms`;
            const info = await crystalInfo(item, opts.cutoff, opts.symmetry ? opts.symprec : null, (phase) =>
              analysing.update(k, `${item.label} (${atoms}): ${phase}`),
            );
            analysing.update(k + 1, '');
            if (info.overlap !== null) {
              analysing.log(`${paint(term.colorErr, 'yellow', 'warning:')} ${info.overlap}`);
            }
            records.push(info);
          }
          analysing.finish('');
          // printed after the progress line is gone, so a terminal never shows the two interleaved
          if (!opts.json) {
            for (const info of records.splice(0)) {
              if (!first) term.out();
              first = false;
              term.out(formatInfo(info, term.color));
            }
          }
          const skipped = loaded.total - loaded.crystals.length;
          if (!opts.json && skipped > 0 && opts.index === undefined) {
            term.out();
            term.out(
              paint(
                term.color,
                'dim',
                `… ${skipped} more crystal(s) in ${file} (use --limit N or --index N to see them)`,
              ),
            );
          }
        }
        if (opts.json) term.out(JSON.stringify(records, null, 2));
      },
    );
}
