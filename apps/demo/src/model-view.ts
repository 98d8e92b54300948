import { FIELD_MATCHER_OPTIONS, type MatchResult, matchStructures, rmsDistance } from '@crys/eval';
import { knnGraph } from '@crys/graph';
import {
  type Crystal,
  chemicalFormula,
  createCrystal,
  elementSymbol,
  latticeParameters,
  parseFormula,
} from '@crys/lattice';
import type { StepInfo, TaskKind } from '@crys/model';
import type uPlot from 'uplot';
import type { WorkerRequest, WorkerRequestBody, WorkerResponse } from './model-protocol.js';
import {
  datasetName,
  type ModelInfo,
  modelMismatch,
  modelTask,
  noModelMessage,
  outsideDomain,
  pickModel,
  TASK_LABELS,
} from './models.js';
import { linePlot } from './plot.js';
import { describeSpaceGroup } from './space-group.js';
import { CrystalViewer } from './viewer.js';

import { $, definitionRows, escapeHtml } from './dom.js';

/** What a finished run left for the player. */
export interface Run {
  model: string;
  backend: string;
  milliseconds: number;
  frames: Crystal[];
  steps: StepInfo[];
  target: Crystal | null;
  rms: (number | null)[];
  verdict: MatchResult | null;
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

function sameMultiset(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const x = Array.from(a).sort((p, q) => p - q),
    y = Array.from(b).sort((p, q) => p - q);
  return x.every((v, i) => v === y[i]);
}

/** The atoms of a formula, elements in the order the formula writes them (parseFormula orders them by Z). */
function expand(formula: string): number[] {
  const counts = parseFormula(formula);
  const written = [...formula.matchAll(/[A-Z][a-z]?/g)].map((m) => m[0]);
  const rank = (z: number) => {
    const k = written.indexOf(elementSymbol(z));
    return k < 0 ? written.length : k;
  };
  const z: number[] = [];
  for (const [el, n] of [...counts].sort((a, b) => rank(a[0]) - rank(b[0]))) for (let i = 0; i < n; i++) z.push(el);
  return z;
}

/** The atoms of a typed composition, or null (with the reason) when it does not parse. */
function compositionAtoms(formula: string): { atoms: number[] | null; error: string | null } {
  if (!formula.trim()) return { atoms: null, error: null };
  try {
    return { atoms: expand(formula.trim()), error: null };
  } catch {
    return { atoms: null, error: `'${formula.trim()}' is not a chemical formula (write it like SrTiO3 or Ca4Ti4O12)` };
  }
}

/** One line on what a model does and what it was trained on. */
function describeModel(info: ModelInfo): string {
  const { config } = info;
  const d = config.domain;
  const atoms = d
    ? d.atoms.min === d.atoms.max
      ? `${d.atoms.min}`
      : `${d.atoms.min}–${d.atoms.max}`
    : `≤ ${config.maxAtoms}`;
  const crystals = d ? `${d.crystals} crystals of ` : '';
  return `${TASK_LABELS[config.task.kind]}; trained on ${crystals}${datasetName(info)} (${config.species.length} elements, ${atoms} atoms per cell)`;
}

/** The model view: controls, a second 3D view, the step player, plots and the verdict. */
export class ModelView {
  readonly viewer: CrystalViewer;
  run: Run | null = null;
  private timer: number | null = null;
  private plots: uPlot[] = [];

  private readonly host: HTMLElement;
  private readonly models: readonly ModelInfo[];
  private readonly current: () => { crystal: Crystal | null; name: string };
  private readonly onTrajectory: (frames: Crystal[]) => void;
  /** The model the user picked last (null until they pick one). */
  private chosen: string | null = null;
  /** The crystal the controls were last synced with (a new one resets the composition and clears the run). */
  private syncedCrystal: Crystal | null = null;

  constructor(
    host: HTMLElement,
    models: readonly ModelInfo[],
    current: () => { crystal: Crystal | null; name: string },
    onTrajectory: (frames: Crystal[]) => void,
  ) {
    this.host = host;
    this.models = models;
    this.current = current;
    this.onTrajectory = onTrajectory;
    const groups = (Object.keys(TASK_LABELS) as TaskKind[])
      .map((task) => {
        const options = models
          .filter((m) => modelTask(m) === task)
          .map((m) => `<option value="${escapeHtml(m.name)}">${escapeHtml(m.name)}</option>`)
          .join('');
        return options ? `<optgroup label="${escapeHtml(TASK_LABELS[task])}">${options}</optgroup>` : '';
      })
      .join('');
    host.innerHTML = `
      <div class="model-grid">
        <div class="model-controls">
          <label>model <select id="m-model"><option value="" disabled hidden>no model fits</option>${groups}</select></label>
          <p id="m-fit" class="muted" data-fit></p>
          <label>steps <input id="m-steps" type="number" min="1" max="2000" value="" placeholder="model default" /></label>
          <label>seed <input id="m-seed" type="number" min="0" value="0" /></label>
          <label data-for="denoise">noise level t (the run anneals from t to 0)
            <input id="m-level" type="number" min="0.05" max="1" step="0.05" value="0.5" /></label>
          <label data-for="denoise"><input id="m-perturb" type="checkbox" checked /> perturb the crystal at t first (seeded)</label>
          <label data-for="structure">composition <input id="m-composition" type="text" placeholder="e.g. SrTiO3" /></label>
          <p id="m-nomodel" class="error" role="alert" hidden></p>
          <ul id="m-domain" class="warnings" aria-label="outside the model's training domain" hidden></ul>
          <button id="m-run">Run</button>
          <span id="m-status" class="muted" role="status"></span>
          <p id="m-error" class="error" role="alert" hidden></p>
        </div>
        <div class="model-main">
        <div id="m-canvas" class="model-canvas"><ul id="m-legend" class="legend" aria-label="element colours"></ul></div>
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
    this.viewer = new CrystalViewer($('m-canvas'), $('m-legend'));
    $('m-run').addEventListener('click', () => void this.start());
    $('m-play').addEventListener('click', () => this.togglePlay());
    $<HTMLInputElement>('m-scrub').addEventListener('input', (e) =>
      this.showFrame(Number((e.target as HTMLInputElement).value)),
    );
    $<HTMLSelectElement>('m-model').addEventListener('change', () => {
      this.chosen = $<HTMLSelectElement>('m-model').value;
      this.syncControls();
    });
    $<HTMLInputElement>('m-composition').addEventListener('input', () => this.syncControls());
    new ResizeObserver(() => {
      const width = this.plotWidth();
      for (const p of this.plots) p.setSize({ width, height: 200 });
    }).observe($('m-plots'));
    this.syncControls();
  }

  private info(name: string): ModelInfo | undefined {
    return this.models.find((m) => m.name === name);
  }

  /**
   * Follows the loaded crystal: a new crystal resets the composition to its formula and clears the previous run.
   * Models that cannot take the input (elements outside their training set, too many atoms) are disabled with the
   * reason; the selection moves to a fitting model (the user's last choice, else one of its task), and when none
   * fits the page says why and Run is disabled. Shows only the inputs the selected model's task uses.
   */
  syncControls(): void {
    const { crystal } = this.current();
    const comp = $<HTMLInputElement>('m-composition');
    if (crystal !== this.syncedCrystal) {
      this.syncedCrystal = crystal;
      comp.value = crystal ? chemicalFormula(crystal) : '';
      this.clearRun();
    }
    const typed = compositionAtoms(comp.value);
    const inputFor = (task: TaskKind) =>
      task === 'structure' ? typed.atoms : crystal ? Array.from(crystal.atomicNumbers) : null;
    const select = $<HTMLSelectElement>('m-model');
    for (const option of select.options) {
      const m = this.info(option.value);
      if (!m) continue; // the "no model fits" placeholder
      const input = inputFor(modelTask(m));
      const why = input
        ? modelMismatch(m, input)
        : modelTask(m) === 'structure'
          ? 'enter a composition'
          : 'load a crystal';
      option.disabled = why !== null;
      option.textContent = why ? `${m.name} — ${why}` : m.name;
    }
    // The model the user chose last stays selected while it fits, and its task is preferred when it does not.
    const picked = pickModel(this.models, this.chosen ?? (select.value || null), inputFor);
    const noModel = $('m-nomodel');
    if (picked) {
      select.value = picked.name;
      noModel.hidden = true;
    } else {
      select.value = '';
      const atoms = typed.atoms ?? (crystal ? Array.from(crystal.atomicNumbers) : []);
      noModel.textContent =
        typed.error ??
        noModelMessage(this.models, comp.value.trim() || (crystal ? chemicalFormula(crystal) : ''), atoms);
      noModel.hidden = false;
    }
    $<HTMLButtonElement>('m-run').disabled = picked === null;
    const info = picked ? this.info(select.value) : undefined;
    const task = info ? modelTask(info) : 'structure';
    for (const el of this.host.querySelectorAll<HTMLElement>('[data-for]')) el.hidden = el.dataset.for !== task;
    $('m-fit').textContent = info ? describeModel(info) : '';
    // Inputs the model runs on but never saw in training (more atoms, another volume per atom): it extrapolates.
    const outside = info
      ? outsideDomain(
          info,
          task === 'structure' ? { atomicNumbers: typed.atoms ?? [] } : crystal ? crystal : { atomicNumbers: [] },
        )
      : [];
    const domain = $('m-domain');
    domain.innerHTML = outside.map((m) => `<li>${escapeHtml(m)}</li>`).join('');
    domain.hidden = outside.length === 0;
  }

  /** Forgets the last run (its frames, plots and verdict belong to the previous crystal). */
  private clearRun(): void {
    this.stop();
    this.run = null;
    for (const p of this.plots) p.destroy();
    this.plots = [];
    $('m-plots').innerHTML = '';
    $('m-verdict').innerHTML = '';
    $('m-step').innerHTML = '';
    $('m-status').textContent = '';
    $('m-frame').textContent = '–';
    const scrub = $<HTMLInputElement>('m-scrub');
    scrub.value = '0';
    scrub.max = '0';
    scrub.disabled = true;
    $<HTMLButtonElement>('m-play').disabled = true;
    this.viewer.clear();
    this.error(null);
  }

  private plotWidth(): number {
    return Math.max(260, Math.min(520, $('m-plots').clientWidth || 520));
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
    const info = this.info(model);
    if (!info) {
      this.error('no model fits this input (see above)');
      return null;
    }
    const task = modelTask(info);
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
        const formulaText = $<HTMLInputElement>('m-composition').value.trim();
        const typed = compositionAtoms(formulaText);
        if (typed.error) throw new Error(typed.error);
        const atomicNumbers = typed.atoms ?? [];
        if (atomicNumbers.length === 0) throw new Error('enter a composition, e.g. SrTiO3');
        const why = modelMismatch(info, atomicNumbers);
        if (why) throw new Error(`model ${model} cannot predict ${formulaText}: ${why}`);
        if (!crystal || !sameMultiset(crystal.atomicNumbers, atomicNumbers)) {
          target = null; // no known structure for a composition other than the loaded crystal's
        }
        request = { kind: 'predict', model, modelUrl, atomicNumbers, seed, steps };
      } else {
        if (!crystal) throw new Error('load a crystal first');
        const why = modelMismatch(info, crystal.atomicNumbers);
        if (why) throw new Error(`model ${model} cannot run on ${chemicalFormula(crystal)}: ${why}`);
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
    const startedOn = crystal;
    const res = await callWorker(request);
    $<HTMLButtonElement>('m-run').disabled = false;
    if (this.current().crystal !== startedOn) {
      // Another crystal was loaded while the model ran: its result belongs to the previous one.
      $('m-status').textContent = '';
      return null;
    }
    if (!res.ok) {
      $('m-status').textContent = '';
      this.error(`model ${model} could not run: ${res.message}`);
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
    const final = run.frames[run.frames.length - 1];
    const spaceGroups = `<p>space group: final <span data-spacegroup="final">…</span>${run.target ? `; loaded crystal <span data-spacegroup="target">…</span>` : ''} <span class="muted">(moyo, symprec 0.1 Å)</span></p>`;
    if (!run.verdict) {
      el.innerHTML = `<p>No known structure to compare with (the composition differs from the loaded crystal).</p><p>${lattice}</p>${spaceGroups}`;
    } else {
      const v = run.verdict;
      const word = (ok: boolean) => (ok ? 'match' : 'no match');
      const cls = (ok: boolean) => (ok ? 'ok' : 'bad');
      const rmsMatch = v.rms !== null;
      // The two verdicts `crys match` prints: pymatgen's fit (every site within stol) and the CSP papers' match
      // (get_rms_dist finds a mapping; what match rates count).
      el.innerHTML = `<p><strong data-verdict="match" class="${cls(v.match)}">${word(v.match)}</strong> (fit)
        · <strong data-verdict="rms-match" class="${cls(rmsMatch)}">${word(rmsMatch)}</strong> (CSP, get_rms_dist)
        · rms <span data-verdict="rms">${v.rms == null ? '–' : v.rms.toFixed(4)}</span>
        · max <span data-verdict="max">${v.maxDist == null ? '–' : v.maxDist.toFixed(4)}</span>
        <span class="muted">(normalised by (V/N)^⅓)</span></p>
        <p class="muted">against the loaded crystal; StructureMatcher ltol ${FIELD_MATCHER_OPTIONS.ltol}, stol ${FIELD_MATCHER_OPTIONS.stol}, angle_tol ${FIELD_MATCHER_OPTIONS.angleTol}, primitive cells, volumes scaled to each other</p>
        <p>${lattice}</p>${spaceGroups}`;
    }
    const fill = (key: string, crystal: Crystal) =>
      void describeSpaceGroup(crystal).then((text) => {
        const span = el.querySelector(`[data-spacegroup="${key}"]`);
        if (span && this.run === run) span.textContent = text;
      });
    fill('final', final);
    if (run.target) fill('target', run.target);
  }

  private renderPlots(): void {
    for (const p of this.plots) p.destroy();
    this.plots = [];
    const run = this.run!;
    const host = $('m-plots');
    host.innerHTML = '';
    const x = run.frames.map((_, k) => k);
    const width = this.plotWidth();
    const add = (name: string) => {
      const div = document.createElement('div');
      div.className = 'plot';
      div.dataset.plot = name;
      host.appendChild(div);
      return div;
    };
    if (run.rms.length) {
      this.plots.push(
        linePlot(add('rms'), {
          title: 'RMS distance to the loaded crystal',
          xLabel: 'step',
          yLabel: 'RMS / (V/N)^⅓',
          x,
          series: [{ label: 'rms (gap: no match)', stroke: '#e8590c', values: run.rms }],
          width,
          height: 200,
        }),
      );
    }
    const parameters = run.frames.map((f) => latticeParameters(f.lattice));
    const params = (key: 'a' | 'b' | 'c') => parameters.map((p) => p[key]);
    this.plots.push(
      linePlot(add('lengths'), {
        title: 'lattice lengths',
        xLabel: 'step',
        yLabel: 'length (Å)',
        x,
        series: [
          { label: 'a', stroke: '#4c6ef5', values: params('a') },
          { label: 'b', stroke: '#2f9e44', values: params('b') },
          { label: 'c', stroke: '#ae3ec9', values: params('c') },
        ],
        width,
        height: 200,
      }),
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
