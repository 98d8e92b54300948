/** One line of a {@link lineChartSvg}: points (x, y) in data units. */
export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** CSS colour, e.g. `#1f77b4`. */
  readonly color?: string;
}

/** Options of {@link lineChartSvg}. */
export interface ChartOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Logarithmic y axis (non-positive values are dropped). Default true when every y is positive. */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "Nice" tick positions covering [lo, hi] (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // k·step (not repeated addition) keeps ticks exact multiples; 15 digits drop 0.1 + 0.2 noise only.
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(15)));
  return ticks;
}

function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

/**
 * A self-contained SVG line chart (axes, ticks, grid, legend), e.g. training and validation loss against the
 * step. No dependencies; the output opens in any browser.
 */
export function lineChartSvg(series: readonly Series[], options: ChartOptions = {}): string {
  const width = options.width ?? 720;
  const height = options.height ?? 420;
  const m = { left: 70, right: 20, top: options.title ? 40 : 20, bottom: 50 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const allY = series.flatMap((s) => s.y.filter(Number.isFinite));
  const allX = series.flatMap((s) => s.x.filter(Number.isFinite));
  const logY = options.logY ?? (allY.length > 0 && allY.every((y) => y > 0));
  const ty = (y: number) => (logY ? Math.log10(y) : y);
  const usableY = allY.filter((y) => !logY || y > 0).map(ty);
  let yLo = usableY.length ? Math.min(...usableY) : 0;
  let yHi = usableY.length ? Math.max(...usableY) : 1;
  if (yHi - yLo < 1e-12) {
    yLo -= 0.5;
    yHi += 0.5;
  }
  const pad = 0.05 * (yHi - yLo);
  yLo -= pad;
  yHi += pad;
  let xLo = allX.length ? Math.min(...allX) : 0;
  let xHi = allX.length ? Math.max(...allX) : 1;
  if (xHi - xLo < 1e-12) {
    xLo -= 0.5;
    xHi += 0.5;
  }
  const px = (x: number) => m.left + ((x - xLo) / (xHi - xLo)) * pw;
  const py = (v: number) => m.top + (1 - (v - yLo) / (yHi - yLo)) * ph;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  );
  if (options.title) {
    parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`);
  }
  // y grid and labels
  const yTicks = logY
    ? niceTicks(Math.floor(yLo), Math.ceil(yHi), Math.max(1, Math.min(6, Math.ceil(yHi) - Math.floor(yLo)))).filter(
        (t) => t >= yLo && t <= yHi && Number.isInteger(t),
      )
    : niceTicks(yLo, yHi);
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(tickLabel(logY ? 10 ** t : t))}</text>`,
    );
  }
  for (const t of niceTicks(xLo, xHi)) {
    const x = px(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${x}" y="${m.top + ph + 18}" text-anchor="middle">${escapeXml(tickLabel(t))}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  if (options.xLabel) {
    parts.push(
      `<text x="${m.left + pw / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    );
  }
  if (options.yLabel) {
    const cy = m.top + ph / 2;
    parts.push(
      `<text x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeXml(options.yLabel + (logY ? ' (log)' : ''))}</text>`,
    );
  }
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const pts: string[] = [];
    for (let i = 0; i < s.x.length; i++) {
      const y = s.y[i];
      if (!Number.isFinite(s.x[i]) || !Number.isFinite(y) || (logY && y <= 0)) continue;
      pts.push(`${px(s.x[i]).toFixed(1)},${py(ty(y)).toFixed(1)}`);
    }
    if (pts.length === 1) {
      const [x, y] = pts[0].split(',');
      parts.push(`<circle cx="${x}" cy="${y}" r="3" fill="${color}"/>`);
    } else if (pts.length > 1) {
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${pts.join(' ')}"/>`);
    }
    const ly = m.top + 14 + 16 * k;
    const lx = m.left + pw - 150;
    parts.push(`<line x1="${lx}" x2="${lx + 20}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
