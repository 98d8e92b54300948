import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { createCrystal, createRng } from '@crys/lattice';
import { beforeAll, describe, expect, test } from 'vitest';
import { datasetRows, useBackend } from '../test/helpers.js';
import { buildInputs, disposeInputs, modelGraph, type NetworkState } from './batch.js';
import {
  type ActionModel,
  createModel,
  defaultModelConfig,
  disposeModel,
  loadModel,
  type ModelJson,
  modelGraphSpec,
} from './model.js';
import type { NetworkActions } from './network.js';
import { type ActionResult, randomStart, relaxMany } from './sampler.js';

const modelText = (name: string) => readFileSync(new URL(`../models/${name}/model.json`, import.meta.url), 'utf8');
// the shipped perov_5 and carbon_24 of 2026-11-26, whose actions network-outputs.json recorded before the network
// moved to @crys/egnn (the shipped files have since been replaced by newer models)
const previousModelText = (name: string) =>
  readFileSync(new URL(`../test/fixtures/previous-${name}-model.json`, import.meta.url), 'utf8');

/**
 * ActionNetwork.forward outputs of the shipped models on a batch of states (levels 0.9, 0.35, 0.05), recorded with
 * the network as @crys/model assembled it before it became an @crys/egnn Egnn.
 */
interface Recorded {
  readonly cases: readonly {
    readonly model: 'perov_5' | 'carbon_24';
    readonly states: readonly NetworkState[];
    readonly atoms: readonly number[];
    readonly lattice: readonly number[];
  }[];
}
const recorded: Recorded = JSON.parse(
  readFileSync(new URL('../test/fixtures/network-outputs.json', import.meta.url), 'utf8'),
);

/** max |a − b| / max(1, max |b|). */
function scaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

/** The actions of `states` by the given pass. */
function actions(model: ActionModel, states: readonly NetworkState[], pass: 'compiled' | 'tfjs'): NetworkActions {
  const graphs = states.map((s) => modelGraph(s.lattice, s.frac, modelGraphSpec(model.config)));
  model.network.inference = pass;
  return model.network.actions(states, graphs);
}

/** Largest difference of final lattices (Å) and fractional coordinates (periodic) between two runs. */
function runDiff(a: readonly ActionResult[], b: readonly ActionResult[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].crystal;
    const y = b[i].crystal;
    for (let q = 0; q < 9; q++) d = Math.max(d, Math.abs(x.lattice[q] - y.lattice[q]));
    for (let q = 0; q < x.fracCoords.length; q++) {
      const f = Math.abs(x.fracCoords[q] - y.fracCoords[q]);
      d = Math.max(d, Math.min(f, 1 - f));
    }
  }
  return d;
}

beforeAll(async () => {
  await useBackend();
});

describe('ActionNetwork on the shipped models', () => {
  const models = new Map<string, ActionModel>();
  const shipped = (name: string) => {
    let m = models.get(name);
    if (m === undefined) {
      m = loadModel(modelText(name));
      models.set(name, m);
    }
    return m;
  };

  test('loadModel of the previous perov_5 and carbon_24 reproduces the actions recorded before the network moved to @crys/egnn, by the tfjs and the compiled pass', () => {
    expect(recorded.cases.map((c) => c.model)).toEqual(['perov_5', 'carbon_24']);
    for (const c of recorded.cases) {
      const model = loadModel(previousModelText(c.model));
      // The same weights and tfjs ops as before: equal to the last bit on the backend they were recorded on.
      const tfjs = actions(model, c.states, 'tfjs');
      expect(scaledDiff(tfjs.atoms, c.atoms)).toBeLessThan(1e-6);
      expect(scaledDiff(tfjs.lattice, c.lattice)).toBeLessThan(1e-6);
      // The compiled pass sums in another order (and partly in float64): float32 rounding.
      const compiled = actions(model, c.states, 'compiled');
      expect(scaledDiff(compiled.atoms, c.atoms)).toBeLessThan(2e-5);
      expect(scaledDiff(compiled.lattice, c.lattice)).toBeLessThan(2e-5);
      expect(scaledDiff(compiled.atoms, c.atoms)).toBeGreaterThan(0);
      disposeModel(model);
    }
  });

  test('createModel(config) has the weights of a shipped model file: the same names, shapes and order', () => {
    for (const name of ['perov_5', 'carbon_24-denoise']) {
      const doc = JSON.parse(modelText(name)) as ModelJson;
      const model = createModel(doc.config, 0);
      try {
        const created = [...model.weights].map(([n, v]) => ({ name: n, shape: v.shape }));
        expect(created).toEqual(doc.weights.map((w) => ({ name: w.name, shape: w.shape })));
      } finally {
        disposeModel(model);
      }
    }
  });

  test('relaxMany through the compiled pass equals the tfjs pass over 12 steps on perov_5 and carbon_24 val crystals and random starts', () => {
    const rng = createRng(11);
    for (const name of ['perov_5', 'carbon_24'] as const) {
      const model = shipped(name);
      const rows = datasetRows(name, 3).map((r) => r.crystal);
      const noisy = rows.map((c) =>
        createCrystal({
          lattice: c.lattice,
          fracCoords: Float64Array.from(c.fracCoords, (x) => x + 0.03 * rng.normal()),
          atomicNumbers: c.atomicNumbers,
        }),
      );
      const starts = [...noisy, randomStart(model, rows[0].atomicNumbers, 5)];
      const run = (pass: 'compiled' | 'tfjs') => {
        model.network.inference = pass;
        return [
          ...relaxMany(model, starts, { steps: 12, startLevel: 0.6 }),
          ...relaxMany(model, [starts[0]], { steps: 12, startLevel: 1, eta: 0.5, noiseSeed: 2 }),
        ];
      };
      const tfjs = run('tfjs');
      const compiled = run('compiled');
      // Å and fractional units: float32 rounding of the actions carried through 12 steps (5e-7 when written for the
      // k-nearest models; 1.3e-5 for the cutoff-graph perov_5 of 2026-12-04, whose sums run over ~38 edges per atom
      // and whose soft degrees are float32 in the tfjs pass, float64 in the compiled one).
      expect(runDiff(compiled, tfjs)).toBeLessThan(5e-5);
      for (const r of compiled) expect(Math.max(...r.steps.map((x) => x.displacement))).toBeGreaterThan(1e-3);
    }
  });

  test('ActionNetwork.actions compiles again after a weight is assigned, and leaves no tensors behind', () => {
    const model = loadModel(modelText('perov_5'));
    try {
      const states = recorded.cases[0].states;
      const before = actions(model, states, 'compiled');
      const tensors = tf.memory().numTensors;
      actions(model, states, 'compiled');
      actions(model, states, 'tfjs');
      expect(tf.memory().numTensors).toBe(tensors);
      const head = model.weights.get('head/head2') as tf.Variable;
      head.assign(tf.tidy(() => tf.mul(head, 2)));
      const after = actions(model, states, 'compiled');
      expect(scaledDiff(after.atoms, before.atoms)).toBeGreaterThan(1e-3);
      const tfjs = actions(model, states, 'tfjs');
      expect(scaledDiff(after.atoms, tfjs.atoms)).toBeLessThan(2e-5);
      expect(scaledDiff(after.lattice, tfjs.lattice)).toBeLessThan(2e-5);
    } finally {
      disposeModel(model);
    }
  });

  test('ActionNetwork.inference accepts only compiled and tfjs', () => {
    const model = shipped('perov_5');
    model.network.inference = 'tfjs';
    expect(() => {
      model.network.inference = 'webgl' as 'tfjs';
    }).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: ActionNetwork: inference must be 'compiled' or 'tfjs', got webgl]`,
    );
    expect(model.network.inference).toBe('tfjs');
    model.network.inference = 'compiled';
    expect(model.network.inference).toBe('compiled');
  });

  test('ActionNetwork.actions names a missing graph or graph without edge vectors', () => {
    const model = shipped('perov_5');
    const states = recorded.cases[0].states;
    const graphs = states.map((s) => modelGraph(s.lattice, s.frac, model.config.k));
    expect(() => model.network.actions(states, graphs.slice(1))).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: ActionNetwork.actions: graphs must hold one graph per state (3), got 2]`,
    );
    const bare = { ...graphs[1], vectors: undefined };
    expect(() => model.network.actions(states, [graphs[0], bare, graphs[2]])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: ActionNetwork.actions: graphs[1] must carry its edge vectors (as modelGraph builds them)]`,
    );
  });

  test('the tfjs pass of ActionNetwork.actions equals forward on buildInputs', () => {
    const model = shipped('carbon_24');
    const states = recorded.cases[1].states;
    const inputs = buildInputs(states, modelGraphSpec(model.config));
    const want = tf.tidy(() => model.network.forward(inputs).atoms.dataSync());
    disposeInputs(inputs);
    expect(scaledDiff(actions(model, states, 'tfjs').atoms, want)).toBe(0);
  });
});

describe("ActionNetwork on a 'cutoff' graph", () => {
  const species = [8, 22, 38];
  const make = (graph: 'knn' | 'cutoff') => {
    const base = defaultModelConfig('structure', species, graph);
    // k = 12: this cell's 12-nearest sets change as the O below moves (at k = 16 they happen not to)
    return createModel({ ...base, network: { ...base.network, graph, cutoff: 5 }, k: 12 }, 3);
  };
  /** SrTiO3 (a = 3.9 Å) with Sr slightly off its corner and one O at (x, ½, ½) instead of (0, ½, ½). */
  const perovskite = (x: number): NetworkState => ({
    lattice: [3.9, 0, 0, 0, 3.9, 0, 0, 0, 3.9],
    frac: [0.03, 0.02, 0.01, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, x, 0.5, 0.5],
    atomicNumbers: [38, 22, 8, 8, 8],
    level: 0.3,
  });

  test('modelGraphSpec gives { cutoff } and the model runs on the radius multigraph', () => {
    const model = make('cutoff');
    try {
      expect(modelGraphSpec(model.config)).toEqual({ cutoff: 5 });
      const s = perovskite(0);
      const g = modelGraph(s.lattice, s.frac, modelGraphSpec(model.config));
      const v = g.vectors as Float64Array;
      for (let e = 0; e < g.src.length; e++) expect(Math.hypot(v[3 * e], v[3 * e + 1], v[3 * e + 2])).toBeLessThan(5);
      expect(g.src.length).toBeGreaterThan(16 * 5);
    } finally {
      disposeModel(model);
    }
  });

  test('the compiled pass equals the tfjs pass, and forward needs the envelope weights buildInputs gives', () => {
    const model = make('cutoff');
    try {
      const rows = datasetRows('perov_5', 4).map((r) => r.crystal);
      const rng = createRng(5);
      const states = rows.map((c, i) => ({
        lattice: c.lattice,
        frac: Float64Array.from(c.fracCoords, (x) => x + 0.05 * rng.normal()),
        atomicNumbers: c.atomicNumbers,
        level: 0.2 * i + 0.1,
      }));
      const tfjs = actions(model, states, 'tfjs');
      const compiled = actions(model, states, 'compiled');
      expect(scaledDiff(compiled.atoms, tfjs.atoms)).toBeLessThan(2e-5);
      expect(scaledDiff(compiled.lattice, tfjs.lattice)).toBeLessThan(2e-5);
      expect(Math.max(...tfjs.atoms.map(Math.abs))).toBeGreaterThan(1e-3);
      const bare = buildInputs(states, 16);
      try {
        expect(() => tf.tidy(() => model.network.forward(bare).atoms)).toThrow(
          /x.weighting is required on a 'cutoff' graph/,
        );
      } finally {
        disposeInputs(bare);
      }
    } finally {
      disposeModel(model);
    }
  });

  test('an atom crossing the cutoff changes the actions continuously on a cutoff graph; a knn graph jumps', () => {
    // As the last O moves along a, some distance crosses 5 Å (the cutoff graph gains or loses an edge) or the
    // k-nearest ranking changes: the actions just before and after the change of the edge set are compared.
    const jump = (model: ActionModel, states: readonly NetworkState[]) => {
      model.network.inference = 'compiled';
      const [a, b] = states.map((s) =>
        model.network.actions([s], [modelGraph(s.lattice, s.frac, modelGraphSpec(model.config))]),
      );
      // the change relative to the actions' size
      const size = Math.max(...Array.from(a.atoms, Math.abs));
      let change = 0;
      for (let i = 0; i < a.atoms.length; i++) change = Math.max(change, Math.abs(b.atoms[i] - a.atoms[i]));
      return change / size;
    };
    /** The graph's edge set (src, dst, image), sorted. */
    const edgeSet = (spec: ReturnType<typeof modelGraphSpec>, x: number) => {
      const s = perovskite(x);
      const g = modelGraph(s.lattice, s.frac, spec);
      return Array.from(g.src, (src, e) => `${src} ${g.dst[e]} ${g.image.subarray(3 * e, 3 * e + 3).join(' ')}`)
        .sort()
        .join(',');
    };
    /** The states either side of the first change of the edge set for x in [−0.15, 0.15], 1e-9 apart. */
    const crossing = (spec: ReturnType<typeof modelGraphSpec>): NetworkState[] => {
      for (let x = -0.15; x < 0.15; x += 1e-3) {
        const before = edgeSet(spec, x);
        if (edgeSet(spec, x + 1e-3) === before) continue;
        let lo = x;
        let hi = x + 1e-3;
        while (hi - lo > 1e-9) {
          const mid = (lo + hi) / 2;
          if (edgeSet(spec, mid) === before) lo = mid;
          else hi = mid;
        }
        return [perovskite(lo), perovskite(hi)];
      }
      throw new Error('no change of the edge set found');
    };
    const cutoff = make('cutoff');
    const knn = make('knn');
    try {
      expect(jump(cutoff, crossing(modelGraphSpec(cutoff.config)))).toBeLessThan(1e-4); // 0 here
      // 0.24 of the actions' size on this cell at initialisation
      expect(jump(knn, crossing(modelGraphSpec(knn.config)))).toBeGreaterThan(0.01);
    } finally {
      disposeModel(cutoff);
      disposeModel(knn);
    }
  });
});
