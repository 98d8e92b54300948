import { CrysError } from '@crys/lattice';
import { CliFailure, EXIT, UsageError } from './errors.js';
import { paint, type Term } from './term.js';

/** A fix for the error kinds the packages raise, when their message does not already say one. */
function hintFor(error: CrysError): string | undefined {
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
    term.err(`${prefix} ${error.message}`);
    const hint = hintFor(error);
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
