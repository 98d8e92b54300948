export { isGzip, readBytes } from './bytes.js';
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
export { BOHR_IN_ANGSTROM, readPwInput, writePwInput } from './espresso.js';
export type {
  ExtxyzFrame,
  ExtxyzReadResult,
  ExtxyzValue,
  ReadExtxyzOptions,
  WriteExtxyzOptions,
} from './extxyz.js';
export { readExtxyz, writeExtxyz } from './extxyz.js';
export type { FormatId, ReadAnyOptions } from './formats.js';
export {
  CifFormat,
  DatasetCsvFormat,
  detectFormat,
  EspressoInFormat,
  ExtxyzFormat,
  FORMATS,
  getFormat,
  OptimadeJsonFormat,
  PoscarFormat,
  PymatgenJsonFormat,
  ResFormat,
  read,
  VaspVolumetricFormat,
  write,
  XsfFormat,
} from './formats.js';
export { readOptimadeJson, readPymatgenJson, writePymatgenJson } from './json.js';
export type { PoscarReadResult, ReadPoscarOptions, WritePoscarOptions } from './poscar.js';
export { readPoscar, writePoscar } from './poscar.js';
export { readRes, writeRes } from './res.js';
export { readVaspVolumetric } from './vasp-volumetric.js';
export { readXsf, writeXsf } from './xsf.js';
