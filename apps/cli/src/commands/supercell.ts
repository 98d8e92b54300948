import { determinant, makeSupercell } from '@crys/lattice';
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import type { CliContext } from '../main.js';
import { intOption } from '../options.js';
import { addTransformOptions, runTransform, type TransformFlags } from '../transform.js';

interface SupercellOpts extends TransformFlags {
  matrix: number[];
  maxAtoms: number;
}

/**
 * Commander parser for `-m`: `2x2x2`, `2,2,2` or `2 2 2` (a diagonal), one integer `n` (n·I), or nine integers
 * `a b c d e f g h i` (rows: the new lattice vectors in units of the old ones). Returns the 9 integers, row-major.
 */
export function supercellMatrixOption(value: string): number[] {
  const words = value
    .trim()
    .split(/[\s,x×]+/i)
    .filter((w) => w !== '');
  const ints = words.map((w) => (/^[-+]?\d+$/.test(w) ? Number(w) : Number.NaN));
  if (!(ints.length === 1 || ints.length === 3 || ints.length === 9) || !ints.every(Number.isSafeInteger)) {
    throw new CommanderArgumentError(
      `expected 3 integers (a diagonal such as 2x2x2), one integer n (n·I) or 9 integers (a full 3×3 matrix, rows = new vectors), got '${value}'.`,
    );
  }
  if (ints.length === 9) return ints;
  const [a, b, c] = ints.length === 1 ? [ints[0], ints[0], ints[0]] : ints;
  return [a, 0, 0, 0, b, 0, 0, 0, c];
}

export function registerSupercell(program: Command, ctx: CliContext): void {
  addTransformOptions(
    program
      .command('supercell')
      .summary('build a supercell: -m 2x2x2 or a full integer matrix')
      .description(
        "Writes the supercell L' = M·L of every crystal of IN (rows of L are the lattice vectors, so row i of M says " +
          'which integer combination of a, b, c is the new vector i), with all its atoms wrapped into the new cell. ' +
          "Atoms come cell by cell: every input atom of the first image, then of the next (ASE's make_supercell " +
          'order). M must have a positive determinant (the number of cells): a singular M has no cell and a ' +
          'negative one would turn the axes left-handed.',
      ),
  )
    .requiredOption(
      '-m, --matrix <M>',
      "the matrix: a diagonal '2x2x2', one integer '3' (3x3x3), or 9 integers 'a b c d e f g h i' (row-major)",
      supercellMatrixOption,
    )
    .option('--max-atoms <n>', 'refuse supercells with more atoms than this', intOption(1), 1_000_000)
    .addHelpText(
      'after',
      "\nExamples:\n  $ crys supercell NaCl.cif -m 2x2x2 -o NaCl-222.cif\n  $ crys supercell POSCAR -m '1 -1 0 1 1 0 0 0 1' -o POSCAR.sqrt2\n  $ crys supercell data/perov_5/val.csv --index 3 -m 3 --to xyz",
    )
    .action(async (input: string, opts: SupercellOpts) => {
      const m = opts.matrix;
      const det = Math.round(determinant(m));
      if (det === 0) {
        throw new UsageError(
          `-m ${m.join(' ')} is singular (determinant 0): its rows do not span a cell`,
          'give three independent rows, e.g. -m 2x2x2 or -m "1 -1 0 1 1 0 0 0 1"',
        );
      }
      if (det < 0) {
        throw new UsageError(
          `-m ${m.join(' ')} has a negative determinant (${det}): the new axes would be left-handed`,
          'swap two rows or negate one row of the matrix',
        );
      }
      await runTransform(ctx, input, opts, 'supercell', (item) => {
        const n = item.crystal.atomicNumbers.length * det;
        if (n > opts.maxAtoms) {
          throw new UsageError(
            `-m ${m.join(' ')} makes ${det} cells of ${item.label}: ${n} atoms, more than --max-atoms ${opts.maxAtoms}`,
            'use a smaller matrix, or raise --max-atoms',
          );
        }
        return [makeSupercell(item.crystal, m)];
      });
    });
}
