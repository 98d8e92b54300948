import { fc } from '@fast-check/vitest';

/** A random cell: a reasonable basis (edges 1.5–6 Å), optionally re-expressed through integer shears. */
export const skewedLattice = fc
  .record({
    diag: fc.tuple(
      fc.double({ min: 1.5, max: 6, noNaN: true }),
      fc.double({ min: 1.5, max: 6, noNaN: true }),
      fc.double({ min: 1.5, max: 6, noNaN: true }),
    ),
    off: fc.array(fc.double({ min: -0.8, max: 0.8, noNaN: true }), { minLength: 6, maxLength: 6 }),
    shears: fc.array(
      fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: -3, max: 3 })),
      {
        maxLength: 4,
      },
    ),
  })
  .map(({ diag, off, shears }) => {
    const l = [diag[0], off[0], off[1], off[2], diag[1], off[3], off[4], off[5], diag[2]];
    for (const [r, c, q] of shears) {
      if (r === c) continue;
      for (let k = 0; k < 3; k++) l[3 * r + k] += q * l[3 * c + k];
    }
    return Float64Array.from(l);
  });

/** 1–5 atoms with fractional coordinates in [−1.5, 2.5) (deliberately not wrapped). */
export const fracCoords = fc
  .array(fc.double({ min: -1.5, max: 2.5, noNaN: true }), { minLength: 3, maxLength: 15 })
  .map((a) => Float64Array.from(a.slice(0, a.length - (a.length % 3))));

/** A random rotation matrix (row-major) from a unit quaternion. */
export const rotation = fc
  .tuple(
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
  )
  .filter(([a, b, c, d]) => a * a + b * b + c * c + d * d > 0.1)
  .map(([a, b, c, d]) => {
    const s = Math.hypot(a, b, c, d);
    const w = a / s,
      x = b / s,
      y = c / s,
      z = d / s;
    return Float64Array.of(
      1 - 2 * (y * y + z * z),
      2 * (x * y - z * w),
      2 * (x * z + y * w),
      2 * (x * y + z * w),
      1 - 2 * (x * x + z * z),
      2 * (y * z - x * w),
      2 * (x * z - y * w),
      2 * (y * z + x * w),
      1 - 2 * (x * x + y * y),
    );
  });
