export type { MatcherOptions, MatchResult } from './structure-matcher.js';
export {
  DEFAULT_MATCHER_OPTIONS,
  FIELD_MATCHER_OPTIONS,
  matchStructures,
  rmsDistance,
  structuresMatch,
} from './structure-matcher.js';
export { SymmetryError } from './errors.js';
