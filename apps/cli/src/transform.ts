import type { Crystal } from '@crys/lattice';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { assertCanWrite, writeAtomic } from './files.js';
import {
  assertWritable,
  FORMAT_NAMES,
  formatCrystals,
  formatFromName,
  type LoadedCrystal,
  loadCrystals,
  resolveFormat,
} from './load.js';
import type { CliContext } from './main.js';
import { overlapMessage } from './model-input.js';
import { intOption } from './options.js';
import { createProgress } from './progress.js';
import { paint } from './term.js';

/** The input and output flags every structure tool (supercell, perturb, standardize) shares. */
export interface TransformFlags {
  out: string;
  from?: string;
  to?: string;
  index?: number;
  limit?: number;
}

/** Adds `-o/--out`, `--from`, `--to`, `--index` and `--limit` to a structure tool's command. */
export function addTransformOptions(command: Command): Command {
  return command
    .argument('<in>', 'input crystal file (CIF, POSCAR, dataset CSV, …), or - for stdin')
    .option('-o, --out <file>', 'output file; - (default) writes to stdout', '-')
    .option('--from <id>', `input format when the name does not say: ${FORMAT_NAMES}`)
    .option('--to <id>', 'output format when the name does not say (default for stdout: the input format, else cif)')
    .option('--index <n>', 'only the n-th crystal of IN (1-based)', intOption(1))
    .option('--limit <n>', 'at most n crystals of IN', intOption(1));
}

/**
 * Reads the crystals of `input`, maps each through `apply` (which may return several crystals, e.g. copies) and
 * writes them to `--out` in one atomic write: nothing is written when any crystal fails. Progress goes to stderr;
 * the summary line goes to stdout only when the crystals do not.
 */
export async function runTransform(
  ctx: CliContext,
  input: string,
  opts: TransformFlags,
  what: string,
  apply: (item: LoadedCrystal, position: number) => Crystal[] | Promise<Crystal[]>,
): Promise<void> {
  const { term } = ctx;
  let to = opts.to ? resolveFormat(opts.to, '--to') : formatFromName(opts.out);
  if (!to && opts.out !== '-') {
    throw new UsageError(
      `cannot tell the output format from '${opts.out}'`,
      `pass --to (${FORMAT_NAMES}) or use a usual extension`,
    );
  }
  if (to) assertWritable(to);
  assertCanWrite(opts.out, '--out');
  const loaded = loadCrystals(input, {
    format: opts.from,
    index: opts.index,
    limit: opts.index !== undefined ? 1 : opts.limit,
  });
  for (const w of loaded.warnings) term.err(`${paint(term.colorErr, 'yellow', 'warning:')} ${w}`);
  if (loaded.crystals.length === 0) throw new UsageError(`${input} holds no crystal`);
  if (!to) {
    const writable = loaded.format !== 'optimade-json' && loaded.format !== 'vasp-volumetric';
    to = writable && (loaded.crystals.length === 1 || loaded.format !== 'poscar') ? loaded.format : 'cif';
  }
  const progress = createProgress(term, { label: what, total: loaded.crystals.length, unit: 'crystals' });
  const out: LoadedCrystal[] = [];
  for (let i = 0; i < loaded.crystals.length; i++) {
    const item = loaded.crystals[i];
    const made = await apply(item, i);
    made.forEach((crystal, k) => {
      const id = item.id !== undefined && made.length > 1 ? `${item.id}_${k + 1}` : item.id;
      out.push({ crystal, label: item.label, ...(id !== undefined ? { id } : {}), properties: item.properties });
    });
    progress.update(i + 1);
  }
  progress.finish(`${out.length} crystals`);
  for (const item of out) {
    const overlap = overlapMessage(item.crystal, item.label);
    if (overlap !== undefined) term.err(`${paint(term.colorErr, 'yellow', 'warning:')} ${overlap}`);
  }
  const text = formatCrystals(out, to);
  writeAtomic(opts.out, text, term.stdout);
  if (opts.out !== '-') term.out(`wrote ${out.length} crystal(s) to ${opts.out} (${to}, ${text.length} bytes)`);
}
