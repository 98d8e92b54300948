// Scratch (module scope: the matcher solves thousands of small problems per crystal pair).
let u = new Float64Array(0);
let v = new Float64Array(0);
let p = new Int32Array(0);
let way = new Int32Array(0);
let minv = new Float64Array(0);
let used = new Uint8Array(0);

/**
 * Minimum-cost perfect matching on a square cost matrix (Hungarian algorithm with potentials, O(n³); Kuhn 1955,
 * Munkres 1957, in the shortest-augmenting-path form of Jonker & Volgenant 1987). `Infinity` marks a forbidden
 * pair. Returns the column assigned to each row, or null when no finite perfect matching exists.
 *
 * Legend: rows i = 1..n and columns j = 1..n (1-based inside, 0 is the virtual start column); u, v are the dual
 * potentials, p[j] the row matched to column j, way[j] the previous column on the augmenting path.
 */
export function linearAssignment(
  cost: Float64Array,
  n: number,
  out: Int32Array = new Int32Array(n),
): Int32Array | null {
  if (u.length < n + 1) {
    u = new Float64Array(n + 1);
    v = new Float64Array(n + 1);
    p = new Int32Array(n + 1);
    way = new Int32Array(n + 1);
    minv = new Float64Array(n + 1);
    used = new Uint8Array(n + 1);
  }
  u.fill(0, 0, n + 1);
  v.fill(0, 0, n + 1);
  p.fill(0, 0, n + 1);
  way.fill(0, 0, n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Number.POSITIVE_INFINITY, 0, n + 1);
    used.fill(0, 0, n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Number.POSITIVE_INFINITY;
      let j1 = -1;
      const row = (i0 - 1) * n - 1;
      const ui0 = u[i0];
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const c = cost[row + j];
        let m = minv[j];
        const cur = c === Number.POSITIVE_INFINITY ? c : c - ui0 - v[j];
        if (cur < m) {
          m = cur;
          minv[j] = cur;
          way[j] = j0;
        }
        if (m < delta) {
          delta = m;
          j1 = j;
        }
      }
      if (j1 < 0 || delta === Number.POSITIVE_INFINITY) return null;
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  for (let j = 1; j <= n; j++) out[p[j] - 1] = j - 1;
  return out;
}
