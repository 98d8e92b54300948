import { SymmetryError, standardCell } from '@crys/eval';
import { loadMoyo, writeCif } from '@crys/io';
import { type Crystal, hasPartialOccupancy } from '@crys/lattice';
import type { Command } from 'commander';
import { CliFailure, UsageError } from '../errors.js';
import { writeAtomic } from '../files.js';
import {
  assertWritable,
  FORMAT_NAMES,
  formatCrystals,
  formatFromName,
  latticeOption,
  type LoadedCrystal,
  loadCrystals,
  resolveFormat,
  speciesOption,
} from '../load.js';
import type { CliContext } from '../main.js';
import { overlapMessage } from '../model-input.js';
import { intOption, numberOption } from '../options.js';
import { createProgress } from '../progress.js';
import { paint } from '../term.js';

/**
 * pymatgen's `CifWriter(s, symprec)` with `refine_struct`: every crystal idealised onto the space group moyo finds at
 * `symprec` in its standard conventional cell, then written as its symmetry-distinct sites (multiplicity, Wyckoff
 * letter) and the group's operations. A crystal with partial occupancies is written in P1, with a warning.
 */
async function symmetrizedCif(
  items: readonly LoadedCrystal[],
  symprec: number,
  warn: (message: string) => void,
): Promise<string> {
  await loadMoyo();
  const blocks: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const blockName = it.id || (items.length > 1 ? `crystal_${i + 1}` : undefined);
    if (hasPartialOccupancy(it.crystal)) {
      warn(`${it.label}: partially occupied sites have no space group here; written in P1`);
      blocks.push(writeCif(it.crystal, { blockName }));
      continue;
    }
    let refined: Crystal;
    try {
      refined = await standardCell(it.crystal, { symprec, cell: 'conventional' });
    } catch (e) {
      if (!(e instanceof SymmetryError)) throw e;
      throw new CliFailure(
        `${it.label}: moyo found no space group at --symprec ${symprec} Å (${e.message})`,
        'check for overlapping atoms (crys info), or try another --symprec',
      );
    }
    blocks.push(writeCif(refined, { blockName, symmetrize: true, symprec }));
  }
  return blocks.join('');
}

interface ConvertOpts {
  from?: string;
  to?: string;
  index?: number;
  limit?: number;
  species?: string[];
  lattice?: number[];
  symmetrize?: boolean;
  symprec: number;
}

export function registerConvert(program: Command, ctx: CliContext): void {
  program
    .command('convert')
    .summary('convert between crystal formats (- for stdin/stdout)')
    .description(
      'Reads every crystal of IN and writes them to OUT. Formats come from the file names (.cif, .csv, …) or ' +
        '--from / --to; - is stdin or stdout. A dataset CSV keeps ids and property columns. The output is written ' +
        'atomically (temporary file, then rename): an interrupted convert never leaves a truncated file.',
    )
    .argument('<in>', 'input file, or - for stdin')
    .argument('<out>', 'output file, or - for stdout')
    .option('--from <id>', `input format when the name does not say: ${FORMAT_NAMES}`)
    .option('--to <id>', 'output format when the name does not say (same names; optimade-json is read only)')
    .option('--index <n>', 'only the n-th crystal (1-based)', intOption(1))
    .option('--limit <n>', 'at most n crystals', intOption(1))
    .option('--species <list>', 'species of a VASP 4 POSCAR/CHGCAR without a species line, e.g. Cs,Cl', speciesOption)
    .option(
      '--lattice <numbers>',
      'cell of a plain XYZ file: 9 numbers (vectors a, b, c in Å) or 3 box lengths',
      latticeOption,
    )
    .option(
      '--symmetrize',
      "CIF only: find the space group (moyo), refine to the standard conventional cell and write the symmetry-distinct sites with their multiplicity and Wyckoff letter and the operations (pymatgen's CifWriter(symprec))",
    )
    .option('--symprec <Å>', 'symmetry tolerance of --symmetrize, Å', numberOption('positive'), 0.01)
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys convert structure.cif structure.csv\n  $ crys convert POSCAR symmetrized.cif --symmetrize --symprec 0.1\n  $ crys convert data/carbon_24/val.csv - --index 5 --to cif\n  $ cat a.cif | crys convert - out.csv --from cif',
    )
    .action(async (input: string, output: string, opts: ConvertOpts) => {
      const { term } = ctx;
      const to = opts.to ? resolveFormat(opts.to, '--to') : formatFromName(output);
      if (!to) {
        throw new UsageError(
          `cannot tell the output format from '${output}'`,
          `pass --to (${FORMAT_NAMES}) or use a usual extension`,
        );
      }
      assertWritable(to);
      if (opts.symmetrize && to !== 'cif') {
        throw new UsageError(`--symmetrize writes CIF only, not ${to}`, 'write a .cif file (or pass --to cif)');
      }
      const progress = createProgress(term, { label: 'reading', total: 100, unit: '%' });
      const loaded = loadCrystals(input, {
        format: opts.from,
        index: opts.index,
        limit: opts.index !== undefined ? 1 : opts.limit,
        species: opts.species,
        lattice: opts.lattice,
        onProgress: (f, n) => progress.update(Math.round(100 * f), `${n} crystals`),
      });
      progress.finish(`${loaded.crystals.length} crystals`);
      for (const w of loaded.warnings) term.err(`${paint(term.colorErr, 'yellow', 'warning:')} ${w}`);
      for (const item of loaded.crystals) {
        const overlap = overlapMessage(item.crystal, item.label);
        if (overlap !== undefined) term.err(`${paint(term.colorErr, 'yellow', 'warning:')} ${overlap}`);
      }
      if (loaded.crystals.length === 0) throw new UsageError(`${input} holds no crystal`);
      const text = opts.symmetrize
        ? await symmetrizedCif(loaded.crystals, opts.symprec, (w) =>
            term.err(`${paint(term.colorErr, 'yellow', 'warning:')} ${w}`),
          )
        : formatCrystals(loaded.crystals, to);
      writeAtomic(output, text, term.stdout);
      if (output !== '-') {
        term.out(`wrote ${loaded.crystals.length} crystal(s) to ${output} (${to}, ${text.length} bytes)`);
      }
    });
}
