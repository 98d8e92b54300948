import { test } from 'vitest';
import { compareWithOracle, loadOracle } from '../test/oracle.js';
test('tmp', () => {
  const pairs = loadOracle(process.env.ORACLE ?? '/tmp/oracle_small.json.gz');
  const t = performance.now();
  const ag = compareWithOracle(pairs);
  console.log(
    'RESULT',
    (performance.now() - t).toFixed(0),
    'ms',
    JSON.stringify({ ...ag, disagreements: ag.disagreements.length }),
  );
  for (const d of ag.disagreements.slice(0, 30)) console.log('DIS', JSON.stringify(d));
}, 1800000);
