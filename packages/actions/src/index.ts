export type { AppliedBatch, AppliedBatchTensors, ApplyOptions, CrystalAction } from './apply.js';
export {
  applyActions,
  applyActionsFromArrays,
  applyActionsInto,
  applyActionsToCrystal,
  composeActions,
  deformLatticeInto,
  invertLattices,
} from './apply.js';
export type { LogActionOptions } from './apply-log.js';
export { applyLogActionsFromArrays, displaceFracInto, expDeformLatticeInto } from './apply-log.js';
export type { AtomActionOptions, AtomReduce } from './atom-actions.js';
export { atomActions, atomActionsFromArrays, atomActionsInto } from './atom-actions.js';
export { crystalActions, edgeVectorsOf } from './crystal-actions.js';
export type { DeformationMap, DeformationOptions } from './deformation.js';
export {
  boundedDeformation,
  boundedDeformationMat3,
  DEFAULT_BOUND,
  deformationPart,
  deformationPartMat3,
  symmetricSplit,
} from './deformation.js';
export type { BatchActions, BatchActionTensors, EdgeActionOptions } from './edge-actions.js';
export { edgeActions, edgeActionsFromArrays } from './edge-actions.js';
export type { IndexLike } from './segments.js';
export type { LatticeActionOptions, LatticeReduce } from './lattice-action.js';
export { latticeAction, latticeActionFromArrays, latticeActionInto } from './lattice-action.js';
export type { EdgeOperator } from './operators.js';
export { edgeOperators, edgeOperatorsInto, MIN_EDGE_LENGTH } from './operators.js';
