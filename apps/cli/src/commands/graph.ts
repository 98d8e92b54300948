import { knnGraph, type PeriodicGraph, radiusGraph } from '@crys/graph';
import { elementSymbol, reducedFormula } from '@crys/lattice';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { graphStats } from '../graph-stats.js';
import { FORMAT_NAMES, loadCrystals } from '../load.js';
import type { CliContext } from '../main.js';
import { intOption, numberOption } from '../options.js';
import { fixed, formatTable } from '../table.js';
import { paint } from '../term.js';

interface GraphOpts {
  cutoff?: number;
  knn?: number;
  format?: string;
  index: number;
  maxEdges?: number;
  images: number;
  json?: boolean;
}

export function registerGraph(program: Command, ctx: CliContext): void {
  program
    .command('graph')
    .summary('the periodic multigraph of a crystal: degrees, image offsets, self-loops, multi-edges')
    .description(
      'Builds the periodic multigraph of one crystal (radius graph with --cutoff, or k nearest neighbours with ' +
        '--knn) and prints the edge count, degree histogram, image offsets, image self-loops (an atom joined to ' +
        'its own periodic images) and multi-edges (one pair joined through several images). --json prints the ' +
        'edge list: src and dst are 0-based atom indices, image the integer lattice translation of dst, so ' +
        'r = (frac[dst] + image − frac[src])·L.',
    )
    .argument('<file>', 'crystal file (CIF, dataset CSV, …); - reads stdin')
    .option('--cutoff <Å>', 'join atoms closer than this radius', numberOption('positive'))
    .option('--knn <k>', 'join each atom to its k nearest neighbours (images included)', intOption(1))
    .option('--format <id>', `input format when the name does not say: ${FORMAT_NAMES}`)
    .option('--index <n>', 'which crystal of a multi-crystal file (1-based)', intOption(1), 1)
    .option('--max-edges <n>', 'refuse graphs with more edges than this', intOption(1))
    .option('--images <n>', 'how many image offsets to list', intOption(1), 12)
    .option('--json', 'print the edge list as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys graph structure.cif --cutoff 5\n  $ crys graph data/carbon_24/val.csv --index 3 --knn 12 --json > edges.json',
    )
    .action((file: string, opts: GraphOpts) => {
      const { term } = ctx;
      if ((opts.cutoff === undefined) === (opts.knn === undefined)) {
        throw new UsageError(
          opts.cutoff === undefined ? 'give --cutoff R or --knn K' : '--cutoff and --knn cannot be used together',
          'e.g. `crys graph FILE --cutoff 5` or `crys graph FILE --knn 12`',
        );
      }
      const loaded = loadCrystals(file, { format: opts.format, index: opts.index, limit: 1 });
      const item = loaded.crystals[0];
      if (!item) throw new UsageError(`${file} holds no crystal`);
      const c = item.crystal;
      const graph: PeriodicGraph =
        opts.knn !== undefined
          ? knnGraph(c, { k: opts.knn, distances: true, maxEdges: opts.maxEdges })
          : radiusGraph(c, { cutoff: opts.cutoff as number, distances: true, maxEdges: opts.maxEdges });
      const s = graphStats(graph);
      const rule = opts.knn !== undefined ? `k = ${opts.knn} nearest` : `cutoff ${opts.cutoff} Å`;
      if (opts.json) {
        const edges = [];
        for (let e = 0; e < s.numEdges; e++) {
          edges.push({
            src: graph.src[e],
            dst: graph.dst[e],
            image: [graph.image[3 * e], graph.image[3 * e + 1], graph.image[3 * e + 2]],
            distance: graph.distances ? graph.distances[e] : null,
          });
        }
        term.out(
          JSON.stringify({
            source: item.label,
            ...(opts.knn !== undefined ? { k: opts.knn } : { cutoff: opts.cutoff }),
            numNodes: s.numNodes,
            numEdges: s.numEdges,
            species: Array.from(c.atomicNumbers, (z) => elementSymbol(z)),
            selfImageEdges: s.selfImageEdges,
            multiEdges: s.multiEdges,
            edges,
          }),
        );
        return;
      }
      const col = term.color;
      const h = (t: string) => paint(col, 'bold', t);
      term.out(h(`${item.label}  ${reducedFormula(c)}  ${s.numNodes} atoms  ${rule}`));
      term.out(`edges             ${s.numEdges} (${fixed(s.meanDegree, 2)} per atom)`);
      term.out(
        `image self-loops  ${s.selfImageEdges}${s.selfImageEdges ? '  (an atom joined to its own periodic images)' : ''}`,
      );
      term.out(
        `multi-edges       ${s.multiEdges} edges in ${s.multiEdgePairs} pairs${s.multiEdges ? '  (one pair joined through several images)' : ''}`,
      );
      if (s.nearest) {
        term.out(
          `shortest edge     ${fixed(s.nearest.distance, 4)} Å (${elementSymbol(c.atomicNumbers[s.nearest.src])}${s.nearest.src + 1} → ${elementSymbol(c.atomicNumbers[s.nearest.dst])}${s.nearest.dst + 1}, atoms counted from 1)`,
        );
      }
      term.out();
      const maxCount = Math.max(1, ...s.degreeHistogram.map(([, n]) => n));
      term.out(
        formatTable(
          ['degree', 'atoms', ''],
          s.degreeHistogram.map(([d, n]) => [
            String(d),
            String(n),
            '▇'.repeat(Math.max(1, Math.round((24 * n) / maxCount))),
          ]),
          ['right', 'right', 'left'],
        ),
      );
      term.out();
      const shown = s.imageHistogram.slice(0, opts.images);
      term.out(
        formatTable(
          ['image offset', 'edges'],
          shown.map(([img, n]) => [`(${img.split(' ').join(', ')})`, String(n)]),
        ),
      );
      if (s.imageHistogram.length > shown.length) {
        term.out(paint(col, 'dim', `… ${s.imageHistogram.length - shown.length} more offsets (--images N)`));
      }
    });
}
