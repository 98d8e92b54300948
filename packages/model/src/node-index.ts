export type { TrainRunOptions } from './node.js';
export {
  loadModelFile,
  loadShippedModel,
  readCheckpointFile,
  readDatasetFile,
  saveModelFile,
  shippedModelPath,
  trainToDirectory,
} from './node.js';
