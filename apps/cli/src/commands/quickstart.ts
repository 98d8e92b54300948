import { relative } from 'node:path';
import type { Command } from 'commander';
import { CliFailure } from '../errors.js';
import { loadCrystals } from '../load.js';
import type { CliContext } from '../main.js';
import { builtinDataset } from '../repo.js';
import { duration } from '../table.js';
import { paint } from '../term.js';
import { crystalInfo, formatInfo } from './info.js';

export function registerQuickstart(program: Command, ctx: CliContext): void {
  program
    .command('quickstart')
    .summary('the main job on the built-in data (what `npm start` runs)')
    .description(
      'Reads the built-in validation sets (data/perov_5/val.csv, data/carbon_24/val.csv) and reports on a ' +
        'shipped crystal of each: formula, lattice, volume, density, space group and its periodic multigraph.',
    )
    .option('--json', 'print the records as JSON')
    .addHelpText('after', '\nExample:\n  $ crys quickstart')
    .action(async (opts: { json?: boolean }) => {
      const { term } = ctx;
      const c = term.color;
      const records = [];
      for (const name of ['perov_5', 'carbon_24']) {
        const file = builtinDataset(name);
        if (!file) {
          throw new CliFailure(
            `the built-in dataset ${name} is missing (data/${name}/val.csv)`,
            'run crys quickstart from a clone of the crys repository',
          );
        }
        const t0 = performance.now();
        const all = loadCrystals(relative(process.cwd(), file) || file);
        const seconds = (performance.now() - t0) / 1000;
        const info = await crystalInfo(all.crystals[0], 5, 0.01);
        records.push({ dataset: name, crystals: all.total, readSeconds: seconds, first: info });
        if (opts.json) continue;
        term.out(
          paint(c, 'bold', `${name}: read ${all.total} crystals from data/${name}/val.csv in ${duration(seconds)}`),
        );
        term.out(formatInfo(info, c));
        term.out();
      }
      if (opts.json) term.out(JSON.stringify(records, null, 2));
    });
}
