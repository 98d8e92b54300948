import './register.js';

export type { BackendName } from './backend.js';
export { initBackend, kernelThreads, setKernelThreads, shareWasmClones } from './backend.js';
export type { EgnnArgs, EgnnInputs, EgnnOutputs, SavedEgnn } from './egnn.js';
export { Egnn } from './egnn.js';
export type { EdgeHeadArgs, EdgeInputs, EgnnConvArgs, MessageAggregation } from './egnn-conv.js';
export { EdgeHead, EgnnConv, WEIGHTED_MEAN_EPSILON } from './egnn-conv.js';
export type { EgnnInferenceInputs, EgnnInferenceOptions, EgnnInferenceOutputs } from './inference.js';
export { EgnnInference } from './inference.js';
export type { SpeciesEmbeddingArgs } from './embedding.js';
export { SpeciesEmbedding } from './embedding.js';
export { BackendUnavailableError, HeapExhaustedError, WeightsFormatError } from './errors.js';
export type { GraphBatchLike, GraphTensors } from './graph-tensors.js';
export { disposeGraphTensors, edgeVectors, graphTensors } from './graph-tensors.js';
export { gatherRows } from './ops/gather-rows.js';
export { gatherRowsAdd } from './ops/gather-rows-add.js';
export type { AdamSlot, AdamStep } from './ops/adam.js';
export { adamUpdate, adamUpdateAll } from './ops/adam.js';
export { linear } from './ops/linear.js';
export { segmentCounts, segmentMean } from './ops/segment-mean.js';
export { segmentSum } from './ops/segment-sum.js';
export { silu } from './ops/silu.js';
export { sliceColumns } from './ops/slice-columns.js';
export type { GraphLayerArgs, LayerConfig, NamedWeight, WeightInit } from './layer.js';
export { GraphLayer } from './layer.js';
export type { LevelEmbeddingArgs } from './level-embedding.js';
export { LevelEmbedding } from './level-embedding.js';
export type { CosineCutoffArgs, PolynomialCutoffArgs, RadialBasisArgs } from './radial.js';
export {
  BesselBasis,
  CosineCutoff,
  edgeLengths,
  GaussianBasis,
  MIN_SQUARED_LENGTH,
  PolynomialCutoff,
} from './radial.js';
export type { ReferenceReadout } from './readout.js';
export { _referenceReadout } from './readout.js';
export type { VectorAggregation, VectorChannelsArgs, VectorChannelsInputs } from './vector-channels.js';
export { VectorChannels } from './vector-channels.js';
