// `@crys/model/internal`: plumbing the apps, benchmarks and tools share with the model: input builders, the split hash,
// the learning-rate schedule, parameter bookkeeping. Not part of the public API; it may change in any release.
export type { GraphSpec, NetworkState } from './batch.js';
export { buildInputs, disposeInputs, modelGraph } from './batch.js';
export { fnv1a } from './data.js';
export { assertSupported } from './model.js';
export { countParameters, networkWeights } from './network.js';
export { learningRateAt } from './lr-schedule.js';
export { latticeParameterTensor, validationLoss } from './train-loss.js';
