// Child process of compare.mjs: builds one supercell graph and reports the peak RSS growth per edge.
// The base crystal comes as JSON on argv so that nothing but the graph build happens in this process.
import { radiusGraph } from '@crys/graph';
import { supercell } from './data.mjs';

const [json, n, cutoff] = process.argv.slice(2);
const b = JSON.parse(json);
const base = {
  lattice: Float64Array.from(b.lattice),
  fracCoords: Float64Array.from(b.fracCoords),
  atomicNumbers: Uint8Array.from(b.atomicNumbers),
};
const c = supercell(base, Number(n));
globalThis.gc?.();
const before = process.memoryUsage.rss();
const g = radiusGraph(c, { cutoff: Number(cutoff) });
const peak = process.resourceUsage().maxRSS * 1024;
const outBytes = g.src.byteLength + g.dst.byteLength + g.image.byteLength + g.distances.byteLength;
process.stdout.write(
  JSON.stringify({
    edges: g.src.length,
    peakBytesPerEdge: (peak - before) / g.src.length,
    outBytesPerEdge: outBytes / g.src.length,
  }),
);
