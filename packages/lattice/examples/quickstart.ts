import {
  chemicalFormula,
  createCrystal,
  density,
  latticeFromParameters,
  latticeParameters,
  makeSupercell,
  minimumImage,
  multiply,
  niggliReduce,
  polarDecomposition,
  volume,
} from '@crys/lattice';

// Rock-salt NaCl in its primitive rhombohedral cell (a = b = c = 3.99 Å, α = β = γ = 60°).
const primitive = latticeFromParameters(3.99, 3.99, 3.99, 60, 60, 60);
const nacl = createCrystal({ lattice: primitive, fracCoords: [0, 0, 0, 0.5, 0.5, 0.5], atomicNumbers: [11, 17] });
console.log(chemicalFormula(nacl), volume(nacl.lattice).toFixed(3), density(nacl).toFixed(3)); // NaCl 44.916 2.160

// The Niggli cell of a deliberately bad basis of the same lattice is the 60° cell again.
// Rows are lattice vectors, so a change of basis is a left multiplication: skewed = T · L.
const skewed = multiply(new Float64Array(9), [1, 0, 0, 3, 1, 0, -2, 5, 1], primitive);
const { lattice, transform } = niggliReduce(skewed);
const p = latticeParameters(lattice);
console.log(p.a.toFixed(3), p.alpha.toFixed(1), Array.from(transform)); // 3.990 60.0 [1, 0, 0, 4, -1, 0, -16, 5, -1]

// Na–Cl distance: minimum image of the fractional difference, exact in any cell.
const r = minimumImage(new Float64Array(3), [0.5, 0.5, 0.5], nacl.lattice);
console.log(Math.hypot(r[0], r[1], r[2]).toFixed(3)); // 2.821

// A 2×2×2 supercell has 16 atoms; a strain splits into rotation · stretch.
console.log(makeSupercell(nacl, [2, 2, 2]).atomicNumbers.length); // 16
const { stretch } = polarDecomposition([1.02, 0.01, 0, -0.01, 0.98, 0, 0, 0, 1]);
console.log(Array.from(stretch, (x) => x.toFixed(4)).join(' ')); // 1.0200 0.0002 0.0000 0.0002 0.9801 0.0000 …
