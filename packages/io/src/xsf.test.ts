import { describe, expect, test } from 'vitest';
import { readXsf, writeXsf } from './xsf.js';

const SI =
  '# silicon\nCRYSTAL\nPRIMVEC\n 0.0 2.715 2.715\n 2.715 0.0 2.715\n 2.715 2.715 0.0\nCONVVEC\n 5.43 0 0\n 0 5.43 0\n 0 0 5.43\nPRIMCOORD\n 2 1\n 14 0 0 0\n Si 1.3575 1.3575 1.3575 0.1 0.2 0.3\n';

describe('readXsf / writeXsf', () => {
  test('readXsf reads PRIMVEC and PRIMCOORD (atomic numbers or symbols, forces ignored) as fractional sites', () => {
    const r = readXsf(SI, { source: 'Si.xsf' });
    expect(r.crystals.length).toBe(1);
    const c = r.crystals[0];
    expect(Array.from(c.atomicNumbers)).toEqual([14, 14]);
    expect(Array.from(c.fracCoords, (x) => Number(x.toFixed(12)))).toEqual([0, 0, 0, 0.25, 0.25, 0.25]);
    expect(Array.from(c.lattice)).toEqual([0, 2.715, 2.715, 2.715, 0, 2.715, 2.715, 2.715, 0]);
    expect(r.warnings).toEqual([]);
  });

  test('readXsf reads every step of an animated AXSF, with a fixed or a per-step cell', () => {
    const fixed =
      'ANIMSTEPS 2\nCRYSTAL\nPRIMVEC\n 3 0 0\n 0 3 0\n 0 0 3\nPRIMCOORD 1\n 1 1\n 1 0 0 0\nPRIMCOORD 2\n 1 1\n 1 1.5 0 0\n';
    const a = readXsf(fixed).crystals;
    expect(a.map((c) => c.fracCoords[0])).toEqual([0, 0.5]);
    const steps = readXsf(writeXsf([a[0], { ...a[1], lattice: a[1].lattice.map((x) => 2 * x) }])).crystals;
    expect(steps.map((c) => c.lattice[0])).toEqual([3, 6]);
    expect(steps.map((c) => c.fracCoords[0])).toEqual([0, 0.5]);
  });

  test('readXsf skips datagrid blocks and warns when ANIMSTEPS disagrees with the steps', () => {
    const text = `ANIMSTEPS 3\n${SI.slice(SI.indexOf('CRYSTAL'))}BEGIN_BLOCK_DATAGRID_3D\n rho\n BEGIN_DATAGRID_3D_rho\n 2 2 2\n END_DATAGRID_3D\nEND_BLOCK_DATAGRID_3D\n`;
    expect(readXsf(text, { source: 'rho.xsf' }).warnings).toEqual([
      'rho.xsf:15:1: BEGIN_BLOCK_DATAGRID_3D block skipped (not structure)',
      'rho.xsf:1:1: ANIMSTEPS says 3 steps, the file has 1; all 1 read',
    ]);
  });

  test('readXsf refuses a molecule, a missing cell and bad atoms with the line and column', () => {
    expect(() => readXsf('ATOMS\n 1 0 0 0\n', { source: 'mol.xsf' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: mol.xsf:1:1: xsf: expected CRYSTAL with PRIMVEC and PRIMCOORD, got ATOMS: a molecule (no cell) is not a crystal; write the structure with a cell]`,
    );
    expect(() =>
      readXsf('CRYSTAL\nPRIMCOORD\n 1 1\n 1 0 0 0\n', { source: 'a.xsf' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: a.xsf:2:1: xsf: expected PRIMVEC (the cell) before PRIMCOORD, found none]`,
    );
    expect(() => readXsf(SI.replace(' 14 0 0 0', ' Xq 0 0 0'), { source: 'b.xsf' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: b.xsf:13:2: xsf: expected an element (atomic number or symbol), got 'Xq']`,
    );
    expect(() => readXsf(SI.replace(' 2 1\n', ' 3 1\n'), { source: 'c.xsf' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: c.xsf:15:1: xsf: expected atom 3 of 3 of PRIMCOORD, got end of file]`,
    );
    expect(() =>
      readXsf(SI.replace('2.715 2.715 0.0', '0 0 0'), { source: 'd.xsf' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: d.xsf:3:1: xsf: expected a cell with a finite, non-zero volume, got vectors of length 3.840, 3.840, 0.000 Å spanning 0.000 Å³ (flat, infinite or not finite) for PRIMVEC]`,
    );
  });

  test('writeXsf refuses a partially occupied crystal', () => {
    const c = readXsf(SI).crystals[0];
    expect(() => writeXsf({ ...c, occupancies: Float64Array.of(0.5, 1) })).toThrow(/partially occupied/);
  });
});
