import { CrysError } from '@crys/lattice';
import { CliFailure, EXIT, UsageError } from './errors.js';
import { paint, type Term } from './term.js';

/**
 * The flag a library parameter comes from, for messages raised inside a package (`raise options.maxEdges` reads
 * `raise --max-edges` at the command line).
 */
export const FLAG_OF: Readonly<Record<string, string>> = {
  'options.maxEdges': '--max-edges',
  'options.cutoff': '--cutoff',
  'options.displacement': '--displacement',
  'options.strain': '--strain',
  'options.symprec': '--symprec',
  'options.steps': '--steps',
  'options.startLevel': '--start-level',
  'options.eta': '--eta',
  'options.refineSteps': '--refine-steps',
  'options.correctorSteps': '--corrector-steps',
  'options.correctorScale': '--corrector-scale',
  'config.maxSteps': '--max-steps',
  'config.maxMinutes': '--max-minutes',
  'config.batchSize': '--batch-size',
  'config.learningRate': '--lr',
  'config.warmupSteps': '--warmup',
  'config.decaySteps': '--decay-steps',
  'config.latticeWeight': '--lattice-weight',
  'config.emaDecay': '--ema',
  'config.atomNoiseScale': '--atom-noise-scale',
  'config.startLatticeNoise': '--start-lattice-noise',
  'config.validEvery': '--valid-every',
  'config.checkpointEvery': '--checkpoint-every',
  'config.k': '--k',
  'config.seed': '--seed',
};

/** An error raised by a package, with the fields the CLI translates. */
interface PackageError extends CrysError {
  readonly parameter?: string;
  readonly functionName?: string;
}

/**
 * A package's message in the user's terms: the flag for a library parameter (`train: config.batchSize must be …` →
 * `--batch-size must be …`), the edge budget as `--max-edges`, and a crystal a model cannot take without the
 * function and argument names of the API. Other messages are returned unchanged.
 */
export function userMessage(error: CrysError, command = 'crys graph'): string {
  const e = error as PackageError;
  if (e.name === 'EdgeBudgetError' && e.functionName !== undefined && !hasMaxEdges(command)) {
    // a graph the command builds itself (a model's neighbour graph): there is no --max-edges to raise
    const { edges, maxEdges } = error as unknown as { edges?: number; maxEdges?: number };
    const count =
      typeof edges === 'number' && typeof maxEdges === 'number'
        ? `${edges > maxEdges ? 'about ' : 'more than '}${edges.toPrecision(3)} edges (its budget is ${maxEdges.toPrecision(3)})`
        : 'more edges than its budget';
    return `a neighbour graph of the input would have ${count}: a cell this dense is not one a model can run on`;
  }
  if (e.name === 'EdgeBudgetError' && e.functionName !== undefined) {
    return e.message
      .slice(e.message.startsWith(`${e.functionName}: `) ? e.functionName.length + 2 : 0)
      .replace('maxEdges = ', '--max-edges ')
      .replace(/ \((atoms denser than average; )?raise options\.maxEdges or lower the cutoff\)$/, (_, d) =>
        d ? ' (atoms denser than average)' : '',
      );
  }
  if (e.parameter === undefined) return e.message;
  const prefix = e.message.indexOf(`: ${e.parameter} `);
  if (prefix < 0) return e.message;
  const rest = e.message.slice(prefix + e.parameter.length + 3);
  const flag = FLAG_OF[e.parameter];
  if (flag !== undefined) return `${flag} ${rest}`;
  if (e.name === 'UnsupportedCrystalError') return `the crystal ${rest}`;
  return e.message;
}

/** Whether `command` has a `--max-edges` flag (only `crys graph` builds graphs to a budget the user sets). */
function hasMaxEdges(command: string): boolean {
  return command === 'crys graph';
}

/** A fix for the error kinds the packages raise, when their message does not already say one. */
function hintFor(error: CrysError, command: string): string | undefined {
  if (error instanceof UsageError || error instanceof CliFailure) return error.hint;
  switch (error.name) {
    case 'ParseError':
      return 'fix the file at the line shown (or pass --format if its format was guessed wrong)';
    case 'UnknownFormatError':
      return 'name the format with --format (cif, poscar, xyz, json, csv) or use a usual file extension';
    case 'UnsupportedCrystalError':
      return 'use a model trained on these elements and sizes (crys train --data …), or pick crystals it supports';
    case 'ModelFormatError':
      return 'pass a shipped model name (perov_5, carbon_24) or a checkpoint written by `crys train`';
    case 'DegenerateLatticeError':
      return 'check the lattice vectors or cell parameters in the file';
    case 'EdgeBudgetError':
      return hasMaxEdges(command)
        ? 'raise --max-edges, or lower --cutoff (or --knn)'
        : "check the input's lattice: its volume per atom is far below any solid's (a collapsed or mis-scaled cell?)";
    default:
      return undefined;
  }
}

/**
 * Prints an error the way a user should see it (never a stack trace for bad input) and returns the exit
 * code: 2 for usage errors, 1 for everything else. Errors from `@crys/*` are recognised with
 * `CrysError.isInstance`, so duplicate installs still print cleanly. Unknown errors print their message and a
 * request to report them; `CRYS_DEBUG=1` adds the stack.
 */
export function reportError(term: Term, command: string, error: unknown): number {
  const c = term.colorErr;
  const prefix = paint(c, 'red', paint(c, 'bold', `${command}: error:`));
  if (CrysError.isInstance(error)) {
    term.err(`${prefix} ${userMessage(error, command)}`);
    const hint = hintFor(error, command);
    if (hint) term.err(`${paint(c, 'yellow', 'hint:')} ${hint}`);
    if (term.env.CRYS_DEBUG && error.stack) term.err(error.stack);
    return error instanceof UsageError ? EXIT.usage : EXIT.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  term.err(`${prefix} internal error: ${message}`);
  term.err(
    `${paint(c, 'yellow', 'hint:')} this is a bug in crys, not in your input; please report it with the command you ran and its input file (set CRYS_DEBUG=1 to print the stack trace)`,
  );
  if (term.env.CRYS_DEBUG && error instanceof Error && error.stack) term.err(error.stack);
  return EXIT.failure;
}
