import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { FORMAT_NAMES, loadCrystals } from '../load.js';
import type { CliContext } from '../main.js';
import { createProgress } from '../progress.js';
import { formatTable, percent } from '../table.js';

interface SplitOpts {
  format?: string;
  json?: boolean;
}

export function registerSplit(program: Command, ctx: CliContext): void {
  program
    .command('split')
    .summary('sizes of the deterministic train / validation / holdout split of a dataset')
    .description(
      'Counts the rows of a dataset in each part of the split that `crys train` and `crys eval --split` use: ' +
        'bucket = FNV-1a(material_id) mod 10; buckets 0–7 train, 8 validation (checkpoint selection), 9 holdout ' +
        '(reported). A row keeps its part whatever else is in the file.',
    )
    .argument('<file>', 'dataset CSV (or any crystal file whose crystals have ids)')
    .option('--format <id>', `input format when the name does not say: ${FORMAT_NAMES}`)
    .option('--json', 'print { rows, train, valid, holdout } as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys split data/perov_5/val.csv\n  $ crys split data/carbon_24/val.csv --json',
    )
    .action(async (file: string, opts: SplitOpts) => {
      const { term } = ctx;
      const progress = createProgress(term, { label: 'reading', total: 100, unit: '%' });
      const loaded = loadCrystals(file, {
        format: opts.format,
        onProgress: (f, n) => progress.update(Math.round(100 * f), `${n} crystals`),
      });
      progress.finish(`${loaded.crystals.length} crystals`);
      if (loaded.crystals.length === 0) throw new UsageError(`${file} holds no crystal`);
      const rt = await import('../model-runtime.js');
      const { splitDataset } = await import('@crys/model');
      const parts = splitDataset(rt.asRows(loaded.crystals));
      const rows = loaded.crystals.length;
      const sizes = { train: parts.train.length, valid: parts.valid.length, holdout: parts.holdout.length };
      if (opts.json) {
        term.out(JSON.stringify({ file, rows, ...sizes }));
        return;
      }
      term.out(
        formatTable(
          [`${file}: ${rows} rows`, 'buckets', 'rows', 'share'],
          [
            ['train', '0–7', String(sizes.train), percent(sizes.train / rows)],
            ['valid', '8', String(sizes.valid), percent(sizes.valid / rows)],
            ['holdout', '9', String(sizes.holdout), percent(sizes.holdout / rows)],
          ],
        ),
      );
    });
}
