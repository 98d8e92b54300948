import type { StepInfo } from '@crys/model';

/** A request to the model worker: relax a given start, or predict a structure for a composition. */
export type WorkerRequest =
  | {
      id: number;
      kind: 'relax';
      model: string;
      modelUrl: string;
      start: { lattice: number[]; fracCoords: number[]; atomicNumbers: number[] };
      /** Perturb the start first, as @crys/model's denoising task does (level t in (0, 1], seeded). */
      perturb?: { level: number; seed: number };
      /** Start from the model's prior cell with the crystal's fractional coordinates (lattice recovery). */
      fromPrior?: boolean;
      steps?: number;
      startLevel?: number;
    }
  | {
      id: number;
      kind: 'predict';
      model: string;
      modelUrl: string;
      atomicNumbers: number[];
      seed: number;
      steps?: number;
    };

/** The worker's answer: every frame of the trajectory (the start first) and per-step information. */
export type WorkerResponse =
  | {
      id: number;
      ok: true;
      /** What ran the network, e.g. `the compiled network (tfjs wasm for the weights)`. */
      backend: string;
      milliseconds: number;
      atomicNumbers: number[];
      frames: { lattice: number[]; fracCoords: number[] }[];
      steps: StepInfo[];
    }
  | { id: number; ok: false; message: string };

/** A request before the worker client numbers it. */
export type WorkerRequestBody = WorkerRequest extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;
