/**
 * The CIF inputs that once made symmetry expansion super-linear (8.4 s, 6.2 s and 113 s before operations were
 * made distinct and sites merged through a grid): 2,000 identical `x,y,z` operations × 2,000 sites, `F m -3 m`
 * with 400 general positions (76,520 sites), and a 300 KB file of one repeated operation line. Each must take
 * well under a second. Inputs are generated once, outside the timed functions.
 * Run: `npx vitest bench --run packages/io/bench/hostile-inputs.bench.ts`.
 */
import { bench, describe } from 'vitest';
import { readCif } from '../src/cif.js';
import { generalPositionsCif, repeatedIdentityCif, repeatedOperationLineCif } from '../test/hostile-inputs.js';

const inputs = {
  '2,000 x,y,z operations × 2,000 sites': repeatedIdentityCif(2000, 2000),
  'F m -3 m, 400 general positions': generalPositionsCif(400),
  '300 KB of one repeated operation line': repeatedOperationLineCif(300_000),
};

describe('readCif on inputs that used to be slow', () => {
  for (const [name, text] of Object.entries(inputs)) bench(name, () => void readCif(text), { iterations: 5 });
});
