/**
 * Where the CLI writes, and how: colour only when the stream is a TTY (or FORCE_COLOR is set) and NO_COLOR is
 * not (https://no-color.org), progress only on stderr.
 */

/** A writable stream as the CLI sees it. */
export interface OutStream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** The streams and environment of one CLI run. */
export interface Term {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Colour codes on stdout. */
  readonly color: boolean;
  /** Colour codes on stderr. */
  readonly colorErr: boolean;
  /** Write a line to stdout. */
  out(line?: string): void;
  /** Write a line to stderr. */
  err(line?: string): void;
}

/** True when ANSI colour should be written to `stream` under `env`. */
export function wantsColor(stream: OutStream, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Builds the {@link Term} of a run. */
export function createTerm(
  stdout: OutStream,
  stderr: OutStream,
  env: Readonly<Record<string, string | undefined>>,
): Term {
  return {
    stdout,
    stderr,
    env,
    color: wantsColor(stdout, env),
    colorErr: wantsColor(stderr, env),
    out(line = '') {
      stdout.write(`${line}\n`);
    },
    err(line = '') {
      stderr.write(`${line}\n`);
    },
  };
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

/** A colour name understood by {@link paint}. */
export type ColorName = keyof typeof CODES;

/** Wraps `text` in the ANSI codes of `name` when `on`, else returns it unchanged. */
export function paint(on: boolean, name: ColorName, text: string): string {
  if (!on) return text;
  const [open, close] = CODES[name];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Removes ANSI escape sequences (for width computations). */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
