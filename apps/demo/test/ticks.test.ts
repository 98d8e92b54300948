import { fc, test as prop } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { extentDomain, linearTicks, logDomain, logTickLabels, logTicks, niceDomain, tickLabels } from '../src/ticks.js';

describe('linearTicks', () => {
  test('linearTicks(start, stop, count) gives round steps of 1, 2 or 5 × 10^k, as d3.ticks does', () => {
    expect(linearTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(linearTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(linearTicks(0.12, 0.87, 5)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(linearTicks(1, 0, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  test('linearTicks(v, v) is [v] and a non-finite bound gives no ticks', () => {
    expect(linearTicks(3, 3)).toEqual([3]);
    expect(linearTicks(Number.NaN, 1)).toEqual([]);
    expect(linearTicks(0, Number.POSITIVE_INFINITY)).toEqual([]);
  });
});

describe('niceDomain', () => {
  test('niceDomain(min, max) widens to whole steps, as d3 linear.nice() does', () => {
    expect(niceDomain(0.13, 0.47)).toEqual([0.1, 0.5]);
    expect(niceDomain(0.13, 0.87)).toEqual([0, 1]);
    expect(niceDomain(0, 16000)).toEqual([0, 20000]);
    expect(extentDomain(0, 16000)).toEqual([0, 16000]);
    expect(extentDomain(12, 12)).toEqual(niceDomain(12, 12));
    expect(niceDomain(0.00219, 0.48)).toEqual([0, 0.5]);
  });

  test('niceDomain(v, v) is an interval around v, so the axis has distinct ticks (the "0 0 0" and "0,000" axes)', () => {
    expect(niceDomain(0, 0)).toEqual([0, 1]);
    const [lo, hi] = niceDomain(145154, 145154);
    expect(lo).toBeLessThan(145154);
    expect(hi).toBeGreaterThan(145154);
    const labels = tickLabels(linearTicks(lo, hi, 5));
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.length).toBeGreaterThan(2);
    expect(niceDomain(-2, -2)[1]).toBeGreaterThan(-2);
  });

  test('niceDomain without data is [0, 1]; with one finite bound it is that value’s interval', () => {
    expect(niceDomain(Number.NaN, Number.NaN)).toEqual([0, 1]);
    expect(niceDomain(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)).toEqual([0, 1]);
    expect(niceDomain(Number.NaN, 0)).toEqual([0, 1]);
  });

  // Values below 1e-200 in size are taken as 0 (niceDomain treats spans under 1e-300 as a single value).
  const value = fc
    .double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true })
    .map((v) => (Math.abs(v) < 1e-200 ? 0 : v));
  prop.prop([value, value])('niceDomain(a, b) contains both and its ticks have distinct labels', (a, b) => {
    const [lo, hi] = niceDomain(a, b);
    // Up to float64 rounding of the step arithmetic, as in d3.
    const eps = 1e-12 * Math.max(1e-300, Math.abs(a), Math.abs(b));
    expect(lo).toBeLessThanOrEqual(Math.min(a, b) + eps);
    expect(hi).toBeGreaterThanOrEqual(Math.max(a, b) - eps);
    expect(hi).toBeGreaterThan(lo);
    const ticks = linearTicks(lo, hi, 5);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    const labels = tickLabels(ticks);
    expect(new Set(labels).size).toBe(labels.length);
  });
});

describe('tickLabels', () => {
  test('tickLabels(ticks) uses as many decimals as the step needs', () => {
    expect(tickLabels([0, 0.2, 0.4])).toEqual(['0.0', '0.2', '0.4']);
    expect(tickLabels([0, 5000, 10000])).toEqual(['0', '5000', '10000']);
    expect(tickLabels([0.1, 0.15, 0.2])).toEqual(['0.10', '0.15', '0.20']);
    expect(tickLabels([-0.5, 0, 0.5])).toEqual(['-0.5', '0.0', '0.5']);
    expect(tickLabels([0.25, 0.5, 0.75])).toEqual(['0.25', '0.50', '0.75']);
  });

  test('tickLabels(ticks) switches to scientific notation for tiny and huge values', () => {
    expect(tickLabels([2e-5, 4e-5, 6e-5])).toEqual(['2e-5', '4e-5', '6e-5']);
    expect(tickLabels([0, 2e6, 4e6])).toEqual(['0', '2e6', '4e6']);
    expect(tickLabels([1.2e6, 1.4e6])).toEqual(['1.2e6', '1.4e6']);
  });
});

describe('log axes', () => {
  test('logTicks(min, max) gives powers of ten, with 2 and 5 × 10^k over few decades', () => {
    expect(logTicks(0.0001, 10, 6)).toEqual([0.0001, 0.001, 0.01, 0.1, 1, 10]);
    expect(logTicks(0.15, 3)).toEqual([0.2, 0.5, 1, 2]);
    expect(logTicks(1e-9, 1e3, 4)).toEqual([1e-9, 1e-5, 0.1, 1000]);
  });

  test('logTicks within less than a decade falls back to linear ticks', () => {
    expect(logTicks(0.21, 0.29)).toEqual(linearTicks(0.21, 0.29, 5));
    expect(logTicks(0.17, 0.73)).toEqual([0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  });

  test('logDomain pads in log space, widens a single value and ignores non-positive values', () => {
    const [lo, hi] = logDomain(0.01, 1);
    expect(lo).toBeLessThan(0.01);
    expect(hi).toBeGreaterThan(1);
    expect(logDomain(2, 2)).toEqual([2 / 1.5, 3]);
    expect(logDomain(0, 0)).toEqual([0.1, 1]);
  });

  test('logTickLabels(ticks) writes each tick in its shortest form', () => {
    expect(logTickLabels([0.001, 0.01, 0.1, 1, 10])).toEqual(['0.001', '0.01', '0.1', '1', '10']);
    expect(logTickLabels([1e-7, 1e6])).toEqual(['1e-7', '1e6']);
  });
});
