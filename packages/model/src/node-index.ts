export type { TrainRunOptions } from './node.js';
export {
  loadModelFile,
  loadShippedModel,
  readDatasetFile,
  saveModelFile,
  shippedModelPath,
  trainToDirectory,
  writeFileAtomic,
} from './node.js';
