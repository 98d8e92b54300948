import { radiusGraph } from '@crys/graph';
import { bench, describe } from 'vitest';

// Fixed inputs built once: an fcc-like random-jittered crystal of ~1k and ~10k atoms at 5 Å, with the naive
// all-pairs × 27-images reference beside the real kernel (1k only: it is O(N²)).
function crystal(cells: number) {
  const a = 3.6 * cells;
  const basis = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5];
  const n = 4 * cells ** 3;
  const frac = new Float64Array(3 * n);
  let k = 0,
    seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648 - 0.5) * 0.02;
  };
  for (let i = 0; i < cells; i++)
    for (let j = 0; j < cells; j++)
      for (let l = 0; l < cells; l++)
        for (let b = 0; b < 4; b++, k++) {
          frac[3 * k] = (i + basis[3 * b]) / cells + rnd() / cells;
          frac[3 * k + 1] = (j + basis[3 * b + 1]) / cells + rnd() / cells;
          frac[3 * k + 2] = (l + basis[3 * b + 2]) / cells + rnd() / cells;
        }
  return {
    lattice: Float64Array.of(a, 0, 0, 0, a, 0, 0, 0, a),
    fracCoords: frac,
    atomicNumbers: new Uint8Array(n).fill(29),
  };
}

function naive(c: ReturnType<typeof crystal>, rc: number): number {
  const l = c.lattice[0],
    x = c.fracCoords,
    n = x.length / 3;
  let e = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let a = -1; a <= 1; a++)
        for (let b = -1; b <= 1; b++)
          for (let d = -1; d <= 1; d++) {
            if (i === j && a === 0 && b === 0 && d === 0) continue;
            const dx = (x[3 * j] - x[3 * i] + a) * l,
              dy = (x[3 * j + 1] - x[3 * i + 1] + b) * l;
            const dz = (x[3 * j + 2] - x[3 * i + 2] + d) * l;
            if (dx * dx + dy * dy + dz * dz <= rc * rc) e++;
          }
  return e;
}

const c1k = crystal(6); // 864 atoms, 21.6 Å
const c10k = crystal(14); // 10 976 atoms

describe('radiusGraph at 5 Å', () => {
  bench('radiusGraph, 864 atoms', () => {
    radiusGraph(c1k, { cutoff: 5 });
  });
  bench(
    'naive all pairs × 27 images, 864 atoms',
    () => {
      naive(c1k, 5);
    },
    { iterations: 3 },
  );
  bench('radiusGraph, 10 976 atoms', () => {
    radiusGraph(c10k, { cutoff: 5 });
  });
});
