import { CrysError } from '@crys/lattice';

/**
 * The command line was wrong (missing argument, bad option value, conflicting options): exit code 2. The
 * message says what arrived; `hint` says how to fix it.
 */
export class UsageError extends CrysError {
  override name = 'UsageError';
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/**
 * The command ran and failed for a reason the user can fix (file missing, unsupported content): exit code 1.
 * `hint` says how to fix it.
 */
export class CliFailure extends CrysError {
  override name = 'CliFailure';
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** Exit codes: 0 ok, 1 failure, 2 usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
