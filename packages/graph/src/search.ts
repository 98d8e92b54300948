import { determinant, planeSpacings } from '@crys/lattice';
import { buf, growBuffer, reserveEdges, usingWorkspace } from './edge-buffer.js';
import { EdgeBudgetError } from './errors.js';
import { reduceLattice } from './reduce.js';

/** Which neighbour search to run: per-pair sphere slicing, Cartesian cell lists, or a cost-based choice. *
 * @example
 * radiusGraph(crystal, { cutoff: 5, method: 'cells' }); // force the linear-time cell lists
 */
export type SearchMethod = 'auto' | 'pairs' | 'cells';

// Relative and absolute slack of the candidate search; every candidate is then checked exactly.
const SLACK = 1e-8;

const scratchH = new Float64Array(3);
let scratch = new Float64Array(0);
let ghostPos = new Float64Array(0);
let ghostSorted = new Float64Array(0);
let ghostInt = new Int32Array(0);
let ghostIntSorted = new Int32Array(0);
// Per sorted ghost: its image in the caller's basis less the home atom's shift, M·(τw − sh_j), and its atom's
// original fractional coordinates x_j, so an accepted pair reads them in ghost order instead of by atom.
let ghostShift = new Float64Array(0);
let ghostFrac = new Float64Array(0);
let ghostBin = new Int32Array(0);
let binStart = new Int32Array(0);
// The ghosts one home atom's rows of bins hold within the search radius, in scan order (at most every ghost once).
let candidates = new Int32Array(0);
// The search scratch above (≈ 48 B per atom and 125 B per periodic copy of an atom) is kept between builds up to this
// many atoms or copies; a larger one is released after the build, unless the build went into a caller's workspace
// (a loop of large builds), in which case it is kept until the next build without one.
const SEARCH_KEEP = 1 << 20;

function releaseSearchScratch(): void {
  if (scratch.length > 6 * SEARCH_KEEP) scratch = new Float64Array(0);
  if (ghostBin.length > SEARCH_KEEP) {
    ghostPos = new Float64Array(0);
    ghostSorted = new Float64Array(0);
    ghostInt = new Int32Array(0);
    ghostIntSorted = new Int32Array(0);
    ghostShift = new Float64Array(0);
    ghostFrac = new Float64Array(0);
    ghostBin = new Int32Array(0);
    candidates = new Int32Array(0);
  }
  if (binStart.length > 2 * SEARCH_KEEP) binStart = new Int32Array(0);
}

/**
 * Internal kernel: appends to the edge scratch every (i, j, τ) with |(x_j + τ − x_i)·L| ≤ cutoff, except
 * (i, i, 0), grouped by source i ascending. Inputs are assumed validated. Returns the number of edges.
 *
 * Legend: x original fractional coordinates (3n), L the original lattice; Lr = M·L a reduced basis, xr = x·M⁻¹,
 * xw = xr − ⌊xr⌋ ∈ [0, 1], sh = ⌊xr⌋; an image found as τw between wrapped atoms is τr = τw + sh_i − sh_j in the
 * reduced basis and τ = τr·M in the caller's basis. The final test |r| ≤ cutoff always uses x, τ and L.
 */
export function searchRadius(
  fn: string,
  lattice: ArrayLike<number>,
  x: ArrayLike<number>,
  n: number,
  cutoff: number,
  maxEdges: number,
  method: SearchMethod,
): number {
  if (n === 0) return 0;
  const vol = Math.abs(determinant(lattice));
  const estimate = (((n * n * 4 * Math.PI) / 3) * (cutoff * cutoff * cutoff)) / vol;
  if (estimate > maxEdges) throw new EdgeBudgetError(fn, estimate, maxEdges, true);
  if (estimate > 65536) reserveEdges(estimate);
  const red = reduceLattice(lattice);
  const lr = red.lattice;
  if (scratch.length < 6 * n) scratch = new Float64Array(6 * n);
  const xw = scratch; // [0, 3n): wrapped reduced coordinates; [3n, 6n): integer shifts
  const mi = red.minv;
  for (let a = 0; a < n; a++) {
    const x0 = x[3 * a],
      x1 = x[3 * a + 1],
      x2 = x[3 * a + 2];
    for (let c = 0; c < 3; c++) {
      const v = red.identity ? x[3 * a + c] : x0 * mi[c] + x1 * mi[3 + c] + x2 * mi[6 + c];
      const f = Math.floor(v);
      xw[3 * a + c] = v - f;
      xw[3 * n + 3 * a + c] = f;
    }
  }
  const rs = cutoff * (1 + SLACK) + SLACK;
  const h = planeSpacings(lr, scratchH);
  const rx = rs / h[0],
    ry = rs / h[1],
    rz = rs / h[2];
  let use = method;
  if (use === 'auto') use = pairsCost(n, rx, ry, estimate) < cellsCost(n, rx, ry, rz, estimate) ? 'pairs' : 'cells';
  if (use === 'pairs') searchPairs(lattice, x, n, cutoff, rs, red.identity, red.m, lr, xw);
  else searchCells(fn, lattice, x, n, cutoff, rs, red.identity, red.m, lr, xw, rx, ry, rz, maxEdges);
  if (!usingWorkspace()) releaseSearchScratch();
  return buf.length;
}

// The cost models of the two searches ('auto' runs the cheaper), in µs, for n atoms, a search radius of (rx, ry, rz)
// plane spacings of the reduced cell and about `edges` edges (the density estimate). Fitted (non-negative least
// squares, relative error) to CPU times of both searches into a workspace on perov_5 and carbon_24 val crystals
// (grouped by atom count, 5 to 24 atoms) and their 2³–4³ supercells, at cutoffs 3, 4, 5, 6.5 and 8 Å (75 groups):
// per-pair lines cost 4.4 ns, each periodic copy of an atom that the cell lists bin 30 ns. The rule they replaced
// (unit costs from an older cells search) ran the pairs search where the cells one was up to 2.1× faster (carbon_24
// 3³ at 6.5 Å; 64-atom carbon_24 2³ at 5 Å: 1.5×); summed over the 75 groups, the time above the faster search's
// went from 3.0 to 0.8 ms (of 157), no group more than 1.2× slower than with the faster search.
function pairsCost(n: number, rx: number, ry: number, edges: number): number {
  return 0.39 + 0.0044 * n * n * (2 * rx + 1) * (2 * ry + 1) + 0.0139 * edges;
}

function cellsCost(n: number, rx: number, ry: number, rz: number, edges: number): number {
  return 0.6 + 0.182 * n + 0.0301 * n * (1 + 2 * rx) * (1 + 2 * ry) * (1 + 2 * rz) + 0.0163 * edges;
}

/**
 * Per-pair sphere slicing, for small cells: for each pair (i, j) the images are enumerated line by line, the
 * τx range from the full quadratic form, the τy range from its restriction to τx, the τz range exactly, so
 * nearly every candidate is an edge. Work ∝ n² · lines + E.
 */
function searchPairs(
  l: ArrayLike<number>,
  x: ArrayLike<number>,
  n: number,
  cutoff: number,
  rs: number,
  identity: boolean,
  m: Float64Array,
  lr: Float64Array,
  xw: Float64Array,
): void {
  const l00 = l[0],
    l01 = l[1],
    l02 = l[2],
    l10 = l[3],
    l11 = l[4],
    l12 = l[5],
    l20 = l[6],
    l21 = l[7],
    l22 = l[8];
  const m00 = m[0],
    m01 = m[1],
    m02 = m[2],
    m10 = m[3],
    m11 = m[4],
    m12 = m[5],
    m20 = m[6],
    m21 = m[7],
    m22 = m[8];
  // Metric G = Lr·Lrᵀ, its Schur complements H (z eliminated) and K (y, z eliminated).
  const gxx = dot(lr, 0, 0),
    gyy = dot(lr, 1, 1),
    gzz = dot(lr, 2, 2);
  const gxy = dot(lr, 0, 1),
    gxz = dot(lr, 0, 2),
    gyz = dot(lr, 1, 2);
  const hxx = gxx - (gxz * gxz) / gzz,
    hxy = gxy - (gxz * gyz) / gzz,
    hyy = gyy - (gyz * gyz) / gzz;
  const k = hxx - (hxy * hxy) / hyy;
  const rs2 = rs * rs,
    rc2 = cutoff * cutoff;
  const bx = Math.sqrt(rs2 / k);
  let len = buf.length,
    limit = buf.limit;
  let oSrc = buf.src,
    oDst = buf.dst,
    oImg = buf.image,
    oDist = buf.dist,
    oVec = buf.vec,
    zeroed = buf.zeroed; // an image of (0, 0, 0) need not be written (see buf.zeroed)
  const withVec = buf.withVectors;
  const cy = -hxy / hyy,
    cz0 = -gxz / gzz,
    cz1 = -gyz / gzz;
  for (let i = 0; i < n; i++) {
    const wix = xw[3 * i],
      wiy = xw[3 * i + 1],
      wiz = xw[3 * i + 2];
    const six = xw[3 * n + 3 * i],
      siy = xw[3 * n + 3 * i + 1],
      siz = xw[3 * n + 3 * i + 2];
    const xi0 = x[3 * i],
      xi1 = x[3 * i + 1],
      xi2 = x[3 * i + 2];
    for (let j = 0; j < n; j++) {
      const dwx = xw[3 * j] - wix,
        dwy = xw[3 * j + 1] - wiy,
        dwz = xw[3 * j + 2] - wiz;
      const ox = six - xw[3 * n + 3 * j],
        oy = siy - xw[3 * n + 3 * j + 1],
        oz = siz - xw[3 * n + 3 * j + 2];
      const dx = x[3 * j] - xi0,
        dy = x[3 * j + 1] - xi1,
        dz = x[3 * j + 2] - xi2;
      const txHi = Math.floor(bx - dwx);
      for (let tx = Math.ceil(-bx - dwx); tx <= txHi; tx++) {
        const sx = dwx + tx;
        const rem1 = rs2 - k * sx * sx;
        if (rem1 < 0) continue;
        const wy = Math.sqrt(rem1 / hyy),
          y0 = cy * sx - dwy;
        const tyHi = Math.floor(y0 + wy);
        for (let ty = Math.ceil(y0 - wy); ty <= tyHi; ty++) {
          const sy = dwy + ty;
          const rem2 = rs2 - (hxx * sx * sx + 2 * hxy * sx * sy + hyy * sy * sy);
          if (rem2 < 0) continue;
          const wz = Math.sqrt(rem2 / gzz),
            z0 = cz0 * sx + cz1 * sy - dwz;
          const tzHi = Math.floor(z0 + wz);
          for (let tz = Math.ceil(z0 - wz); tz <= tzHi; tz++) {
            let t0 = tx + ox,
              t1 = ty + oy,
              t2 = tz + oz;
            if (!identity) {
              const a = t0,
                b = t1,
                c = t2;
              t0 = a * m00 + b * m10 + c * m20;
              t1 = a * m01 + b * m11 + c * m21;
              t2 = a * m02 + b * m12 + c * m22;
            }
            const fx = dx + t0,
              fy = dy + t1,
              fz = dz + t2;
            const vx = fx * l00 + fy * l10 + fz * l20;
            const vy = fx * l01 + fy * l11 + fz * l21;
            const vz = fx * l02 + fy * l12 + fz * l22;
            const d2 = vx * vx + vy * vy + vz * vz;
            if (d2 <= rc2 && (i !== j || t0 !== 0 || t1 !== 0 || t2 !== 0)) {
              if (len === limit) {
                buf.length = len;
                growBuffer();
                limit = buf.limit;
                oSrc = buf.src;
                oDst = buf.dst;
                oImg = buf.image;
                oDist = buf.dist;
                oVec = buf.vec;
                zeroed = buf.zeroed;
              }
              oSrc[len] = i;
              oDst[len] = j;
              if (!zeroed || t0 !== 0 || t1 !== 0 || t2 !== 0) {
                oImg[3 * len] = t0;
                oImg[3 * len + 1] = t1;
                oImg[3 * len + 2] = t2;
              }
              oDist[len] = Math.sqrt(d2);
              if (withVec) {
                oVec[3 * len] = vx;
                oVec[3 * len + 1] = vy;
                oVec[3 * len + 2] = vz;
              }
              len++;
            }
          }
        }
      }
    }
  }
  buf.length = len;
}

function dot(a: Float64Array, i: number, j: number): number {
  return a[3 * i] * a[3 * j] + a[3 * i + 1] * a[3 * j + 1] + a[3 * i + 2] * a[3 * j + 2];
}

/**
 * Cartesian cell lists, for large cells: every periodic copy of an atom that can lie within the cutoff of the
 * home cell (a "ghost") is put in cubic bins of side ≥ cutoff/2 over the home atoms' bounding box grown by the
 * cutoff; each home atom scans the rows of bins its sphere reaches, each row trimmed to the sphere's chord.
 * Work and memory ∝ n + ghosts + E.
 */
function searchCells(
  fn: string,
  l: ArrayLike<number>,
  x: ArrayLike<number>,
  n: number,
  cutoff: number,
  rs: number,
  identity: boolean,
  m: Float64Array,
  lr: Float64Array,
  xw: Float64Array,
  rx: number,
  ry: number,
  rz: number,
  maxEdges: number,
): void {
  const l00 = l[0],
    l01 = l[1],
    l02 = l[2],
    l10 = l[3],
    l11 = l[4],
    l12 = l[5],
    l20 = l[6],
    l21 = l[7],
    l22 = l[8];
  const m00 = m[0],
    m01 = m[1],
    m02 = m[2],
    m10 = m[3],
    m11 = m[4],
    m12 = m[5],
    m20 = m[6],
    m21 = m[7],
    m22 = m[8];
  const a00 = lr[0],
    a01 = lr[1],
    a02 = lr[2],
    a10 = lr[3],
    a11 = lr[4],
    a12 = lr[5],
    a20 = lr[6],
    a21 = lr[7];
  const a22 = lr[8];
  // Bounding box of the home atoms (Cartesian, reduced wrapped positions), grown by the search radius.
  let minX = Infinity,
    minY = Infinity,
    minZ = Infinity,
    maxX = -Infinity,
    maxY = -Infinity,
    maxZ = -Infinity;
  for (let a = 0; a < n; a++) {
    const u = xw[3 * a],
      v = xw[3 * a + 1],
      w = xw[3 * a + 2];
    const px = u * a00 + v * a10 + w * a20,
      py = u * a01 + v * a11 + w * a21,
      pz = u * a02 + v * a12 + w * a22;
    if (px < minX) minX = px;
    if (px > maxX) maxX = px;
    if (py < minY) minY = py;
    if (py > maxY) maxY = py;
    if (pz < minZ) minZ = pz;
    if (pz > maxZ) maxZ = pz;
  }
  minX -= rs;
  minY -= rs;
  minZ -= rs;
  maxX += rs;
  maxY += rs;
  maxZ += rs;
  // Ghost count upper bound from the per-axis image ranges, checked before allocating.
  let ghostBound = 0;
  for (let a = 0; a < n; a++) {
    const u = xw[3 * a],
      v = xw[3 * a + 1],
      w = xw[3 * a + 2];
    ghostBound +=
      (Math.floor(1 + rx - u) - Math.ceil(-rx - u) + 1) *
      (Math.floor(1 + ry - v) - Math.ceil(-ry - v) + 1) *
      (Math.floor(1 + rz - w) - Math.ceil(-rz - w) + 1);
  }
  if (ghostBound > 4 * maxEdges + 64 * n)
    throw new EdgeBudgetError(fn, ghostBound, 4 * maxEdges + 64 * n, true, 'periodic image copies');
  if (ghostPos.length < 3 * ghostBound) {
    ghostPos = new Float64Array(3 * ghostBound);
    ghostSorted = new Float64Array(3 * ghostBound);
    ghostInt = new Int32Array(4 * ghostBound);
    ghostIntSorted = new Int32Array(ghostBound);
    ghostShift = new Float64Array(3 * ghostBound);
    ghostFrac = new Float64Array(3 * ghostBound);
    ghostBin = new Int32Array(ghostBound);
    candidates = new Int32Array(ghostBound);
  }
  const ex = maxX - minX,
    ey = maxY - minY,
    ez = maxZ - minZ;
  // Bins of side ≥ rs/2 (the row trimming below keeps the scan close to the sphere), but never many more
  // bins than ghosts.
  let side = rs / 2;
  const maxBins = 2 * ghostBound + 64;
  while (
    Math.max(1, Math.floor(ex / side)) * Math.max(1, Math.floor(ey / side)) * Math.max(1, Math.floor(ez / side)) >
    maxBins
  ) {
    side *= 1.26;
  }
  const nbx = Math.max(1, Math.floor(ex / side)),
    nby = Math.max(1, Math.floor(ey / side));
  const nbz = Math.max(1, Math.floor(ez / side));
  const wy = ey / nby,
    wz = ez / nbz;
  const ibx = nbx / ex,
    iby = nby / ey,
    ibz = nbz / ez;
  const numBins = nbx * nby * nbz;
  if (binStart.length < numBins + 2) binStart = new Int32Array(numBins + 2);
  binStart.fill(0, 0, numBins + 2);
  let g = 0;
  for (let a = 0; a < n; a++) {
    const u = xw[3 * a],
      v = xw[3 * a + 1],
      w = xw[3 * a + 2];
    const ux1 = Math.floor(1 + rx - u),
      vy1 = Math.floor(1 + ry - v),
      wz1 = Math.floor(1 + rz - w);
    for (let tx = Math.ceil(-rx - u); tx <= ux1; tx++) {
      const fu = u + tx;
      for (let ty = Math.ceil(-ry - v); ty <= vy1; ty++) {
        const fv = v + ty;
        const qx = fu * a00 + fv * a10,
          qy = fu * a01 + fv * a11,
          qz = fu * a02 + fv * a12;
        for (let tz = Math.ceil(-rz - w); tz <= wz1; tz++) {
          const fw = w + tz;
          const px = qx + fw * a20,
            py = qy + fw * a21,
            pz = qz + fw * a22;
          if (px < minX || px > maxX || py < minY || py > maxY || pz < minZ || pz > maxZ) continue;
          const cx = Math.min(nbx - 1, Math.floor((px - minX) * ibx));
          const cy = Math.min(nby - 1, Math.floor((py - minY) * iby));
          const cz = Math.min(nbz - 1, Math.floor((pz - minZ) * ibz));
          const bin = (cz * nby + cy) * nbx + cx;
          ghostPos[3 * g] = px;
          ghostPos[3 * g + 1] = py;
          ghostPos[3 * g + 2] = pz;
          ghostInt[4 * g] = a;
          ghostInt[4 * g + 1] = tx;
          ghostInt[4 * g + 2] = ty;
          ghostInt[4 * g + 3] = tz;
          ghostBin[g] = bin;
          binStart[bin + 1]++;
          g++;
        }
      }
    }
  }
  for (let b = 0; b < numBins; b++) binStart[b + 1] += binStart[b];
  // Counting sort of the ghosts by bin (binStart[b] is used as the fill cursor, then restored).
  for (let q = 0; q < g; q++) {
    const slot = binStart[ghostBin[q]]++;
    ghostSorted[3 * slot] = ghostPos[3 * q];
    ghostSorted[3 * slot + 1] = ghostPos[3 * q + 1];
    ghostSorted[3 * slot + 2] = ghostPos[3 * q + 2];
    const j = ghostInt[4 * q];
    ghostIntSorted[slot] = j;
    // τw − sh_j, then in the caller's basis (integers: exact in float64, so adding M·sh_i later gives the same image
    // as transforming τw + sh_i − sh_j at once)
    const a = ghostInt[4 * q + 1] - xw[3 * n + 3 * j],
      b = ghostInt[4 * q + 2] - xw[3 * n + 3 * j + 1],
      c = ghostInt[4 * q + 3] - xw[3 * n + 3 * j + 2];
    ghostShift[3 * slot] = identity ? a : a * m00 + b * m10 + c * m20;
    ghostShift[3 * slot + 1] = identity ? b : a * m01 + b * m11 + c * m21;
    ghostShift[3 * slot + 2] = identity ? c : a * m02 + b * m12 + c * m22;
    ghostFrac[3 * slot] = x[3 * j];
    ghostFrac[3 * slot + 1] = x[3 * j + 1];
    ghostFrac[3 * slot + 2] = x[3 * j + 2];
  }
  for (let b = numBins; b > 0; b--) binStart[b] = binStart[b - 1];
  binStart[0] = 0;
  const gp = ghostSorted,
    gi = ghostIntSorted,
    gs = ghostShift,
    gf = ghostFrac,
    bs = binStart,
    cand = candidates;
  const rs2 = rs * rs,
    rc2 = cutoff * cutoff;
  let len = buf.length,
    limit = buf.limit;
  let oSrc = buf.src,
    oDst = buf.dst,
    oImg = buf.image,
    oDist = buf.dist,
    oVec = buf.vec,
    zeroed = buf.zeroed; // an image of (0, 0, 0) need not be written (see buf.zeroed)
  const withVec = buf.withVectors;
  for (let i = 0; i < n; i++) {
    const u = xw[3 * i],
      v = xw[3 * i + 1],
      w = xw[3 * i + 2];
    const px = u * a00 + v * a10 + w * a20,
      py = u * a01 + v * a11 + w * a21,
      pz = u * a02 + v * a12 + w * a22;
    const six = xw[3 * n + 3 * i],
      siy = xw[3 * n + 3 * i + 1],
      siz = xw[3 * n + 3 * i + 2];
    // M·sh_i (sh_i when the basis was not reduced)
    const hi0 = identity ? six : six * m00 + siy * m10 + siz * m20,
      hi1 = identity ? siy : six * m01 + siy * m11 + siz * m21,
      hi2 = identity ? siz : six * m02 + siy * m12 + siz * m22;
    const xi0 = x[3 * i],
      xi1 = x[3 * i + 1],
      xi2 = x[3 * i + 2];
    // Rows of bins (fixed by, bz) that the sphere of radius rs can reach, each trimmed to the x-range of the
    // sphere's chord at the row's nearest point: the scanned volume stays close to the sphere's. The ghosts
    // within rs are listed first without a branch (over a third of the scanned ghosts pass, at no predictable
    // pattern: a branch there mispredicts often), then checked exactly in the same order.
    let k = 0;
    const bzHi = Math.min(nbz - 1, Math.floor((pz + rs - minZ) * ibz));
    const byLo = Math.max(0, Math.floor((py - rs - minY) * iby));
    const byHi = Math.min(nby - 1, Math.floor((py + rs - minY) * iby));
    for (let bz = Math.max(0, Math.floor((pz - rs - minZ) * ibz)); bz <= bzHi; bz++) {
      const z0 = minZ + bz * wz;
      const gz = pz < z0 ? z0 - pz : pz > z0 + wz ? pz - z0 - wz : 0;
      const remZ = rs2 - gz * gz;
      if (remZ < 0) continue;
      for (let by = byLo; by <= byHi; by++) {
        const y0 = minY + by * wy;
        const gy = py < y0 ? y0 - py : py > y0 + wy ? py - y0 - wy : 0;
        const remY = remZ - gy * gy;
        if (remY < 0) continue;
        const hw = Math.sqrt(remY);
        const x0 = Math.max(0, Math.floor((px - hw - minX) * ibx));
        const x1 = Math.min(nbx - 1, Math.floor((px + hw - minX) * ibx));
        if (x1 < x0) continue;
        const row = (bz * nby + by) * nbx;
        const hi = bs[row + x1 + 1];
        for (let q = bs[row + x0]; q < hi; q++) {
          const ex2 = gp[3 * q] - px,
            ey2 = gp[3 * q + 1] - py,
            ez2 = gp[3 * q + 2] - pz;
          cand[k] = q;
          k += +(ex2 * ex2 + ey2 * ey2 + ez2 * ez2 <= rs2);
        }
      }
    }
    for (let c = 0; c < k; c++) {
      const q = cand[c];
      const j = gi[q];
      const t0 = gs[3 * q] + hi0,
        t1 = gs[3 * q + 1] + hi1,
        t2 = gs[3 * q + 2] + hi2;
      const fx = gf[3 * q] - xi0 + t0,
        fy = gf[3 * q + 1] - xi1 + t1,
        fz = gf[3 * q + 2] - xi2 + t2;
      const vx = fx * l00 + fy * l10 + fz * l20;
      const vy = fx * l01 + fy * l11 + fz * l21;
      const vz = fx * l02 + fy * l12 + fz * l22;
      const d2 = vx * vx + vy * vy + vz * vz;
      if (d2 <= rc2 && (i !== j || t0 !== 0 || t1 !== 0 || t2 !== 0)) {
        if (len === limit) {
          buf.length = len;
          growBuffer();
          limit = buf.limit;
          oSrc = buf.src;
          oDst = buf.dst;
          oImg = buf.image;
          oDist = buf.dist;
          oVec = buf.vec;
          zeroed = buf.zeroed;
        }
        oSrc[len] = i;
        oDst[len] = j;
        if (!zeroed || t0 !== 0 || t1 !== 0 || t2 !== 0) {
          oImg[3 * len] = t0;
          oImg[3 * len + 1] = t1;
          oImg[3 * len + 2] = t2;
        }
        oDist[len] = Math.sqrt(d2);
        if (withVec) {
          oVec[3 * len] = vx;
          oVec[3 * len + 1] = vy;
          oVec[3 * len + 2] = vz;
        }
        len++;
      }
    }
  }
  buf.length = len;
}
