import { perturb } from '@crys/lattice';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliContext } from '../main.js';
import { choiceOption, intOption, numberOption } from '../options.js';
import { addTransformOptions, runTransform, type TransformFlags } from '../transform.js';

interface PerturbOpts extends TransformFlags {
  displacement: number;
  strain: number;
  mode: 'gaussian' | 'sphere';
  seed: number;
  copies: number;
}

export function registerPerturb(program: Command, ctx: CliContext): void {
  addTransformOptions(
    program
      .command('perturb')
      .summary('random atom displacements and a symmetric strain, seeded (starting points for relax)')
      .description(
        'Writes a randomly perturbed copy of every crystal of IN: the lattice strained by L·(I + ε) with ε symmetric ' +
          '(diagonal N(0, s²), shear N(0, s²/2); no rotation), then every atom moved in Cartesian space. With ' +
          '--mode gaussian (default) each component of a displacement is N(0, d²); with --mode sphere every atom ' +
          "moves by exactly d Å in a random direction (pymatgen's Structure.perturb(d)). The same --seed gives the " +
          'same result on every machine; copy j (0-based) of the i-th crystal uses seed + i·copies + j. Atom order ' +
          'and species are kept.',
      ),
  )
    .option('--displacement <Å>', 'atom displacement size d, Å (see --mode)', numberOption('nonnegative'), 0)
    .option('--strain <s>', 'standard deviation of the symmetric strain ε (0.01 = 1 %)', numberOption('nonnegative'), 0)
    .option(
      '--mode <law>',
      'gaussian: N(0, d²) per Cartesian component; sphere: exactly d Å in a uniformly random direction',
      choiceOption(['gaussian', 'sphere'] as const),
      'gaussian',
    )
    .option('--seed <n>', 'seed of the random generator', intOption(0, 2 ** 32 - 1), 0)
    .option('--copies <n>', 'perturbed copies of each crystal, each with its own seed', intOption(1, 100_000), 1)
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys perturb NaCl.cif --displacement 0.05 --strain 0.01 --seed 0 -o start.cif\n  $ crys perturb POSCAR --displacement 0.1 --mode sphere -o POSCAR.rattled\n  $ crys perturb NaCl.cif --displacement 0.05 --copies 10 -o starts.xyz',
    )
    .action(async (input: string, opts: PerturbOpts) => {
      if (opts.displacement === 0 && opts.strain === 0) {
        throw new UsageError(
          'nothing to do: --displacement and --strain are both 0',
          'e.g. crys perturb IN --displacement 0.05 --strain 0.01 -o OUT',
        );
      }
      if (opts.strain >= 0.3) {
        throw new UsageError(
          `--strain ${opts.strain} is not a perturbation: a standard deviation that large can fold the cell`,
          'use a strain below 0.3 (0.01 is a 1 % strain)',
        );
      }
      await runTransform(ctx, input, opts, 'perturbing', (item, i) =>
        Array.from({ length: opts.copies }, (_, j) =>
          perturb(item.crystal, {
            displacement: opts.displacement,
            strain: opts.strain,
            mode: opts.mode,
            seed: (opts.seed + i * opts.copies + j) % 2 ** 32,
          }),
        ),
      );
    });
}
