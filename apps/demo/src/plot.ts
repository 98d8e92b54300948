import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { extentDomain, linearTicks, logDomain, logTickLabels, logTicks, niceDomain, tickLabels } from './ticks.js';

/** One line of a {@link linePlot}. */
export interface PlotSeries {
  label: string;
  stroke: string;
  /** One value per x; null leaves a gap. */
  values: (number | null)[];
  /** Draw a dot at each point (for sparse series such as validation records). */
  points?: boolean;
}

/** What {@link linePlot} draws. */
export interface PlotSpec {
  title: string;
  /** x axis label with its unit, e.g. `step`. */
  xLabel: string;
  /** y axis label with its unit, e.g. `RMS distance / (V/N)^⅓`. */
  yLabel: string;
  x: number[];
  series: PlotSeries[];
  width: number;
  height: number;
  /** Logarithmic y axis (non-positive values are left out). */
  logY?: boolean;
}

function positiveRange(values: readonly (number | null)[][]): [number, number] {
  let min = Number.POSITIVE_INFINITY,
    max = Number.NEGATIVE_INFINITY;
  for (const vs of values) {
    for (const v of vs) {
      if (v === null || !Number.isFinite(v) || !(v > 0)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return [min, max];
}

/**
 * A uPlot line chart whose axes have round ticks over a domain that fits the data (d3-style, see ticks.ts), a
 * single value or no data included, and labelled axes. The drawn tick labels are mirrored on the host element as
 * `data-x-ticks` / `data-y-ticks` (joined by `|`) so tests and assistive tools can read what the canvas shows.
 */
export function linePlot(host: HTMLElement, spec: PlotSpec): uPlot {
  const yDomain = spec.logY ? logDomain(...positiveRange(spec.series.map((s) => s.values))) : null;
  const countFor = (px: number, spacing: number) => Math.max(2, Math.round(px / spacing));
  const record = (axis: 'x' | 'y', labels: string[]) => {
    host.dataset[`${axis}Ticks`] = labels.join('|');
  };
  const opts: uPlot.Options = {
    title: spec.title,
    width: spec.width,
    height: spec.height,
    scales: {
      // uPlot asks for the range of the data (or of a zoom, dragged on the plot); a single value or no data gets an
      // interval around it.
      x: { time: false, range: (_u, min, max) => extentDomain(min, max) },
      y: spec.logY ? { distr: 3, log: 10, range: () => yDomain! } : { range: (_u, min, max) => niceDomain(min, max) },
    },
    axes: [
      {
        label: spec.xLabel,
        splits: (u, _i, min, max) => linearTicks(min, max, countFor(u.width, 90)),
        values: (_u, splits) => {
          const labels = tickLabels(splits);
          record('x', labels);
          return labels;
        },
      },
      {
        label: spec.yLabel,
        splits: (u, _i, min, max) =>
          spec.logY ? logTicks(min, max, countFor(u.height, 40)) : linearTicks(min, max, countFor(u.height, 40)),
        // Label every split (uPlot's default filter blanks some on log axes).
        filter: (_u, splits) => splits,
        values: (_u, splits) => {
          const labels = spec.logY ? logTickLabels(splits) : tickLabels(splits);
          record('y', labels);
          return labels;
        },
        // Wide enough for the longest label (uPlot's default of 50 px clips "0.00025" and "145000").
        size: (_u, values) => 24 + 7 * Math.max(3, ...(values ?? []).map((v) => v.length)),
      },
    ],
    series: [
      { label: spec.xLabel },
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: 1.5,
        spanGaps: s.points === true,
        points: { show: s.points === true, size: 5 },
      })),
    ],
  };
  const data = [spec.x, ...spec.series.map((s) => s.values)] as uPlot.AlignedData;
  return new uPlot(opts, data, host);
}
