export { EdgeBudgetError } from './errors.js';
export type { RadiusGraphArrayOptions, RadiusGraphOptions } from './radius-graph.js';
export { DEFAULT_MAX_EDGES, radiusGraph, radiusGraphFromArrays } from './radius-graph.js';
export { reverseEdges } from './reverse.js';
export type { SearchMethod } from './search.js';
export type { GraphBatch, PeriodicGraph } from './types.js';
export { batchGraphs, radiusGraphBatch } from './batch.js';
