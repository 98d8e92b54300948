export type { TrainRunOptions } from './node.js';
export {
  loadModelFile,
  loadShippedModel,
  readCheckpointFile,
  readDatasetFile,
  rowProperty,
  saveModelFile,
  shippedModelPath,
  trainToDirectory,
} from './node.js';
