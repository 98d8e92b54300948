import type uPlot from 'uplot';

import { $, definitionRows, escapeHtml } from './dom.js';
import { linePlot } from './plot.js';

/** One parsed training log: numeric series by name, against the step. */
export interface TrainingLog {
  series: Map<string, { steps: number[]; values: number[] }>;
  events: Record<string, unknown>[];
}

/**
 * Parses JSON lines from `crys train --json`: every object with a numeric `step` contributes each of its other
 * numeric fields as a series (prefixed by its `type`/`kind`/`event` when present, e.g. `valid.matchRate`).
 * Throws with the line number at fault.
 */
export function parseTrainingLog(text: string, source = 'log'): TrainingLog {
  const series = new Map<string, { steps: number[]; values: number[] }>();
  const events: Record<string, unknown>[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new Error(
        `${source}:${i + 1}:1: expected one JSON object per line, got ${JSON.stringify(line.slice(0, 60))}`,
      );
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new Error(`${source}:${i + 1}:1: expected a JSON object`);
    }
    const rec = obj as Record<string, unknown>;
    events.push(rec);
    const step = rec.step;
    if (typeof step !== 'number') continue;
    const prefix = [rec.type, rec.kind, rec.event, rec.split].find((x) => typeof x === 'string') as string | undefined;
    for (const [k, v] of Object.entries(rec)) {
      if (k === 'step' || typeof v !== 'number' || !Number.isFinite(v)) continue;
      const name = prefix ? `${prefix}.${k}` : k;
      let s = series.get(name);
      if (!s) {
        s = { steps: [], values: [] };
        series.set(name, s);
      }
      s.steps.push(step);
      s.values.push(v);
    }
  }
  return { series, events };
}

const SKIP = /(^|\.)(time|elapsed|elapsedSec|epoch|seconds|ms|timestamp|t)$/i;

/** Axis labels (with units where there are any) of the fields `crys train --json` writes; others use their name. */
const FIELD_LABELS: Record<string, string> = {
  loss: 'loss (atom + lattice)',
  atomLoss: 'atom loss',
  latticeLoss: 'lattice loss',
  gradNorm: 'gradient norm (global L2)',
  lr: 'learning rate',
  matchRate: 'match rate',
  rms: 'RMS distance / (V/N)^⅓',
};
const COLORS = ['#4c6ef5', '#e8590c', '#2f9e44', '#ae3ec9', '#1098ad', '#f08c00'];

/** A plot's worth of series: the same field from different record types (`train.loss`, `valid.loss`). */
export interface SeriesFamily {
  field: string;
  members: string[];
}

/**
 * Groups the series of a log into families by field (the part after the record type), keeping the first
 * appearance order; series with fewer than two points (the `start` record's sizes) are returned as `constants`.
 */
export function seriesFamilies(log: TrainingLog): { families: SeriesFamily[]; constants: [string, number][] } {
  const families = new Map<string, string[]>();
  const constants: [string, number][] = [];
  for (const [name, s] of log.series) {
    if (SKIP.test(name)) continue;
    if (s.values.length < 2) {
      constants.push([name, s.values[0]]);
      continue;
    }
    const field = name.slice(name.lastIndexOf('.') + 1);
    const members = families.get(field) ?? [];
    members.push(name);
    families.set(field, members);
  }
  return { families: [...families].map(([field, members]) => ({ field, members })), constants };
}

let shown: TrainingLog | null = null;
let plots: { plot: uPlot; host: HTMLElement }[] = [];

/** Wires the training-log view: file picker and log-scale switch → one chart per field. */
export function setupLogView(): void {
  $<HTMLInputElement>('log-file').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const f = input.files?.[0];
    if (!f) return;
    $('log-name').textContent = f.name;
    input.value = ''; // so that picking the same log again (a run still writing it) reads it again
    const err = $('log-error');
    err.hidden = true;
    try {
      showLog(parseTrainingLog(await f.text(), f.name));
    } catch (x) {
      err.textContent = (x as Error).message;
      err.hidden = false;
    }
  });
  $<HTMLInputElement>('log-logy').addEventListener('change', () => {
    if (shown) showLog(shown);
  });
  new ResizeObserver(() => {
    for (const { plot, host } of plots) plot.setSize({ width: plotWidth(host.parentElement!), height: 220 });
  }).observe($('log-plots'));
}

function plotWidth(container: HTMLElement): number {
  return Math.max(280, Math.min(760, container.clientWidth || 720));
}

/** Plots a parsed log: one chart per field, training and validation records of that field together. */
export function showLog(log: TrainingLog): void {
  shown = log;
  for (const { plot } of plots) plot.destroy();
  plots = [];
  const host = $('log-plots');
  host.innerHTML = '';
  const { families, constants } = seriesFamilies(log);
  const names = families.flatMap((f) => f.members);
  const summary = $('log-summary');
  summary.innerHTML = `<p>${log.events.length} records, ${names.length} series: ${escapeHtml(names.join(', '))}</p>`;
  if (constants.length) {
    summary.innerHTML += `<dl class="log-constants">${definitionRows(
      constants.map(([k, v]) => [k, Number.isInteger(v) ? String(v) : v.toPrecision(6)]),
      'constant',
    )}</dl>`;
  }
  const logY = $<HTMLInputElement>('log-logy').checked;
  for (const { field, members } of families) {
    const steps = [...new Set(members.flatMap((m) => log.series.get(m)!.steps))].sort((a, b) => a - b);
    const index = new Map(steps.map((s, i) => [s, i]));
    const div = document.createElement('div');
    div.className = 'plot';
    div.dataset.series = field;
    div.dataset.members = members.join(' ');
    host.appendChild(div);
    const series = members.map((m, k) => {
      const s = log.series.get(m)!;
      const values: (number | null)[] = new Array(steps.length).fill(null);
      for (let i = 0; i < s.steps.length; i++) values[index.get(s.steps[i])!] = s.values[i];
      // Sparse series (validation every few hundred steps) are drawn as joined dots.
      return { label: m, stroke: COLORS[k % COLORS.length], values, points: s.steps.length < steps.length / 4 };
    });
    const plot = linePlot(div, {
      title: field,
      xLabel: 'step',
      yLabel: FIELD_LABELS[field] ?? field,
      x: steps,
      series,
      width: plotWidth(host),
      height: 220,
      logY,
    });
    plots.push({ plot, host: div });
  }
}
