import { CrysError } from '@crys/lattice';

/**
 * A graph request would produce more edges (or periodic image copies) than the configured budget
 * (`maxEdges`). Thrown before the large arrays are allocated: either from an estimate (density × sphere volume)
 * or, for atoms much denser than average, as soon as the running count passes the budget.
 *
 * @example
 * try { radiusGraph(crystal, { cutoff: 50, maxEdges: 1e6 }); }
 * catch (e) { if (e instanceof EdgeBudgetError) console.log(e.edges, e.maxEdges); }
 */
export class EdgeBudgetError extends CrysError {
  override name = 'EdgeBudgetError';
  /** The function that refused the request. */
  readonly functionName: string;
  /** The estimated (or, when `estimated` is false, the already reached) number of edges. */
  readonly edges: number;
  /** The budget that was exceeded. */
  readonly maxEdges: number;
  /** True when `edges` is the density estimate made before any allocation. */
  readonly estimated: boolean;
  constructor(functionName: string, edges: number, maxEdges: number, estimated: boolean, what = 'edges') {
    super(
      estimated
        ? `${functionName}: the request would give about ${fmt(edges)} ${what}, more than maxEdges = ${fmt(maxEdges)} (raise options.maxEdges or lower the cutoff)`
        : `${functionName}: the graph has more than maxEdges = ${fmt(maxEdges)} ${what} (atoms denser than average; raise options.maxEdges or lower the cutoff)`,
    );
    this.functionName = functionName;
    this.edges = edges;
    this.maxEdges = maxEdges;
    this.estimated = estimated;
  }
}

function fmt(x: number): string {
  return x >= 1e6 ? x.toExponential(2) : String(Math.round(x));
}
