export type { CifBlock, CifDocument, CifLoop } from './cif-syntax.js';
export { parseCifDocument } from './cif-syntax.js';
export type { ReadCifOptions } from './cif.js';
export { MAX_SITE_IMAGES, readCif } from './cif.js';
export type { WriteCifOptions } from './cif-writer.js';
export { writeCif } from './cif-writer.js';
export type {
  DatasetProgress,
  DatasetRow,
  DatasetRowInit,
  ReadDatasetCsvOptions,
  WriteDatasetCsvOptions,
} from './dataset-csv.js';
export { datasetCsvLines, readDatasetCsv, readDatasetCsvAsync, writeDatasetCsv } from './dataset-csv.js';
export { csvField } from './csv.js';
export type { SourcePosition } from './errors.js';
export { ParseError, UnknownFormatError } from './errors.js';
export { analyzeSymmetry, isMoyoLoaded, loadMoyo } from './moyo.js';
export type { SpaceGroupMatch, SpaceGroupSetting } from './space-groups.js';
export { findSpaceGroup, spaceGroupOperations, spaceGroupSetting } from './space-groups.js';
export { oxidationStateOf, speciesToAtomicNumber } from './species.js';
export type { SymOp } from './symop.js';
export { formatXyzOperation, parseXyzOperation } from './symop.js';
export type { CrystalFormat, ReadOptions, ReadResult } from './types.js';
export type { ExtxyzFrame, ExtxyzReadResult, ExtxyzValue, WriteExtxyzOptions } from './extxyz.js';
export { readExtxyz, writeExtxyz } from './extxyz.js';
export type { FormatId, ReadAnyOptions } from './formats.js';
export {
  CifFormat,
  DatasetCsvFormat,
  detectFormat,
  ExtxyzFormat,
  FORMATS,
  getFormat,
  OptimadeJsonFormat,
  PoscarFormat,
  PymatgenJsonFormat,
  read,
  write,
} from './formats.js';
export { readOptimadeJson, readPymatgenJson, writePymatgenJson } from './json.js';
export type { PoscarReadResult, ReadPoscarOptions, WritePoscarOptions } from './poscar.js';
export { readPoscar, writePoscar } from './poscar.js';
