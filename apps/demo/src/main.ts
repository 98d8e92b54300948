import { knnGraph, type PeriodicGraph, radiusGraph } from '@crys/graph';
import { readDatasetCsv, write } from '@crys/io';
import { type Crystal, CrysError, chemicalFormula, density, latticeParameters, volume } from '@crys/lattice';
import { setupLogView } from './log-view.js';
import { ModelView } from './model-view.js';
import type { ModelInfo } from './models.js';
import { FileReadError, formatExtensions, formatList, readCrystalFile } from './read-file.js';
import { describeSpaceGroup } from './space-group.js';
import { CrystalViewer, describeAtom, describeEdge } from './viewer.js';

import { $, definitionRows, escapeHtml } from './dom.js';

interface State {
  crystal: Crystal | null;
  name: string;
  graph: PeriodicGraph | null;
  trajectory: Crystal[] | null;
}
const state: State = { crystal: null, name: 'crystal', graph: null, trajectory: null };
const viewer = new CrystalViewer($('canvas'), $('legend'));
/** The value of the dataset menu's entry for a loaded file (its crystals are listed in the row menu). */
const FILE = '__file';
/** The last file loaded: its name, and its frames when it is a trajectory (a multi-frame XYZ). */
let loadedFile: { name: string; trajectory: Crystal[] | null } | null = null;
const datasets = new Map<string, { id: string; crystal: Crystal }[]>();

/** Shows a readable message (a ParseError names source:line:column) and keeps the page alive. */
export function showError(error: unknown, target = $('error')): void {
  const message =
    CrysError.isInstance(error) || error instanceof FileReadError
      ? error.message
      : `Unexpected error: ${String((error as Error)?.message ?? error)}`;
  target.textContent = message;
  target.hidden = false;
}

function clearError(target = $('error')): void {
  target.hidden = true;
  target.textContent = '';
}

function graphOptions(): { mode: 'cutoff' | 'knn'; cutoff: number; k: number } {
  const mode = (document.querySelector('input[name=mode]:checked') as HTMLInputElement).value as 'cutoff' | 'knn';
  return { mode, cutoff: Number($<HTMLInputElement>('cutoff').value), k: Number($<HTMLInputElement>('k').value) };
}

function buildGraph(crystal: Crystal): PeriodicGraph {
  const o = graphOptions();
  return o.mode === 'cutoff'
    ? radiusGraph(crystal, { cutoff: o.cutoff, distances: true, maxEdges: 200_000 })
    : knnGraph(crystal, { k: o.k, distances: true });
}

/**
 * Sets the crystal on show and redraws everything that depends on it; the model view follows it (a new composition,
 * the models that fit, no run of the previous crystal). `trajectory` is what the trajectory download offers.
 */
export function setCrystal(
  crystal: Crystal,
  name: string,
  resetCamera = true,
  trajectory: Crystal[] | null = null,
): void {
  state.crystal = crystal;
  state.name = name;
  state.trajectory = trajectory;
  $<HTMLButtonElement>('dl-trajectory').disabled = trajectory === null;
  render(resetCamera);
  modelView?.syncControls();
}

function render(resetCamera = false): void {
  const crystal = state.crystal;
  if (!crystal) return;
  clearError();
  try {
    state.graph = buildGraph(crystal);
  } catch (e) {
    state.graph = null;
    showError(e);
  }
  viewer.show(
    crystal,
    state.graph,
    { showImages: $<HTMLInputElement>('images').checked, showEdges: $<HTMLInputElement>('edges').checked },
    resetCamera,
  );
  renderInfo(crystal);
  renderGraphStats(crystal, state.graph);
}

function renderInfo(c: Crystal): void {
  const p = latticeParameters(c.lattice);
  const rows: [string, string][] = [
    ['name', state.name],
    ['formula', chemicalFormula(c)],
    ['atoms', String(c.atomicNumbers.length)],
    ['a, b, c (Å)', [p.a, p.b, p.c].map((x) => x.toFixed(4)).join(', ')],
    ['α, β, γ (°)', [p.alpha, p.beta, p.gamma].map((x) => x.toFixed(3)).join(', ')],
    ['volume (Å³)', volume(c.lattice).toFixed(3)],
    ['density (g/cm³)', density(c).toFixed(4)],
    ['space group', '…'],
  ];
  $('info').innerHTML = definitionRows(rows, 'info');
  void describeSpaceGroup(c).then((text) => {
    if (state.crystal === c) $('info').querySelector('[data-info="space group"]')!.textContent = text;
  });
}

function renderGraphStats(c: Crystal, g: PeriodicGraph | null): void {
  if (!g) {
    $('graph-stats').innerHTML = '';
    return;
  }
  const E = g.src.length,
    n = c.atomicNumbers.length;
  let selfLoops = 0;
  const pairs = new Map<string, number>();
  for (let e = 0; e < E; e++) {
    if (g.src[e] === g.dst[e]) selfLoops++;
    const key = `${g.src[e]}-${g.dst[e]}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  let multi = 0;
  for (const count of pairs.values()) if (count > 1) multi += count;
  const rows: [string, string][] = [
    ['edges', String(E)],
    ['mean degree', (E / n).toFixed(2)],
    ['image self-loops', String(selfLoops)],
    ['edges in multi-edges', String(multi)],
  ];
  $('graph-stats').innerHTML = definitionRows(rows, 'stat');
}

function showWarnings(warnings: readonly string[]): void {
  const list = $('warnings');
  list.innerHTML = warnings
    .slice(0, 20)
    .map((w) => `<li>${escapeHtml(w)}</li>`)
    .join('');
  if (warnings.length > 20) list.innerHTML += `<li>… and ${warnings.length - 20} more</li>`;
  list.hidden = warnings.length === 0;
}

/** Shows crystal k of the loaded file. */
function showFileRow(k: number): void {
  const rows = datasets.get(FILE)!;
  fillRows(rows, k);
  const name = rows.length > 1 ? `${loadedFile!.name} ${rows[k].id}` : loadedFile!.name;
  setCrystal(rows[k].crystal, name, true, loadedFile!.trajectory);
}

function fillRows(rows: readonly { id: string; crystal: Crystal }[], selected: number): void {
  const select = $<HTMLSelectElement>('row');
  select.innerHTML = rows
    .map((r, i) => `<option value="${i}">${escapeHtml(r.id)} — ${escapeHtml(chemicalFormula(r.crystal))}</option>`)
    .join('');
  select.value = String(selected);
}

/**
 * Reads a dropped or picked file with @crys/io (any format it knows, detected as the CLI does). The dataset menu
 * then names the file and the row menu lists its crystals; a multi-frame XYZ shows its last frame and offers the
 * frames as a trajectory. A bad file leaves the current crystal on show and says what is wrong.
 */
export async function loadFile(file: File): Promise<void> {
  try {
    const loaded = readCrystalFile(file.name, await file.text());
    const rows = loaded.crystals.map((crystal, i) => ({ id: loaded.names[i], crystal }));
    datasets.set(FILE, rows);
    const datasetSelect = $<HTMLSelectElement>('dataset');
    let option = datasetSelect.querySelector<HTMLOptionElement>(`option[value="${FILE}"]`);
    if (!option) {
      option = document.createElement('option');
      option.value = FILE;
      datasetSelect.prepend(option);
    }
    option.textContent = `file: ${file.name}`;
    datasetSelect.value = FILE;
    const trajectory = rows.length > 1 && /\.(ext)?xyz$/i.test(file.name);
    loadedFile = { name: file.name, trajectory: trajectory ? loaded.crystals : null };
    showFileRow(trajectory ? rows.length - 1 : 0);
    showWarnings(loaded.warnings);
  } catch (e) {
    showError(e);
  }
}

async function loadDataset(name: string): Promise<void> {
  if (!datasets.has(name)) {
    const text = await (await fetch(`${import.meta.env.BASE_URL}datasets/${name}.csv`)).text();
    const rows: { id: string; crystal: Crystal }[] = [];
    for (const row of readDatasetCsv(text, { source: `${name}.csv` })) rows.push({ id: row.id, crystal: row.crystal });
    datasets.set(name, rows);
  }
  const rows = datasets.get(name)!;
  fillRows(rows, 0);
  showWarnings([]);
  setCrystal(rows[0].crystal, `${name}/${rows[0].id}`);
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function wire(): void {
  for (const tab of document.querySelectorAll<HTMLButtonElement>('nav button')) {
    tab.addEventListener('click', () => selectView(tab.dataset.view!));
  }
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    const f = input.files?.[0];
    // Cleared once read: the dataset menu names the file on show, and picking the same file again (after editing
    // it) reads it again.
    if (!f) return;
    void loadFile(f).finally(() => {
      input.value = '';
    });
  });
  // Files can be dropped on the drop zone or anywhere on the 3D view.
  for (const target of [$('drop'), $('view-structure')]) {
    target.addEventListener('dragover', (e) => {
      e.preventDefault();
      target.classList.add('over');
    });
    target.addEventListener('dragleave', () => target.classList.remove('over'));
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      target.classList.remove('over');
      const f = e.dataTransfer?.files[0];
      if (f) void loadFile(f);
    });
  }
  $<HTMLSelectElement>('dataset').addEventListener('change', (e) => {
    const name = (e.target as HTMLSelectElement).value;
    if (name === FILE) showFileRow(0);
    else void loadDataset(name).catch(showError);
  });
  $('drop-formats').textContent = `reads ${formatExtensions()}`;
  $('drop-formats').title = formatList();
  $<HTMLSelectElement>('row').addEventListener('change', (e) => {
    const name = $<HTMLSelectElement>('dataset').value;
    const r = datasets.get(name)?.[Number((e.target as HTMLSelectElement).value)];
    if (!r) return;
    if (name === FILE) showFileRow(Number((e.target as HTMLSelectElement).value));
    else setCrystal(r.crystal, `${name}/${r.id}`);
  });
  const cutoff = $<HTMLInputElement>('cutoff'),
    k = $<HTMLInputElement>('k');
  cutoff.addEventListener('input', () => {
    $('cutoff-out').textContent = `${Number(cutoff.value).toFixed(1)} Å`;
    render();
  });
  k.addEventListener('input', () => {
    $('k-out').textContent = k.value;
    render();
  });
  for (const el of document.querySelectorAll<HTMLInputElement>('input[name=mode], #images, #edges')) {
    el.addEventListener('change', () => render());
  }
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-download]')) {
    b.addEventListener('click', () => {
      const kind = b.dataset.download!;
      try {
        if (kind === 'trajectory') {
          if (state.trajectory) {
            download(`${state.name.replace(/[^\w.-]+/g, '_')}-trajectory.extxyz`, write(state.trajectory, 'extxyz'));
          }
        } else if (state.crystal) {
          const ext = kind === 'poscar' ? 'vasp' : kind;
          download(`${state.name.replace(/[^\w.-]+/g, '_')}.${ext}`, write(state.crystal, kind));
        }
      } catch (e) {
        showError(e);
      }
    });
  }
  viewer.onHover = (h) => {
    const tip = $('tooltip');
    if (!h || !state.crystal) {
      tip.hidden = true;
      return;
    }
    tip.textContent =
      h.kind === 'atom'
        ? describeAtom(state.crystal, h.index, h.image)
        : state.graph
          ? describeEdge(state.crystal, state.graph, h.index)
          : '';
    tip.hidden = false;
  };
}

declare const __CRYS_MODELS__: ModelInfo[];
let modelView: ModelView | null = null;

function ensureModelView(): ModelView {
  modelView ??= new ModelView(
    $('model-panel'),
    __CRYS_MODELS__,
    () => ({ crystal: state.crystal, name: state.name }),
    (frames) => {
      state.trajectory = frames;
      $<HTMLButtonElement>('dl-trajectory').disabled = false;
    },
  );
  return modelView;
}

/** Switches between the three views. */
export function selectView(view: string): void {
  for (const tab of document.querySelectorAll<HTMLButtonElement>('nav button')) {
    tab.setAttribute('aria-selected', String(tab.dataset.view === view));
  }
  for (const v of ['structure', 'model', 'log']) $(`view-${v}`).hidden = v !== view;
  if (view === 'structure') viewer.requestRender();
  if (view === 'model') {
    const mv = ensureModelView();
    mv.syncControls();
    mv.viewer.requestRender();
  }
}

wire();
setupLogView();
// Exposed for the browser test and for curious users in the console.
Object.assign(globalThis, { crys: { state, viewer, setCrystal, selectView, modelView: () => modelView } });
void loadDataset('perov_5').catch(showError);
