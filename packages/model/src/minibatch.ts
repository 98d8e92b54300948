import { createRng, type Rng } from '@crys/lattice';

/**
 * A generator whose whole state is its 128-bit sfc32 state (normal draws are not cached), so that a checkpoint's
 * `rngState` resumes it exactly.
 *
 * @example
 * const rng = plainRng(5); const again = plainRng(rng.state());
 */
export function plainRng(state: number | readonly [number, number, number, number]): Rng {
  const base = createRng(state);
  return {
    next: base.next,
    int: base.int,
    state: base.state,
    normal() {
      let u = 0;
      while (u === 0) u = base.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * base.next());
    },
  };
}

/**
 * 0 … n − 1 in a random order (Fisher–Yates, from the last position down).
 *
 * @example
 * shuffled(4, plainRng(1)); // a permutation of [0, 1, 2, 3]
 */
export function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Where a run is in its epochs: the current order of the training crystals and the next position in it. */
export interface EpochCursor {
  order: number[];
  position: number;
  epoch: number;
}

/**
 * The next training crystal of an epoch cursor: at the end of the order, a new epoch starts with a fresh
 * shuffle of the `n` crystals. Mutates `cursor`.
 *
 * @example
 * const cursor = { order: shuffled(8, rng), position: 0, epoch: 0 };
 * const i = nextIndex(cursor, 8, rng);
 */
export function nextIndex(cursor: EpochCursor, n: number, rng: Rng): number {
  if (cursor.position >= cursor.order.length) {
    cursor.order = shuffled(n, rng);
    cursor.position = 0;
    cursor.epoch++;
  }
  return cursor.order[cursor.position++];
}
