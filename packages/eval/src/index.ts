export { SymmetryError } from './errors.js';
export type { LatticeDeviation, MatchExplanation, MatchVerdict } from './explain-match.js';
export { explainMatch } from './explain-match.js';
export type {
  CrystalValidity,
  DistributionDistances,
  ReconstructionMetrics,
  ReconstructionOptions,
  ValidityRates,
} from './metrics.js';
export {
  crystalValidity,
  distributionDistances,
  numElements,
  reconstructionMetrics,
  validityRates,
  wasserstein1d,
} from './metrics.js';
export { ATOMIC_MASSES, SMACT_METALS, SMACT_OXIDATION_STATES, SMACT_PAULING_ELECTRONEGATIVITY } from './smact-data.js';
export { linearAssignment } from './linear-assignment.js';
export type { SpaceGroupInfo, SpaceGroupOptions, SymmetrizeOptions } from './space-group.js';
export { initSpaceGroup, spaceGroup, symmetrize } from './space-group.js';
export type { StandardCellOptions } from './standard-cell.js';
export { standardCell } from './standard-cell.js';
export type { MatcherOptions, MatchResult } from './structure-matcher.js';
export {
  DEFAULT_MATCHER_OPTIONS,
  FIELD_MATCHER_OPTIONS,
  matchStructures,
  rmsDistance,
  structuresMatch,
} from './structure-matcher.js';
export type {
  CompositionValidityOptions,
  InvalidReason,
  StructureValidity,
  StructureValidityOptions,
} from './validity.js';
export { compositionValidity, structureValidity } from './validity.js';
