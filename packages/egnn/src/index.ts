export type { BackendName } from './backend.js';
export { initBackend } from './backend.js';
export { BackendUnavailableError, WeightsFormatError } from './errors.js';
export { gatherRows, gatherRowsAdd, linear, segmentCounts, segmentMean, segmentSum, silu } from './kernels.js';
