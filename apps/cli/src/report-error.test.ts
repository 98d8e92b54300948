import { EdgeBudgetError } from '@crys/graph';
import { InvalidArgumentError } from '@crys/lattice';
import { UnsupportedCrystalError } from '@crys/model';
import { describe, expect, test } from 'vitest';
import { userMessage } from './report-error.js';

describe('userMessage', () => {
  test('userMessage(error) names the flag of a library parameter', () => {
    const e = new InvalidArgumentError('train', 'config.batchSize', 'must be a positive integer, got 0', 0);
    expect(userMessage(e)).toBe('--batch-size must be a positive integer, got 0');
  });

  test('userMessage(EdgeBudgetError) speaks of --max-edges, not options.maxEdges', () => {
    expect(userMessage(new EdgeBudgetError('radiusGraph', 6469, 1000, true))).toBe(
      'the request would give about 6469 edges, more than --max-edges 1000',
    );
    expect(userMessage(new EdgeBudgetError('knnGraph', 1001, 1000, false))).toBe(
      'the graph has more than --max-edges 1000 edges (atoms denser than average)',
    );
  });

  test('userMessage(EdgeBudgetError, command) of a command without --max-edges speaks of the input, not the flag', () => {
    const e = new EdgeBudgetError('knnGraphFromArrays', 6.73e7, 5e7, true);
    expect(userMessage(e, 'crys eval')).toBe(
      'a neighbour graph of the input would have about 6.73e+7 edges (its budget is 5.00e+7): a cell this dense is not one a model can run on',
    );
    expect(userMessage(e, 'crys graph')).toContain('--max-edges');
  });

  test('userMessage(UnsupportedCrystalError) drops the function and argument names', () => {
    const e = new UnsupportedCrystalError(
      'predictStructure',
      'atomicNumbers',
      'element',
      "contains H (Z = 1) at index 0, which model 'perov_5' was not trained on (56 elements)",
      1,
    );
    expect(userMessage(e)).toBe(
      "the crystal contains H (Z = 1) at index 0, which model 'perov_5' was not trained on (56 elements)",
    );
  });

  test('userMessage(error) leaves other messages as they are', () => {
    const e = new InvalidArgumentError('createCrystal', 'fracCoords', 'must have length 3·n, got 4', 4);
    expect(userMessage(e)).toBe('createCrystal: fracCoords must have length 3·n, got 4');
  });
});
