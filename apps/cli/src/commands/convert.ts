import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { writeAtomic } from '../files.js';
import {
  assertWritable,
  FORMAT_NAMES,
  formatCrystals,
  formatFromName,
  latticeOption,
  loadCrystals,
  resolveFormat,
  speciesOption,
} from '../load.js';
import type { CliContext } from '../main.js';
import { overlapMessage } from '../model-input.js';
import { intOption } from '../options.js';
import { createProgress } from '../progress.js';
import { paint } from '../term.js';

interface ConvertOpts {
  from?: string;
  to?: string;
  index?: number;
  limit?: number;
  species?: string[];
  lattice?: number[];
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
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys convert structure.cif structure.csv\n  $ crys convert data/carbon_24/val.csv - --index 5 --to cif\n  $ cat a.cif | crys convert - out.csv --from cif',
    )
    .action((input: string, output: string, opts: ConvertOpts) => {
      const { term } = ctx;
      const to = opts.to ? resolveFormat(opts.to, '--to') : formatFromName(output);
      if (!to) {
        throw new UsageError(
          `cannot tell the output format from '${output}'`,
          `pass --to (${FORMAT_NAMES}) or use a usual extension`,
        );
      }
      assertWritable(to);
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
      const text = formatCrystals(loaded.crystals, to);
      writeAtomic(output, text, term.stdout);
      if (output !== '-') {
        term.out(`wrote ${loaded.crystals.length} crystal(s) to ${output} (${to}, ${text.length} bytes)`);
      }
    });
}
