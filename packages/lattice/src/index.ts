export type { Crystal, CrystalInit } from './crystal.js';
export { assertOrdered, createCrystal, hasPartialOccupancy, numAtoms } from './crystal.js';
export { CrysError, DegenerateLatticeError, describeValue, InvalidArgumentError } from './errors.js';
export type { Mat3, Mat3Like, Vec3 } from './mat3.js';
export {
  add,
  antisymmetricPart,
  copy,
  create,
  determinant,
  frobenius,
  fromValues,
  identity,
  invert,
  multiply,
  scale,
  subtract,
  symmetricPart,
  transformRow,
  transpose,
} from './mat3.js';
export type { LatticeParameters } from './cell.js';
export {
  handedness,
  latticeFromParameters,
  latticeFromParametersInto,
  latticeParameters,
  metricTensor,
  planeSpacings,
  reciprocalLattice,
  volume,
} from './cell.js';
export type { CloseContact, CloseContactOptions } from './contacts.js';
export { closeContacts } from './contacts.js';
export { cartToFrac, fracToCart, minimumImage, wrapFrac } from './coords.js';
export type { PointGroupOptions } from './point-group.js';
export { latticePointGroup } from './point-group.js';
export { atomicNumberOf, ELEMENT_SYMBOLS, elementSymbol, MAX_ATOMIC_NUMBER } from './elements.js';
export type { Rng } from './random.js';
export { createRng } from './random.js';
export { assertFiniteArray, assertLattice } from './validate.js';
export type { PolarDecomposition, SymmetricEigen } from './linalg.js';
export {
  eigenSymmetric,
  eigenSymmetricInto,
  expSymmetric,
  logSymmetric,
  polarDecomposition,
  polarDecompositionInto,
} from './linalg.js';
export type { LllOptions, NiggliOptions, ReducedLattice } from './reduce.js';
export { lllReduce, niggliReduce } from './reduce.js';
export type { Composition, DensityOptions, FormulaOptions } from './composition.js';
export { chemicalFormula, density, elementCounts, parseFormula, reducedFormula } from './composition.js';
export { atomicMass, covalentRadius, electronegativity } from './elements.js';
export { changeOfCell, makeSupercell } from './supercell.js';
export type { DisplacementMode, PerturbOptions } from './perturb.js';
export { perturb } from './perturb.js';
export type { RandomLatticeOptions, RandomRotationOptions, RandomUnimodularOptions } from './random-cell.js';
export {
  randomDisplacements,
  randomLattice,
  randomRotation,
  randomRotationInto,
  randomSymmetricStrain,
  randomUnimodular,
} from './random-cell.js';
