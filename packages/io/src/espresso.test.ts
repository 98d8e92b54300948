import { describe, expect, test } from 'vitest';
import { BOHR_IN_ANGSTROM, readPwInput, writePwInput } from './espresso.js';

const SI = `&CONTROL
  calculation = 'scf', prefix = 'si', outdir = './out/'
/
&SYSTEM
  ibrav = 2, celldm(1) = 10.2, nat = 2, ntyp = 1,
  ecutwfc = 3.0d1 ! Ry
/
&ELECTRONS
  conv_thr = 1.0d-8
/
ATOMIC_SPECIES
  Si  28.086  Si.pbe-n-rrkjus_psl.1.0.0.UPF
ATOMIC_POSITIONS {alat}
  Si 0.00 0.00 0.00
  Si 0.25 0.25 0.25
K_POINTS automatic
  4 4 4 1 1 1
`;

describe('readPwInput / writePwInput', () => {
  test('readPwInput builds the ibrav cell from celldm (Bohr) and reads alat positions', () => {
    const c = readPwInput(SI, { source: 'si.pwi' }).crystals[0];
    const h = (10.2 * BOHR_IN_ANGSTROM) / 2;
    expect(Array.from(c.lattice)).toEqual([-h, 0, h, 0, h, h, -h, h, 0]);
    expect(Array.from(c.atomicNumbers)).toEqual([14, 14]);
    expect(Array.from(c.fracCoords, (x) => Number(x.toFixed(12)))).toEqual([0, 0, 0, -0.25, 0.75, -0.25]);
  });

  test('readPwInput reads CELL_PARAMETERS (angstrom, bohr, alat) for ibrav = 0 and species labels like Fe1', () => {
    const text = (unit: string, scale: string) =>
      `&SYSTEM\n ibrav = 0, ${scale} nat = 2, ntyp = 2\n/\nATOMIC_SPECIES\nFe1 55.8 Fe.UPF\nFe2 55.8 Fe.UPF\nCELL_PARAMETERS ${unit}\n 2 0 0\n 0 2 0\n 0 0 2\nATOMIC_POSITIONS crystal\nFe1 0 0 0\nFe2 0.5 0.5 1/2\n`;
    expect(readPwInput(text('angstrom', '')).crystals[0].lattice[0]).toBe(2);
    expect(readPwInput(text('bohr', '')).crystals[0].lattice[0]).toBe(2 * BOHR_IN_ANGSTROM);
    expect(readPwInput(text('(alat)', 'A = 1.5,')).crystals[0].lattice[0]).toBe(3);
    const c = readPwInput(text('angstrom', '')).crystals[0];
    expect(Array.from(c.atomicNumbers)).toEqual([26, 26]);
    expect(c.fracCoords[5]).toBe(0.5);
  });

  test('readPwInput refuses what it cannot read, at the line and column', () => {
    expect(() =>
      readPwInput('ATOMIC_POSITIONS crystal\nSi 0 0 0\n', { source: 'a.pwi' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: a.pwi:3:1: espresso-in: expected a &SYSTEM namelist (ibrav, nat, ntyp), found none]`,
    );
    expect(() =>
      readPwInput(SI.replace('ibrav = 2', 'ibrav = 15'), { source: 'b.pwi' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: b.pwi:5:11: espresso-in: expected ibrav 0…14, -3, -5, -9, 91, -12 or -13, got 15]`,
    );
    expect(() => readPwInput(SI.replace('Si 0.25', 'Xx 0.25'), { source: 'c.pwi' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: c.pwi:15:1: espresso-in: expected a species label that starts with an element, got 'Xx']`,
    );
    expect(() => readPwInput(SI.replace('nat = 2', 'nat = 3'), { source: 'd.pwi' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: d.pwi:13:1: espresso-in: expected nat = 3 atoms in ATOMIC_POSITIONS, got 2]`,
    );
    expect(() =>
      readPwInput(SI.replace('celldm(1) = 10.2', 'celldm(1) = ten'), { source: 'e.pwi' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: e.pwi:5:26: espresso-in: expected a number for celldm(1), got 'ten']`,
    );
    expect(() =>
      readPwInput(SI.replace('{alat}', 'crystal_sg'), { source: 'f.pwi' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: f.pwi:13:1: espresso-in: expected ATOMIC_POSITIONS in alat, bohr, angstrom or crystal units, got crystal_sg (Wyckoff positions are not read)]`,
    );
    expect(() =>
      readPwInput(SI.replace('  conv_thr = 1.0d-8\n/', '  conv_thr = 1.0d-8'), { source: 'g.pwi' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: g.pwi:10:1: espresso-in: expected '/' to close &ELECTRONS before ATOMIC_SPECIES]`,
    );
  });

  test('writePwInput writes a pw.x input that reads back, and refuses a partially occupied crystal', () => {
    const c = readPwInput(SI).crystals[0];
    const back = readPwInput(writePwInput(c)).crystals[0];
    for (let i = 0; i < 9; i++) expect(back.lattice[i]).toBeCloseTo(c.lattice[i], 12);
    for (let i = 0; i < 6; i++) expect(back.fracCoords[i]).toBeCloseTo(c.fracCoords[i], 12);
    expect(() => writePwInput({ ...c, occupancies: Float64Array.of(0.5, 1) })).toThrow(/partially occupied/);
  });
});
