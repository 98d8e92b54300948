import { applyActionsToCrystal, crystalActions } from '@crys/actions';
import { radiusGraph } from '@crys/graph';
import { createCrystal, latticeParameters } from '@crys/lattice';

// A slightly distorted SrTiO3 cell (Å, fractional coordinates).
const crystal = createCrystal({
  lattice: [3.9, 0, 0, 0, 3.9, 0, 0, 0, 4.1],
  fracCoords: [0, 0, 0, 0.5, 0.5, 0.52, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5],
  atomicNumbers: [38, 22, 8, 8, 8],
});
const graph = radiusGraph(crystal, { cutoff: 4.5, vectors: true });

// Two invariant weights per edge (column 0 → atoms, column 1 → lattice). A model predicts these; here: pull
// each atom towards neighbours farther than 2.5 Å, and contract along edges longer than 3 Å.
const weights = new Float64Array(2 * graph.src.length);
for (let e = 0; e < graph.src.length; e++) {
  const d = graph.distances![e];
  weights[2 * e] = 0.01 * (d - 2.5);
  weights[2 * e + 1] = 0.5 * (3 - d);
}

const action = crystalActions(crystal, graph, weights); // { deformation: symmetric 3×3, atomActionsCart: 3·n }
const next = applyActionsToCrystal(crystal, action); // lattice L·g, coordinates x + d·L⁻¹ (wrapped)
const { a, c } = latticeParameters(next.lattice);
console.log(a.toFixed(3), c.toFixed(3)); // 3.589 3.815
console.log(next.fracCoords.slice(3, 6)); // Ti: x and y stay 0.5 (mirror planes), z moves 0.52 → 0.5859
