/// <reference lib="webworker" />
// Runs the shipped models off the main thread (tfjs wasm, falling back to cpu), so the page never freezes.
import { createCrystal, createRng } from '@crys/lattice';
import {
  type ActionModel,
  type ActionResult,
  fetchModel,
  initModelBackend,
  noiseCrystal,
  predictStructure,
  priorStart,
  relax,
  speciesIndices,
} from '@crys/model';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { WorkerRequest, WorkerResponse } from './model-protocol.js';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': simdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl,
});

let backend: Promise<string> | null = null;
const models = new Map<string, Promise<ActionModel>>();

function post(message: WorkerResponse): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(message);
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const req = event.data;
  try {
    backend ??= initModelBackend();
    const name = await backend;
    if (!models.has(req.model)) models.set(req.model, fetchModel(new URL(req.modelUrl, self.location.href)));
    const model = await models.get(req.model)!;
    const t0 = performance.now();
    let result: ActionResult;
    if (req.kind === 'relax') {
      let start = createCrystal(req.start);
      if (req.perturb) {
        const species = speciesIndices(model, start.atomicNumbers, 'demo');
        const rng = createRng(req.perturb.seed);
        const s = noiseCrystal(model.config.task, model.config.prior, start, species, req.perturb.level, rng);
        start = createCrystal({ lattice: s.lattice, fracCoords: s.frac, atomicNumbers: start.atomicNumbers });
      }
      if (req.fromPrior) start = priorStart(model, start);
      result = relax(model, start, { steps: req.steps, startLevel: req.startLevel, trajectory: true });
    } else {
      result = predictStructure(model, req.atomicNumbers, { seed: req.seed, steps: req.steps, trajectory: true });
    }
    post({
      id: req.id,
      ok: true,
      // relax and predictStructure run the network compiled to typed arrays (no tfjs ops); tfjs holds the weights.
      backend:
        model.network.inference === 'compiled' ? `the compiled network (tfjs ${name} for the weights)` : `tfjs ${name}`,
      milliseconds: performance.now() - t0,
      atomicNumbers: Array.from(result.crystal.atomicNumbers),
      frames: result.trajectory.map((c) => ({ lattice: Array.from(c.lattice), fracCoords: Array.from(c.fracCoords) })),
      steps: result.steps,
    });
  } catch (e) {
    post({ id: req.id, ok: false, message: (e as Error)?.message ?? String(e) });
  }
};
