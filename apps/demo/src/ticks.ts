// Axis domains, ticks and tick labels for the demo's plots, after d3-array's `ticks`/`tickIncrement`, d3-scale's
// `linear.nice()` and d3-format's `precisionFixed`: round steps of 1, 2 or 5 × 10^k, a domain that starts and ends
// on a step, and labels with just enough decimals to tell neighbouring ticks apart.

const E10 = Math.sqrt(50),
  E5 = Math.sqrt(10),
  E2 = Math.sqrt(2);

/** [i1, i2, inc]: ticks are i·inc for i in i1..i2 when inc > 0, i / −inc when inc < 0 (exact for small steps). */
function tickSpec(start: number, stop: number, count: number): [number, number, number] {
  const step = (stop - start) / Math.max(0, count),
    power = Math.floor(Math.log10(step)),
    error = step / 10 ** power,
    factor = error >= E10 ? 10 : error >= E5 ? 5 : error >= E2 ? 2 : 1;
  let i1: number, i2: number, inc: number;
  if (power < 0) {
    inc = 10 ** -power / factor;
    i1 = Math.round(start * inc);
    i2 = Math.round(stop * inc);
    if (i1 / inc < start) ++i1;
    if (i2 / inc > stop) --i2;
    inc = -inc;
  } else {
    inc = 10 ** power * factor;
    i1 = Math.round(start / inc);
    i2 = Math.round(stop / inc);
    if (i1 * inc < start) ++i1;
    if (i2 * inc > stop) --i2;
  }
  if (i2 < i1 && 0.5 <= count && count < 2) return tickSpec(start, stop, count * 2);
  return [i1, i2, inc];
}

/**
 * About `count` round ticks (1, 2 or 5 × 10^k apart) inside [start, stop], ascending; `[start]` when the two are
 * equal, `[]` for a non-finite bound.
 *
 * @example
 * linearTicks(0, 1, 5); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function linearTicks(start: number, stop: number, count = 5): number[] {
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !(count > 0)) return [];
  if (start === stop) return [start];
  if (stop < start) [start, stop] = [stop, start];
  const [i1, i2, inc] = tickSpec(start, stop, count);
  if (!(i2 >= i1)) return [];
  const out: number[] = [];
  for (let i = i1; i <= i2; i++) out.push(inc < 0 ? i / -inc : i * inc);
  return out;
}

/** The step between {@link linearTicks}: > 0 is the step, < 0 is −1/step (d3's `tickIncrement`). */
function tickIncrement(start: number, stop: number, count: number): number {
  return tickSpec(start, stop, count)[2];
}

/**
 * The domain of a linear axis for data in [min, max], widened to whole tick steps (d3's `linear.nice()`). A single
 * value v becomes an interval around it (±5 % of |v|, or [0, 1] for 0) and no data (non-finite bounds) [0, 1], so an
 * axis always has distinct ticks.
 *
 * @example
 * niceDomain(0.13, 0.47); // [0.1, 0.5]
 * niceDomain(3, 3); // [2.85, 3.15]
 */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    if (Number.isFinite(min)) max = min;
    else if (Number.isFinite(max)) min = max;
    else return [0, 1];
  }
  if (max < min) [min, max] = [max, min];
  // Values closer than float64 can step between (or subnormal ones) are a single value.
  if (max - min <= Math.max(1e-300, 1e-12 * Math.max(Math.abs(min), Math.abs(max)))) min = max;
  if (min === max) {
    if (Math.abs(min) < 1e-300) return [0, 1];
    const pad = Math.abs(min) * 0.05;
    min -= pad;
    max += pad;
  }
  let prestep = Number.NaN;
  for (let iter = 0; iter < 10; iter++) {
    const step = tickIncrement(min, max, count);
    if (step === prestep) break;
    if (step > 0) {
      min = Math.floor(min / step) * step;
      max = Math.ceil(max / step) * step;
    } else if (step < 0) {
      min = Math.ceil(min * step) / step;
      max = Math.floor(max * step) / step;
    } else break;
    prestep = step;
  }
  return [min, max];
}

/**
 * The domain of an axis that should end where the data ends (steps of a run): [min, max] itself, or
 * {@link niceDomain}'s interval when that is a single value or empty.
 *
 * @example
 * extentDomain(0, 16000); // [0, 16000]
 * extentDomain(7, 7); // [6.65, 7.35]
 */
export function extentDomain(min: number, max: number): [number, number] {
  if (Number.isFinite(min) && Number.isFinite(max) && max - min > 1e-12 * Math.max(Math.abs(min), Math.abs(max))) {
    return min < max ? [min, max] : [max, min];
  }
  return niceDomain(min, max);
}

/**
 * Ticks of a logarithmic axis over [min, max] (both > 0): the powers of ten inside, with 2 and 5 × 10^k when the
 * range spans few decades; a range too narrow for three of those gets {@link linearTicks}.
 *
 * @example
 * logTicks(0.01, 10); // [0.01, 0.1, 1, 10]
 * logTicks(0.2, 3); // [0.2, 0.5, 1, 2]
 * logTicks(0.17, 0.73); // [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
 */
export function logTicks(min: number, max: number, count = 5): number[] {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  const k0 = Math.floor(Math.log10(min)),
    k1 = Math.ceil(Math.log10(max));
  const within = (v: number) => v >= min * (1 - 1e-12) && v <= max * (1 + 1e-12);
  const powers: number[] = [];
  for (let k = k0; k <= k1; k++) if (within(10 ** k)) powers.push(Number((10 ** k).toPrecision(12)));
  if (powers.length > count) {
    const every = Math.ceil(powers.length / count);
    return powers.filter((_, i) => i % every === 0);
  }
  const withSteps: number[] = [];
  for (let k = k0; k <= k1; k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (within(v)) withSteps.push(v);
    }
  }
  if (withSteps.length >= 3 && withSteps.length <= 2 * count) return withSteps;
  if (powers.length >= 2) return powers;
  return linearTicks(min, max, count);
}

/**
 * The domain of a logarithmic axis for positive data in [min, max]: widened by 5 % of the range in log space (or
 * ×/÷ 1.5 for a single value); no positive data gives [0.1, 1].
 *
 * @example
 * logDomain(0.01, 1); // about [0.0079, 1.26]
 */
export function logDomain(min: number, max: number): [number, number] {
  if (!(min > 0) || !Number.isFinite(min)) min = max;
  if (!(max > 0) || !Number.isFinite(max)) return [0.1, 1];
  if (min === max) return [min / 1.5, max * 1.5];
  const l0 = Math.log10(min),
    l1 = Math.log10(max),
    pad = 0.05 * (l1 - l0);
  return [10 ** (l0 - pad), 10 ** (l1 + pad)];
}

function exponentOf(x: number): number {
  return x === 0 ? 0 : Math.floor(Math.log10(Math.abs(x)) + 1e-12);
}

/**
 * Labels for ascending ticks: fixed-point with as many decimals as the step needs (d3-format's `precisionFixed`),
 * or scientific notation when the ticks are at least 1e6 or below 1e-4 in size. Neighbouring ticks get different
 * labels.
 *
 * @example
 * tickLabels([0, 0.2, 0.4]); // ['0', '0.2', '0.4']
 * tickLabels([140000, 145000, 150000]); // ['140000', '145000', '150000']
 * tickLabels([2e-5, 4e-5, 6e-5]); // ['2e-5', '4e-5', '6e-5']
 */
export function tickLabels(ticks: readonly number[]): string[] {
  if (ticks.length === 0) return [];
  let maxAbs = 0;
  for (const t of ticks) maxAbs = Math.max(maxAbs, Math.abs(t));
  // The smallest gap between neighbours decides the precision (log ticks are unevenly spaced).
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < ticks.length; i++) step = Math.min(step, Math.abs(ticks[i] - ticks[i - 1]));
  if (!Number.isFinite(step) || step === 0) step = maxAbs || 1;
  const scientific = maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-4) || step < 1e-5;
  if (scientific) {
    const digits = Math.max(0, Math.min(15, exponentOf(maxAbs) - exponentOf(step)));
    return ticks.map((t) => {
      if (t === 0) return '0';
      const [mantissa, exp] = t.toExponential(digits).split('e');
      const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
      return `${m}e${Number(exp)}`;
    });
  }
  const decimals = Math.max(0, Math.min(20, -exponentOf(step)));
  // A step like 0.25 needs one more digit than its exponent says: every label must give its tick back.
  const fits = (d: number) => ticks.every((t) => Math.abs(Number(t.toFixed(d)) - t) <= 1e-6 * step);
  let d = decimals;
  while (!fits(d) && d < 20) d++;
  return ticks.map((t) => {
    const s = t.toFixed(d);
    return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
  });
}

/**
 * Labels for logarithmic-axis ticks: each value in its shortest form (`0.001`, `2`, `50000`, `1e-7`).
 *
 * @example
 * logTickLabels([0.001, 0.01, 0.1]); // ['0.001', '0.01', '0.1']
 */
export function logTickLabels(ticks: readonly number[]): string[] {
  return ticks.map((t) => {
    const v = Number(t.toPrecision(6));
    return Math.abs(v) >= 1e6 ? v.toExponential().replace('e+', 'e') : String(v);
  });
}
