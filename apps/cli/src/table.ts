import { stripAnsi } from './term.js';

/** Column alignment in {@link formatTable}. */
export type Align = 'left' | 'right';

/**
 * Plain-text table: a header row, a rule, then the rows, columns padded to their widest cell (ANSI codes
 * ignored when measuring). Numbers are expected to be formatted by the caller.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly Align[],
): string {
  const widths = header.map((h, j) => Math.max(stripAnsi(h).length, ...rows.map((r) => stripAnsi(r[j] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, j) => {
        const pad = ' '.repeat(Math.max(0, widths[j] - stripAnsi(c).length));
        return (align?.[j] ?? (j === 0 ? 'left' : 'right')) === 'left' ? c + pad : pad + c;
      })
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Fixed-point number, or `–` when not finite. */
export function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/** A percentage with one decimal, e.g. `52.0 %`. */
export function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(100 * fraction).toFixed(1)} %` : '–';
}

/** A duration in s, min or h, e.g. `1.2 s`, `3 min 05 s`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  if (m < 60) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
