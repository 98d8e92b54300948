import { createKnnVerletList, knnGraphFromArrays } from '@crys/graph';
import { bench, describe } from 'vitest';

// A moving crystal, as in an action model's sampler: 20 steps of a jittered fcc crystal (~1k and ~10k atoms), each
// step moving every atom by up to 0.05 Å and straining the cell by up to 0.2 %, coordinates never wrapped. The kNN
// graph (k = 16, ties kept) of every step, from a Verlet list with a 1 Å skin beside a fresh build per step.
// The geometries are built once, outside the timed functions.
const K = 16,
  STEPS = 20;

function trajectory(cells: number): { lattices: Float64Array[]; fracs: Float64Array[] } {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const a = 3.6 * cells;
  const basis = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5];
  const n = 4 * cells ** 3;
  let x = new Float64Array(3 * n);
  let k = 0;
  for (let i = 0; i < cells; i++)
    for (let j = 0; j < cells; j++)
      for (let l = 0; l < cells; l++)
        for (let b = 0; b < 4; b++, k++) {
          x[3 * k] = (i + basis[3 * b] + 0.02 * rnd()) / cells;
          x[3 * k + 1] = (j + basis[3 * b + 1] + 0.02 * rnd()) / cells;
          x[3 * k + 2] = (l + basis[3 * b + 2] + 0.02 * rnd()) / cells;
        }
  let lattice = Float64Array.of(a, 0, 0, 0, a, 0, 0, 0, a);
  const lattices = [lattice],
    fracs = [x];
  for (let s = 1; s < STEPS; s++) {
    x = x.map((v) => v + (0.1 / a) * rnd());
    lattice = lattice.map((v, q) => v + a * 0.004 * rnd() * (q % 4 === 0 ? 1 : 0.5));
    lattices.push(lattice);
    fracs.push(x);
  }
  return { lattices, fracs };
}

const t1k = trajectory(6); // 864 atoms
const t10k = trajectory(14); // 10 976 atoms

function verlet(t: ReturnType<typeof trajectory>): number {
  const list = createKnnVerletList(t.lattices[0], t.fracs[0], { k: K, skin: 1, ties: 'keep' });
  let edges = 0;
  for (let s = 0; s < STEPS; s++) edges += list.update(t.lattices[s], t.fracs[s]).src.length;
  return edges;
}

function fresh(t: ReturnType<typeof trajectory>): number {
  let edges = 0;
  for (let s = 0; s < STEPS; s++)
    edges += knnGraphFromArrays(t.lattices[s], t.fracs[s], K, { ties: 'keep', vectors: true }).src.length;
  return edges;
}

describe(`kNN graph (k = ${K}, ties kept) of ${STEPS} steps of a moving crystal`, () => {
  bench('KnnVerletList.update per step (skin 1 Å), 864 atoms', () => {
    verlet(t1k);
  });
  bench('fresh knnGraphFromArrays per step, 864 atoms', () => {
    fresh(t1k);
  });
  bench(
    'KnnVerletList.update per step (skin 1 Å), 10 976 atoms',
    () => {
      verlet(t10k);
    },
    { iterations: 5 },
  );
  bench(
    'fresh knnGraphFromArrays per step, 10 976 atoms',
    () => {
      fresh(t10k);
    },
    { iterations: 5 },
  );
});
