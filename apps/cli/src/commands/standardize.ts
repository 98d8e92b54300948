import { SymmetryError, spaceGroup, standardCell } from '@crys/eval';
import { type Crystal, hasPartialOccupancy, reducedFormula } from '@crys/lattice';
import type { Command } from 'commander';
import { CliFailure, UsageError } from '../errors.js';
import type { CliContext } from '../main.js';
import { numberOption } from '../options.js';
import { addTransformOptions, runTransform, type TransformFlags } from '../transform.js';

interface StandardizeOpts extends TransformFlags {
  primitive?: boolean;
  conventional?: boolean;
  symprec: number;
}

export function registerStandardize(program: Command, ctx: CliContext): void {
  addTransformOptions(
    program
      .command('standardize')
      .summary("moyo's standard primitive or conventional cell, idealised onto its space group")
      .description(
        "Finds the space group of every crystal of IN with moyo (spglib's algorithms, tolerance --symprec Å) and " +
          "writes its standardised cell: --conventional (default; spglib's standard setting, as pymatgen's " +
          'get_conventional_standard_structure) or --primitive (get_primitive_standard_structure). Atoms sit ' +
          'exactly on their Wyckoff positions and the cell has the exact metric of its crystal system (the ' +
          "distortion within --symprec is removed); a is along x and b in the xy-plane. Each crystal's space group " +
          'and atom counts are printed on stderr.',
      ),
  )
    .option('--primitive', 'the standard primitive cell')
    .option('--conventional', 'the standard conventional cell (default)')
    .option('--symprec <Å>', 'symmetry tolerance, Å', numberOption('positive'), 0.01)
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys standardize POSCAR --conventional -o conventional.cif\n  $ crys standardize NaCl.cif --primitive --symprec 0.1 -o NaCl-prim.vasp',
    )
    .action(async (input: string, opts: StandardizeOpts) => {
      const { term } = ctx;
      if (opts.primitive && opts.conventional) {
        throw new UsageError('--primitive and --conventional cannot be used together', 'pick one');
      }
      const cell = opts.primitive ? 'primitive' : 'conventional';
      await runTransform(ctx, input, opts, 'standardizing', async (item) => {
        if (hasPartialOccupancy(item.crystal)) {
          throw new CliFailure(
            `${item.label} has partially occupied sites: a space group of a disordered crystal is not defined here`,
            'order the sites first (one species per site), or write it as it is with crys convert',
          );
        }
        let std: Crystal;
        try {
          std = await standardCell(item.crystal, { symprec: opts.symprec, cell });
        } catch (e) {
          if (!(e instanceof SymmetryError)) throw e;
          throw new CliFailure(
            `${item.label}: moyo found no space group at --symprec ${opts.symprec} Å (${e.message})`,
            'check for overlapping atoms (crys info), or try another --symprec',
          );
        }
        const sg = await spaceGroup(std, { symprec: opts.symprec, primitive: false });
        term.err(
          `${item.label}: ${reducedFormula(std)}  ${sg.symbol.replace(/\s+/g, '')} (${sg.number})  ${item.crystal.atomicNumbers.length} → ${std.atomicNumbers.length} atoms (${cell}, symprec ${opts.symprec} Å)`,
        );
        return [std];
      });
    });
}
