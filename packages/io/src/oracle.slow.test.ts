import { expect, test } from 'vitest';
import { compareDataset } from '../test/dataset-oracle.js';

test('all 5819 val rows (perov_5 3787, carbon_24 2032) read as pymatgen reads them', () => {
  const perov = compareDataset('perov_5');
  const carbon = compareDataset('carbon_24');
  expect([perov.rows, carbon.rows]).toEqual([3787, 2032]);
  expect(perov.bad).toEqual([]);
  expect(carbon.bad).toEqual([]);
});
