import { expect, test } from 'vitest';
import { createCrystal } from './crystal.js';
import { DegenerateLatticeError } from './errors.js';
import { assertCount, assertFiniteArray, assertLattice, assertPositive, assertPositiveInteger } from './validate.js';

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

test('assertLattice refuses a cell whose volume or edge lengths overflow, though every entry is finite', () => {
  // 1e110 Å edges: the volume 1e330 is Infinity while the bound 1e-10 · 1e330 would round to a finite 1e320
  const overflowing = [1e110, 0, 0, 0, 1e110, 0, 0, 0, 1e110];
  expect(() => assertLattice('f', overflowing)).toThrowErrorMatchingInlineSnapshot(
    `[DegenerateLatticeError: f: lattice has a volume or edge length that is not finite (det Infinity, lengths 1e+110, 1e+110, 1e+110), got [1e+110, 0, 0, 0, 1e+110, 0, 0, 0, 1e+110] (length 9)]`,
  );
  const big = [1e200, 0, 0, 0, 1e200, 0, 0, 0, 1e200];
  expect(() => assertLattice('f', big)).toThrow(DegenerateLatticeError);
  // an edge length that overflows on its own (hypot of two finite 1.5e308 entries)
  expect(() => assertLattice('f', [1.5e308, 1.5e308, 0, 0, 1, 0, 0, 0, 1])).toThrow(/not finite/);
  for (const lattice of [overflowing, big]) {
    expect(() => createCrystal({ lattice, fracCoords: [0, 0, 0], atomicNumbers: [8] })).toThrow(DegenerateLatticeError);
  }
  expect(() => assertLattice('f', [1e100, 0, 0, 0, 1e100, 0, 0, 0, 1e100])).not.toThrow(); // 1e300 Å³ is finite
});
