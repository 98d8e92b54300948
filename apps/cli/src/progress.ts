import { duration } from './table.js';
import type { Term } from './term.js';

/** A progress reporter on stderr; see {@link createProgress}. */
export interface Progress {
  /** Records that `done` of `total` units are finished; `detail` is shown after the bar (e.g. `loss 0.12`). */
  update(done: number, detail?: string): void;
  /** Prints a message above the bar (it is redrawn below). */
  log(line: string): void;
  /** Removes the bar from a terminal before the command writes to stdout; the next update draws it again. */
  clear(): void;
  /** Clears the bar; on a non-TTY prints a last line when the task was long enough to have shown progress. */
  finish(detail?: string): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** What is being done, e.g. `reading`, `training`. */
  readonly label: string;
  /** Number of units (0 = unknown: no bar, no ETA). */
  readonly total: number;
  /** Unit name, e.g. `crystals`, `steps`. */
  readonly unit?: string;
  /** Show nothing before this many ms (work shorter than a second stays quiet). Default 1000. */
  readonly delayMs?: number;
  /** Minimum ms between redraws: 100 on a TTY, 2000 otherwise (plain lines, for logs). */
  readonly intervalMs?: number;
  /** Never draw (e.g. `--quiet`). */
  readonly silent?: boolean;
  /** Units already done before this work started (a resumed run's steps): the ETA counts only the rate since. */
  readonly initial?: number;
}

/**
 * Progress on stderr for work longer than a second: a redrawn bar with ETA on a TTY, plain lines at most every
 * two seconds otherwise, nothing for short work. Never writes to stdout.
 */
export function createProgress(term: Term, options: ProgressOptions): Progress {
  const start = Date.now();
  const tty = term.stderr.isTTY === true;
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? (tty ? 100 : 2000);
  const unit = options.unit ? ` ${options.unit}` : '';
  let lastDraw = 0;
  let shown = false;
  let drawn = '';
  const initial = options.initial ?? 0;
  let done = initial;
  let detail = '';

  const text = (final: boolean): string => {
    const elapsed = (Date.now() - start) / 1000;
    const total = options.total;
    const parts = [options.label];
    if (total > 0) {
      const frac = Math.min(1, done / total);
      if (tty) {
        const width = 24;
        const full = Math.round(frac * width);
        parts.push(`[${'█'.repeat(full)}${'░'.repeat(width - full)}]`);
      }
      parts.push(`${done}/${total}${unit}`);
      if (!final && done > initial && done < total)
        parts.push(`ETA ${duration((elapsed * (total - done)) / (done - initial))}`);
    } else if (done > 0) {
      parts.push(`${done}${unit}`);
    }
    parts.push(final ? `in ${duration(elapsed)}` : duration(elapsed));
    if (detail) parts.push(detail);
    return parts.join('  ');
  };

  const clear = () => {
    if (tty && drawn) term.stderr.write(`\r${' '.repeat(drawn.length)}\r`);
    drawn = '';
  };

  const draw = (force: boolean) => {
    if (options.silent) return;
    const now = Date.now();
    if (now - start < delay) return;
    if (!force && now - lastDraw < interval) return;
    lastDraw = now;
    shown = true;
    const line = text(false);
    if (tty) {
      const cols = term.stderr.columns ?? 100;
      const cut = line.length > cols - 1 ? line.slice(0, cols - 2) : line;
      term.stderr.write(`\r${cut}${' '.repeat(Math.max(0, drawn.length - cut.length))}`);
      drawn = cut;
    } else {
      term.stderr.write(`${line}\n`);
    }
  };

  return {
    update(n, d) {
      done = n;
      if (d !== undefined) detail = d;
      draw(false);
    },
    clear,
    log(line) {
      clear();
      term.stderr.write(`${line}\n`);
      if (shown) draw(true);
    },
    finish(d) {
      if (d !== undefined) detail = d;
      clear();
      if (!options.silent && (shown || Date.now() - start >= delay)) term.stderr.write(`${text(true)}\n`);
    },
  };
}
