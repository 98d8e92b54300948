/** A seeded pseudo-random generator. Deterministic across platforms for a given seed. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** The 128-bit state, to save and resume a sequence. */
  state(): [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seeded generator (sfc32, seeded through splitmix32), or one resumed from a saved `state()`.
 *
 * @example
 * const rng = createRng(42); rng.next(); // always the same number for seed 42
 */
export function createRng(seed: number | readonly [number, number, number, number]): Rng {
  let a: number, b: number, c: number, d: number;
  if (typeof seed === 'number') {
    const sm = splitmix32(Math.floor(seed) >>> 0);
    a = sm();
    b = sm();
    c = sm();
    d = sm();
  } else {
    [a, b, c, d] = seed.map((x) => x >>> 0) as [number, number, number, number];
  }
  let spare: number | null = null;
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  const next = (): number => (nextU32() * 2 ** 21 + (nextU32() >>> 11)) / 2 ** 53;
  return {
    next,
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    int(n: number) {
      return Math.floor(next() * n);
    },
    state() {
      return [a, b, c, d];
    },
  };
}
