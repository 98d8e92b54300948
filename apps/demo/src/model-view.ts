import { FIELD_MATCHER_OPTIONS, matchStructures, rmsDistance } from '@crys/eval';
import { knnGraph } from '@crys/graph';
import { type Crystal, chemicalFormula, createCrystal, parseFormula } from '@crys/lattice';
import type { StepInfo } from '@crys/model';
import uPlot from 'uplot';
import type { WorkerRequest, WorkerRequestBody, WorkerResponse } from './model-protocol.js';
import { CrystalViewer } from './viewer.js';

import { $, definitionRows } from './dom.js';

/** What a finished run left for the player. */
export interface Run {
  model: string;
  backend: string;
  milliseconds: number;
  frames: Crystal[];
  steps: StepInfo[];
  target: Crystal | null;
  rms: (number | null)[];
  verdict: { match: boolean; rms: number | null } | null;
}

let nextId = 1;
const pending = new Map<number, (r: WorkerResponse) => void>();
let worker: Worker | null = null;

function callWorker(req: WorkerRequestBody): Promise<WorkerResponse> {
  worker ??= new Worker(new URL('./model-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
    pending.get(e.data.id)?.(e.data);
    pending.delete(e.data.id);
  };
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker!.postMessage({ ...req, id } as WorkerRequest);
  });
}

/** Which job a shipped model does, from its name (`perov_5` predicts, `perov_5-denoise` relaxes, …). */
export function modelTask(name: string): 'structure' | 'denoise' | 'lattice' {
  if (name.endsWith('-denoise')) return 'denoise';
  if (name.endsWith('-lattice')) return 'lattice';
  return 'structure';
}

function sameMultiset(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const x = Array.from(a).sort((p, q) => p - q),
    y = Array.from(b).sort((p, q) => p - q);
  return x.every((v, i) => v === y[i]);
}

function expand(formula: string): number[] {
  const counts = parseFormula(formula);
  const z: number[] = [];
  for (const [el, n] of counts) for (let i = 0; i < n; i++) z.push(el);
  return z;
}

/** The model view: controls, a second 3D view, the step player, plots and the verdict. */
export class ModelView {
  readonly viewer: CrystalViewer;
  run: Run | null = null;
  private timer: number | null = null;
  private plots: uPlot[] = [];

  private readonly host: HTMLElement;
  private readonly current: () => { crystal: Crystal | null; name: string };
  private readonly onTrajectory: (frames: Crystal[]) => void;

  constructor(
    host: HTMLElement,
    models: string[],
    current: () => { crystal: Crystal | null; name: string },
    onTrajectory: (frames: Crystal[]) => void,
  ) {
    this.host = host;
    this.current = current;
    this.onTrajectory = onTrajectory;
    host.innerHTML = `
      <div class="model-grid">
        <div class="model-controls">
          <label>model <select id="m-model">${models.map((m) => `<option>${m}</option>`).join('')}</select></label>
          <label>steps <input id="m-steps" type="number" min="1" max="2000" value="" placeholder="model default" /></label>
          <label>seed <input id="m-seed" type="number" min="0" value="0" /></label>
          <label data-for="denoise">noise level t (the run anneals from t to 0)
            <input id="m-level" type="number" min="0.05" max="1" step="0.05" value="0.5" /></label>
          <label data-for="denoise"><input id="m-perturb" type="checkbox" checked /> perturb the crystal at t first (seeded)</label>
          <label data-for="structure">composition <input id="m-composition" type="text" placeholder="e.g. SrTiO3" /></label>
          <button id="m-run">Run</button>
          <span id="m-status" class="muted" role="status"></span>
          <p id="m-error" class="error" role="alert" hidden></p>
        </div>
        <div class="model-main">
        <div id="m-canvas" class="model-canvas"></div>
        <div class="player">
          <button id="m-play" disabled>▶ play</button>
          <input id="m-scrub" type="range" min="0" max="0" value="0" disabled />
          <output id="m-frame">–</output>
        </div>
        <dl id="m-step" class="step"></dl>
        <div id="m-verdict" class="verdict"></div>
        <div id="m-plots" class="plots"></div>
        </div>
      </div>`;
    this.viewer = new CrystalViewer($('m-canvas'));
    $('m-run').addEventListener('click', () => void this.start());
    $('m-play').addEventListener('click', () => this.togglePlay());
    $<HTMLInputElement>('m-scrub').addEventListener('input', (e) =>
      this.showFrame(Number((e.target as HTMLInputElement).value)),
    );
    $<HTMLSelectElement>('m-model').addEventListener('change', () => this.syncControls());
    this.syncControls();
  }

  /** Shows only the inputs the selected model's task uses, and fills the composition from the current crystal. */
  syncControls(): void {
    const task = modelTask($<HTMLSelectElement>('m-model').value);
    for (const el of this.host.querySelectorAll<HTMLElement>('[data-for]')) el.hidden = el.dataset.for !== task;
    const { crystal } = this.current();
    const comp = $<HTMLInputElement>('m-composition');
    if (crystal && !comp.value) comp.value = chemicalFormula(crystal);
  }

  private error(message: string | null): void {
    const el = $('m-error');
    el.hidden = message === null;
    el.textContent = message ?? '';
  }

  /** Runs the selected model in the worker and loads the result into the player. */
  async start(): Promise<Run | null> {
    this.error(null);
    this.stop();
    const model = $<HTMLSelectElement>('m-model').value;
    const task = modelTask(model);
    const stepsText = $<HTMLInputElement>('m-steps').value;
    const steps = stepsText ? Number(stepsText) : undefined;
    const seed = Number($<HTMLInputElement>('m-seed').value) || 0;
    const { crystal } = this.current();
    // Absolute, since the worker resolves relative URLs against its own script's location.
    const modelUrl = new URL(`${import.meta.env.BASE_URL}models/${model}/model.json`, location.href).href;
    let request: WorkerRequestBody;
    let target: Crystal | null = crystal;
    try {
      if (task === 'structure') {
        const formula = $<HTMLInputElement>('m-composition').value.trim();
        const atomicNumbers = expand(formula || (crystal ? chemicalFormula(crystal) : ''));
        if (atomicNumbers.length === 0) throw new Error('enter a composition, e.g. SrTiO3');
        if (!crystal || !sameMultiset(crystal.atomicNumbers, atomicNumbers)) {
          target = null; // no known structure for a composition other than the loaded crystal's
        }
        request = { kind: 'predict', model, modelUrl, atomicNumbers, seed, steps };
      } else {
        if (!crystal) throw new Error('load a crystal first');
        const level = Number($<HTMLInputElement>('m-level').value);
        const start = {
          lattice: Array.from(crystal.lattice),
          fracCoords: Array.from(crystal.fracCoords),
          atomicNumbers: Array.from(crystal.atomicNumbers),
        };
        const perturb = $<HTMLInputElement>('m-perturb').checked;
        request =
          task === 'denoise'
            ? {
                kind: 'relax',
                model,
                modelUrl,
                start,
                steps,
                startLevel: level,
                ...(perturb ? { perturb: { level, seed } } : {}),
              }
            : { kind: 'relax', model, modelUrl, start, steps, fromPrior: true };
      }
    } catch (e) {
      this.error((e as Error).message);
      return null;
    }
    $('m-status').textContent = `running ${model}…`;
    $<HTMLButtonElement>('m-run').disabled = true;
    const res = await callWorker(request);
    $<HTMLButtonElement>('m-run').disabled = false;
    if (!res.ok) {
      $('m-status').textContent = '';
      this.error(res.message);
      return null;
    }
    const frames = res.frames.map((f) =>
      createCrystal({ lattice: f.lattice, fracCoords: f.fracCoords, atomicNumbers: res.atomicNumbers }),
    );
    const rms = target ? frames.map((f) => rmsDistance(f, target!, FIELD_MATCHER_OPTIONS)?.rms ?? null) : [];
    const final = frames[frames.length - 1];
    const verdict = target ? matchStructures(final, target, FIELD_MATCHER_OPTIONS) : null;
    this.run = {
      model,
      backend: res.backend,
      milliseconds: res.milliseconds,
      frames,
      steps: res.steps,
      target,
      rms,
      verdict,
    };
    $('m-status').textContent =
      `${res.steps.length} steps in ${(res.milliseconds / 1000).toFixed(2)} s with ${res.backend}`;
    this.onTrajectory(frames);
    this.load();
    return this.run;
  }

  private load(): void {
    const run = this.run!;
    const scrub = $<HTMLInputElement>('m-scrub');
    scrub.max = String(run.frames.length - 1);
    scrub.disabled = false;
    $<HTMLButtonElement>('m-play').disabled = false;
    this.renderVerdict();
    this.renderPlots();
    this.showFrame(run.frames.length - 1, true);
  }

  /** Shows frame k (0 = the start) with its step's lattice action. */
  showFrame(k: number, resetCamera = false): void {
    const run = this.run;
    if (!run) return;
    const frame = run.frames[k];
    $<HTMLInputElement>('m-scrub').value = String(k);
    $('m-frame').textContent = k === 0 ? 'start' : `step ${k} / ${run.frames.length - 1}`;
    this.viewer.show(frame, knnGraph(frame, { k: 8 }), { showImages: false, showEdges: true }, resetCamera);
    const s = k > 0 ? run.steps[k - 1] : null;
    const rows: [string, string][] = s
      ? [
          ['noise level t', s.level.toFixed(3)],
          ['a, b, c (Å)', [s.a, s.b, s.c].map((x) => x.toFixed(4)).join(', ')],
          ['α, β, γ (°)', [s.alpha, s.beta, s.gamma].map((x) => x.toFixed(3)).join(', ')],
          ['lattice action |log g| (this step)', s.strain.toExponential(3)],
          ['RMS atom displacement (Å, this step)', s.displacement.toFixed(5)],
          ['RMS distance to target', run.rms[k] == null ? '–' : run.rms[k]!.toFixed(5)],
        ]
      : [
          ['start', chemicalFormula(frame)],
          ['RMS distance to target', run.rms[0] == null ? '–' : run.rms[0]!.toFixed(5)],
        ];
    $('m-step').innerHTML = definitionRows(rows, 'step');
  }

  private renderVerdict(): void {
    const run = this.run!;
    const el = $('m-verdict');
    const last = run.steps[run.steps.length - 1];
    const lattice = last
      ? `final a, b, c = <span data-final="abc">${[last.a, last.b, last.c].map((x) => x.toFixed(4)).join(', ')}</span> Å; α, β, γ = <span data-final="angles">${[last.alpha, last.beta, last.gamma].map((x) => x.toFixed(3)).join(', ')}</span>°`
      : '';
    if (!run.verdict) {
      el.innerHTML = `<p>No known structure to compare with (composition differs from the loaded crystal).</p><p>${lattice}</p>`;
      return;
    }
    const v = run.verdict;
    el.innerHTML = `<p><strong data-verdict="match">${v.match ? 'match' : 'no match'}</strong> against the loaded crystal
      (StructureMatcher stol 0.5, ltol 0.3, angle_tol 10), RMSE <span data-verdict="rms">${v.rms == null ? '–' : v.rms.toFixed(4)}</span></p><p>${lattice}</p>`;
  }

  private renderPlots(): void {
    for (const p of this.plots) p.destroy();
    this.plots = [];
    const run = this.run!;
    const host = $('m-plots');
    host.innerHTML = '';
    const x = run.frames.map((_, k) => k);
    const width = Math.min(520, host.clientWidth || 520);
    if (run.rms.length) {
      const div = document.createElement('div');
      host.appendChild(div);
      this.plots.push(
        new uPlot(
          {
            title: 'RMS distance to target (normalised, null = no match)',
            width,
            height: 180,
            scales: { x: { time: false } },
            series: [{ label: 'step' }, { label: 'rms', stroke: '#e8590c', width: 1.5 }],
          },
          [x, run.rms.map((r) => r ?? null) as number[]],
          div,
        ),
      );
    }
    const params = (key: 'a' | 'b' | 'c') => [null, ...run.steps.map((s) => s[key])] as number[];
    const div = document.createElement('div');
    host.appendChild(div);
    this.plots.push(
      new uPlot(
        {
          title: 'lattice lengths over steps (Å)',
          width,
          height: 180,
          scales: { x: { time: false } },
          series: [
            { label: 'step' },
            { label: 'a', stroke: '#4c6ef5' },
            { label: 'b', stroke: '#2f9e44' },
            { label: 'c', stroke: '#ae3ec9' },
          ],
        },
        [x, params('a'), params('b'), params('c')],
        div,
      ),
    );
  }

  private togglePlay(): void {
    if (this.timer !== null) {
      this.stop();
      return;
    }
    const run = this.run;
    if (!run) return;
    $('m-play').textContent = '❚❚ pause';
    let k = Number($<HTMLInputElement>('m-scrub').value);
    if (k >= run.frames.length - 1) k = 0;
    this.timer = window.setInterval(() => {
      this.showFrame(k);
      if (++k >= run.frames.length) this.stop();
    }, 80);
  }

  private stop(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    const play = document.getElementById('m-play');
    if (play) play.textContent = '▶ play';
  }
}
