import { expect, test } from 'vitest';
import { chemicalFormula, density, elementCounts, parseFormula, reducedFormula } from './composition.js';
import { createCrystal } from './crystal.js';
import { atomicMass, covalentRadius, electronegativity } from './elements.js';

const cscl = createCrystal({
  lattice: [4.12, 0, 0, 0, 4.12, 0, 0, 0, 4.12],
  fracCoords: [0, 0, 0, 0.5, 0.5, 0.5],
  atomicNumbers: [55, 17],
});

test('parseFormula(s) reads symbols, amounts, nested groups and whitespace', () => {
  expect(parseFormula('BaTiO3')).toEqual(
    new Map([
      [8, 3],
      [22, 1],
      [56, 1],
    ]),
  );
  expect(parseFormula('Ca3(PO4)2')).toEqual(
    new Map([
      [8, 8],
      [15, 2],
      [20, 3],
    ]),
  );
  expect(parseFormula('K4[Fe(CN)6]')).toEqual(
    new Map([
      [6, 6],
      [7, 6],
      [19, 4],
      [26, 1],
    ]),
  );
  expect(parseFormula('Li4 Fe4 P4 O16')).toEqual(
    new Map([
      [3, 4],
      [8, 16],
      [15, 4],
      [26, 4],
    ]),
  );
  expect(parseFormula('Fe0.5Ni0.5')).toEqual(
    new Map([
      [26, 0.5],
      [28, 0.5],
    ]),
  );
  expect(parseFormula('CO')).toEqual(
    new Map([
      [6, 1],
      [8, 1],
    ]),
  );
  expect(parseFormula('Co')).toEqual(new Map([[27, 1]]));
  expect(parseFormula('C12C12')).toEqual(new Map([[6, 24]]));
});

test('parseFormula rejects unknown elements, stray characters and unbalanced groups', () => {
  expect(() => parseFormula('BaXyO3')).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: parseFormula: formula unknown element 'Xy' at index 2 in 'BaXyO3']`,
  );
  expect(() => parseFormula('ba')).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: parseFormula: formula unexpected 'b' at index 0 in 'ba']`,
  );
  expect(() => parseFormula('Ca3(PO4')).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: parseFormula: formula expected ')' at index 7 in 'Ca3(PO4']`,
  );
  expect(() => parseFormula('')).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: parseFormula: formula has no elements at index 0 in '']`,
  );
});

test('chemicalFormula and reducedFormula order by electronegativity (pymatgen) or Hill', () => {
  expect(chemicalFormula(parseFormula('Ti2Ba2O6'))).toBe('Ba2Ti2O6');
  expect(reducedFormula(parseFormula('Ti2Ba2O6'))).toBe('BaTiO3');
  expect(reducedFormula(parseFormula('C24'))).toBe('C');
  expect(reducedFormula(parseFormula('CdCuN3'))).toBe('CdCuN3'); // X: Cd 1.69 < Cu 1.90 < N 3.04
  expect(chemicalFormula(parseFormula('OH2'), { order: 'hill' })).toBe('H2O');
  expect(chemicalFormula(parseFormula('OH4C'), { order: 'hill' })).toBe('CH4O');
  expect(chemicalFormula(parseFormula('HeAr'))).toBe('ArHe'); // no electronegativity: last, by symbol
  expect(chemicalFormula(parseFormula('HeLi'))).toBe('LiHe');
  expect(reducedFormula(parseFormula('Fe0.5Ni0.5'))).toBe('Fe0.5Ni0.5');
  expect(chemicalFormula(cscl)).toBe('CsCl');
});

test('elementCounts(c) weights sites by occupancy', () => {
  const c = createCrystal({ ...cscl, occupancies: [1, 0.5] });
  expect(elementCounts(c)).toEqual(
    new Map([
      [17, 0.5],
      [55, 1],
    ]),
  );
});

test('density(c) of CsCl (a = 4.12 Å) is Σm / V in g/cm³', () => {
  const expected = ((132.90545196 + 35.45) * 1.6605390666) / 4.12 ** 3;
  expect(density(cscl)).toBeCloseTo(expected, 14);
  expect(density(cscl)).toBeCloseTo(3.9975, 4);
});

test('density(c, { masses }) takes the atomic masses from the given table, indexed by atomic number', () => {
  const masses = new Float64Array(56);
  masses[17] = 35.453; // pymatgen's Cl
  masses[55] = 132.9054519; // pymatgen's Cs
  expect(density(cscl, { masses })).toBeCloseTo(((132.9054519 + 35.453) * 1.6605390666) / 4.12 ** 3, 14);
  expect(() => density(cscl, { masses: [1, 2] })).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: density: options.masses has no mass for element 55 (atom 0), got undefined]`,
  );
});

test('atomicMass, covalentRadius and electronegativity return ASE / pymatgen table values', () => {
  expect(atomicMass(1)).toBe(1.008);
  expect(atomicMass(6)).toBe(12.011);
  expect(atomicMass(118)).toBe(294.214);
  expect(covalentRadius(6)).toBe(0.76);
  expect(covalentRadius(100)).toBe(0.2);
  expect(electronegativity(8)).toBe(3.44);
  expect(electronegativity(2)).toBeNaN();
  expect(() => atomicMass(0)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: atomicMass: z must be an atomic number 1–118, got 0]`,
  );
  expect(() => covalentRadius(1.5)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: covalentRadius: z must be an atomic number 1–118, got 1.5]`,
  );
});

test('chemicalFormula rejects something that is neither a crystal nor a composition', () => {
  expect(() => chemicalFormula({} as never)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: chemicalFormula: crystal must be a Crystal or a Map of atomic number → amount, got [object Object]]`,
  );
  expect(() => reducedFormula(new Map([[0, 1]]))).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: reducedFormula: composition must be keyed by atomic numbers 1–118, got key 0]`,
  );
});
