import { compositionValidity, FIELD_MATCHER_OPTIONS, matchStructures, spaceGroup, structureValidity } from '@crys/eval';
import type { Crystal } from '@crys/lattice';

const batio3: Crystal = {
  lattice: Float64Array.of(4, 0, 0, 0, 4, 0, 0, 0, 4),
  fracCoords: Float64Array.of(0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5),
  atomicNumbers: Uint8Array.of(56, 22, 8, 8, 8),
};
// the same crystal, slightly strained, with Ti moved off-centre and the sites in another order
const guess: Crystal = {
  lattice: Float64Array.of(4.1, 0, 0, 0, 4, 0, 0, 0, 4),
  fracCoords: Float64Array.of(0.5, 0.5, 0.54, 0, 0, 0, 0.5, 0, 0.5, 0, 0.5, 0.5, 0.5, 0.5, 0),
  atomicNumbers: Uint8Array.of(22, 56, 8, 8, 8),
};

const m = matchStructures(batio3, guess, FIELD_MATCHER_OPTIONS);
console.log(m.match, m.rms?.toFixed(4)); // true '0.0272' (pymatgen: 0.02720…)
console.log(structureValidity(guess).valid, compositionValidity(guess.atomicNumbers)); // true true
console.log((await spaceGroup(batio3)).symbol); // 'P m -3 m'
