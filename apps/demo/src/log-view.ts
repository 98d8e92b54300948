import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { $ } from './dom.js';

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

/** Wires the training-log view: file picker → one uPlot chart per series family. */
export function setupLogView(): void {
  $<HTMLInputElement>('log-file').addEventListener('change', async (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (!f) return;
    const err = $('log-error');
    err.hidden = true;
    try {
      showLog(parseTrainingLog(await f.text(), f.name));
    } catch (x) {
      err.textContent = (x as Error).message;
      err.hidden = false;
    }
  });
}

/** Plots a parsed log. */
export function showLog(log: TrainingLog): void {
  const host = $('log-plots');
  host.innerHTML = '';
  const names = [...log.series.keys()].filter((n) => !SKIP.test(n));
  $('log-summary').textContent = `${log.events.length} records, ${names.length} series: ${names.join(', ')}`;
  for (const name of names) {
    const s = log.series.get(name)!;
    const div = document.createElement('div');
    div.className = 'plot';
    div.dataset.series = name;
    host.appendChild(div);
    new uPlot(
      {
        title: name,
        width: Math.min(720, host.clientWidth || 720),
        height: 220,
        scales: { x: { time: false } },
        series: [{ label: 'step' }, { label: name, stroke: '#4c6ef5', width: 1.5 }],
      },
      [s.steps, s.values],
      div,
    );
  }
}
