import { expect, test } from 'vitest';
import { assertCount, assertFiniteArray, assertPositive, assertPositiveInteger } from './validate.js';

test('assertFiniteArray(fn, name, a, length, layout) names the layout when the length is wrong', () => {
  expect(() => assertFiniteArray('f', 'fracCoords', [0, 0, 0], 3, '3·n')).not.toThrow();
  expect(() => assertFiniteArray('f', 'fracCoords', [0, 0], 3, '3·n')).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: f: fracCoords must have length 3·n = 3, got 2]`,
  );
  expect(() => assertFiniteArray('f', 'lattice', [0, 0], 9)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: f: lattice must have length 9, got 2]`,
  );
  expect(() => assertFiniteArray('f', 'x', [0, Number.NaN], 2)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: f: x must be finite, got NaN at index 1]`,
  );
});

test('assertCount accepts 0 and positive integers and rejects anything else', () => {
  expect(() => assertCount('f', 'numNodes', 0)).not.toThrow();
  expect(() => assertCount('f', 'numNodes', 7)).not.toThrow();
  expect(() => assertCount('f', 'numNodes', -1)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: f: numNodes must be a non-negative integer, got -1]`,
  );
  expect(() => assertCount('f', 'numNodes', 1.5)).toThrow('f: numNodes must be a non-negative integer, got 1.5');
  expect(() => assertCount('f', 'numNodes', '3')).toThrow('f: numNodes must be a non-negative integer, got 3');
});

test('assertPositiveInteger rejects 0, fractions and non-numbers', () => {
  expect(() => assertPositiveInteger('f', 'units', 1)).not.toThrow();
  expect(() => assertPositiveInteger('f', 'units', 0)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: f: units must be a positive integer, got 0]`,
  );
  expect(() => assertPositiveInteger('f', 'units', 2.5)).toThrow('f: units must be a positive integer, got 2.5');
});

test('assertPositive(fn, name, v, allowZero) wants a finite number > 0 (≥ 0 with allowZero)', () => {
  expect(() => assertPositive('f', 'cutoff', 1e-9)).not.toThrow();
  expect(() => assertPositive('f', 'cutoff', 0, true)).not.toThrow();
  expect(() => assertPositive('f', 'cutoff', 0)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: f: cutoff must be positive and finite, got 0]`,
  );
  expect(() => assertPositive('f', 'cutoff', -1, true)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: f: cutoff must be non-negative and finite, got -1]`,
  );
  expect(() => assertPositive('f', 'cutoff', Number.POSITIVE_INFINITY)).toThrow(
    'f: cutoff must be positive and finite, got Infinity',
  );
});
