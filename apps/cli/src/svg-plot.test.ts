import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { lineChartSvg, niceTicks } from './svg-plot.js';

describe('lineChartSvg', () => {
  test('lineChartSvg(series) draws one polyline per series with every finite point inside the plot', () => {
    const x = [1, 2, 3, 4, 5];
    const svg = lineChartSvg(
      [
        { name: 'train loss', x, y: [4, 2, 1, 0.5, 0.25] },
        { name: 'validation', x, y: [5, 3, Number.NaN, 1, 0.9] },
      ],
      { title: 'loss', xLabel: 'step', yLabel: 'loss' },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]+)"/g)].map((m) => m[1].split(' '));
    expect(lines.map((l) => l.length)).toEqual([5, 4]); // the NaN point is dropped
    for (const pts of lines) {
      for (const p of pts) {
        const [px, py] = p.split(',').map(Number);
        expect(px).toBeGreaterThanOrEqual(70);
        expect(px).toBeLessThanOrEqual(700);
        expect(py).toBeGreaterThanOrEqual(40);
        expect(py).toBeLessThanOrEqual(370);
      }
    }
    expect(svg).toContain('loss (log)');
    expect(svg).toContain('>train loss</text>');
  });

  test('lineChartSvg escapes text and uses a linear axis when some y ≤ 0', () => {
    const svg = lineChartSvg([{ name: 'a<b & "c"', x: [0, 1], y: [-1, 1] }], { yLabel: 'Δ' });
    expect(svg).toContain('a&#60;b &#38; &#34;c&#34;');
    expect(svg).not.toContain('(log)');
  });

  test('lineChartSvg draws a single point as a dot and copes with no data', () => {
    expect(lineChartSvg([{ name: 'one', x: [3], y: [2] }])).toContain('<circle');
    expect(lineChartSvg([])).toContain('</svg>');
  });

  test.prop([fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true })])(
    'niceTicks(lo, hi) gives increasing ticks inside [lo, hi] (spans above 1e-9 of |lo|, as chart axes have)',
    (lo, rawSpan) => {
      const span = Math.max(rawSpan, 1e-9 * Math.abs(lo));
      const hi = lo + span;
      const t = niceTicks(lo, hi);
      expect(t.length).toBeGreaterThan(0);
      for (let i = 0; i < t.length; i++) {
        expect(t[i]).toBeGreaterThanOrEqual(lo - span * 1e-6);
        expect(t[i]).toBeLessThanOrEqual(hi + span * 1e-6);
        if (i > 0) expect(t[i]).toBeGreaterThan(t[i - 1]);
      }
    },
  );
});
