export type { ModelBackendOptions } from './backend.js';
export { initModelBackend } from './backend.js';
export type { DatasetRow, SplitName } from './data.js';
export { readDataset, splitDataset, splitOf, writeDataset } from './data.js';
export type { DomainIssue, ModelDomain } from './domain.js';
export { domainIssues, modelDomain } from './domain.js';
export { ModelFormatError, UnsupportedCrystalError } from './errors.js';
export type {
  EvaluateOptions,
  EvaluationReport,
  FrameworkReport,
  LatticeErrors,
  MatchReport,
  MatchReportOptions,
  PredictRowsOptions,
  RowPrediction,
  SpaceGroupReport,
  SpaceGroupReportOptions,
} from './evaluate.js';
export {
  evaluatePredictions,
  frameworkReport,
  latticeErrors,
  matchReport,
  positionError,
  predictRows,
  SPACE_GROUP_SYMPREC,
  spaceGroupReport,
  structurallyValid,
  TIGHT_RMS,
  trainingMeans,
} from './evaluate.js';
export type { ActionModel, LatticeStats, ModelConfig, ModelJson, PropertyStats, SerializedWeight } from './model.js';
export {
  createModel,
  defaultModelConfig,
  disposeModel,
  loadModel,
  MODEL_FORMAT,
  MODEL_VERSION,
  modelGraphSpec,
  modelToJson,
  parameterCount,
  speciesIndices,
} from './model.js';
export type {
  NetworkActions,
  NetworkConfig,
  NetworkInference,
  NetworkInputs,
  NetworkOutputs,
  NetworkWeights,
} from './network.js';
export { ActionNetwork, DEFAULT_NETWORK } from './network.js';
export type {
  MostSymmetricOptions,
  PredictRowsMostSymmetricOptions,
  PredictRowsSelectedOptions,
  SelectedRowPrediction,
  SymmetrySelection,
} from './select.js';
export { mostSymmetric, predictRowsLowestProperty, predictRowsMostSymmetric } from './select.js';
export type { PropertyReport, PropertySelection } from './property.js';
export { lowestProperty, predictProperty, propertyReport, propertyStats } from './property.js';
export type { SpeciesDescriptors } from './descriptors.js';
export { elementDescriptors } from './descriptors.js';
export type { PhysicalChecks } from './physical-checks.js';
export { MAX_DENSITY, MIN_COVALENT_RATIO, physicalChecks } from './physical-checks.js';
export type { ActionOptions, ActionResult, PredictOptions, RecoverLatticesOptions, StepInfo } from './sampler.js';
export {
  predictStructure,
  priorStart,
  randomStart,
  recoverLattices,
  relax,
  relaxMany,
  SOUND_VOLUME_PER_ATOM,
} from './sampler.js';
export { fetchModel, SHIPPED_MODEL_NAMES, type ShippedModelName, shippedModelUrl } from './shipped.js';
export type { TaskConfig, TaskKind, TrainingSample, VolumePrior } from './tasks.js';
export { atomSigma, fitVolumePrior, noiseCrystal, priorLattice, priorVolume, startLattice, TASKS } from './tasks.js';
export type { Checkpoint, MetricsRecord, TrainConfig, TrainData, TrainHooks, TrainResult } from './train.js';
export { DEFAULT_TRAIN_CONFIG, LATTICE_STD_FLOOR, latticeStats, train } from './train.js';
