import { knnGraph, radiusGraph } from '@crys/graph';
import { createCrystal } from '@crys/lattice';

// One carbon atom in a 2 Å simple cubic cell: every neighbour is one of its own periodic images.
const cell = createCrystal({ lattice: [2, 0, 0, 0, 2, 0, 0, 0, 2], fracCoords: [0, 0, 0], atomicNumbers: [6] });

const g = radiusGraph(cell, { cutoff: 2.5, reverse: true });
for (let e = 0; e < g.src.length; e++) {
  const image = Array.from(g.image.subarray(3 * e, 3 * e + 3));
  console.log(`${g.src[e]} -> ${g.dst[e]} image [${image}] d = ${g.distances?.[e]} reverse ${g.reverse?.[e]}`);
}
// 6 self-image loops 0 -> 0 through (±1, 0, 0), (0, ±1, 0), (0, 0, ±1), each 2 Å long

console.log(radiusGraph(cell, { cutoff: 3 }).src.length); // 18: the 12 face diagonals at 2.83 Å join in
console.log(knnGraph(cell, { k: 3 }).image); // Int32Array(9) [-1, 0, 0, 0, -1, 0, 0, 0, -1]: ties broken by image
