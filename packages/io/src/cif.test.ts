import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { readCif } from './cif.js';
import { parseCifDocument } from './cif-syntax.js';
import { writeCif } from './cif-writer.js';
import { ParseError } from './errors.js';
import { parseNumberAt } from './number.js';

const CELL = (a: number, c = a, g = 90) =>
  `_cell_length_a ${a}\n_cell_length_b ${a}\n_cell_length_c ${c}\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma ${g}\n`;

const NACL_OPS = `data_NaCl
${CELL(5.64)}_symmetry_space_group_name_H-M 'F m -3 m'
loop_
_symmetry_equiv_pos_as_xyz
${[
  'x,y,z',
  '-x,-y,z',
  '-x,y,-z',
  'x,-y,-z',
  'z,x,y',
  'z,-x,-y',
  '-z,-x,y',
  '-z,x,-y',
  'y,z,x',
  '-y,z,-x',
  'y,-z,-x',
  '-y,-z,x',
  'y,x,-z',
  '-y,-x,-z',
  'y,-x,z',
  '-y,x,z',
  'x,z,-y',
  '-x,z,y',
  '-x,-z,-y',
  'x,-z,y',
  'z,y,-x',
  'z,-y,x',
  '-z,y,x',
  '-z,-y,-x',
]
  .flatMap((o) => ['', '+1/2,+1/2', '+1/2,,+1/2', ',+1/2,+1/2'].map((t) => centre(o, t)))
  .flatMap((o) => [o, invertOp(o)])
  .map((o) => `'${o}'`)
  .join('\n')}
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Na1 Na+ 0 0 0
Cl1 Cl- 0.5 0.5 0.5
`;

function centre(op: string, t: string): string {
  if (!t) return op;
  const parts = op.split(',');
  const ts = t.split(',');
  return parts.map((p, i) => (ts[i] ? `${p}${ts[i]}` : p)).join(',');
}
function invertOp(op: string): string {
  return op
    .split(',')
    .map((p) =>
      p.replace(/(^|[+-]?)([xyz])/g, (_m, s: string, v: string) => `${s === '-' ? '+' : '-'}${v}`).replace(/^\+/, ''),
    )
    .join(',');
}

describe('parseCifDocument', () => {
  test('parseCifDocument(text) reads items, loops, quotes, text fields, comments, ? and .', () => {
    const doc = parseCifDocument(
      `# comment\ndata_a\n_x 5.431(2) # trailing\n_s 'it''s ok'\n_t\n;line one\nline two\n;\n_q ?\n_d .\nloop_\n_l1\n_l2\n1 "a b"\n2 c\ndata_b\n_x 1\n`,
      { source: 't.cif' },
    );
    expect(doc.blocks.map((b) => b.name)).toEqual(['a', 'b']);
    const a = doc.blocks[0];
    expect(a.number('_x')).toBe(5.431);
    expect(a.value('_s')).toBe("it''s ok");
    expect(a.value('_t')).toBe('line one\nline two');
    expect(a.number('_q')).toBeNaN();
    expect(doc.tokenIsNull(a.token('_d'))).toBe(true);
    expect(a.values('_l2')).toEqual(['a b', 'c']);
    expect(a.loop('_l1')?.numRows).toBe(2);
    expect(doc.tokenLine(a.token('_t'))).toBe(6);
  });

  test('parseCifDocument reports the position of a structure loop that does not fill its rows', () => {
    expect(() =>
      parseCifDocument('data_x\nloop_\n_atom_site_label\n_atom_site_fract_x\n1 2\n3\n', { source: 'bad.cif' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: bad.cif:7:1: cif: loop_ at line 2 has 3 values for 2 tags: expected a multiple of 2 before end of file]`,
    );
  });

  test('parseCifDocument skips, with a warning, a malformed loop the structure does not need', () => {
    const doc = parseCifDocument('data_x\nloop_\n_atom_type_symbol\n_atom_type_scat_dispersion_real\nNa 0.1\nCl\n', {
      source: 'scat.cif',
    });
    expect(doc.blocks[0].has('_atom_type_symbol')).toBe(false);
    expect(doc.warnings).toEqual([
      'scat.cif:2:1: loop_ of _atom_type_symbol… has 3 values for 2 tags (not a multiple); skipped, the structure does not need it',
    ]);
  });

  test('parseCifDocument refuses an unterminated quote, text field and content before data_', () => {
    expect(() => parseCifDocument("data_x\n_a 'open\n", { source: 'q.cif' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: q.cif:2:4: cif: unterminated quoted string: expected a closing ' before the end of the line]`,
    );
    expect(() => parseCifDocument('data_x\n_a\n;text\n', { source: 't.cif' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: t.cif:3:1: cif: unterminated text field: expected a line starting with ';' to close it]`,
    );
    expect(() => parseCifDocument('_a 1\n', { source: 'h.cif' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: h.cif:1:1: cif: expected a data block header 'data_<name>', got '_a']`,
    );
    expect(() => parseCifDocument('data_x\n_a\n_b 2\n', { source: 'v.cif' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: v.cif:3:1: cif: expected a value for _a, got '_b']`,
    );
  });
});

describe('parseNumberAt', () => {
  test('parseNumberAt reads CIF numbers with uncertainties and refuses text', () => {
    const p = (s: string) => parseNumberAt(s, 0, s.length);
    expect(p('5.431(2)')).toBe(5.431);
    expect(p('-0.00000000')).toBe(-0);
    expect(p('1e-3')).toBe(0.001);
    expect(p('.5')).toBe(0.5);
    expect(p('12(3)')).toBe(12);
    expect(p('abc')).toBeNaN();
    expect(p('1.2.3')).toBeNaN();
    expect(p('1(2')).toBeNaN();
    expect(p('?')).toBeNaN();
  });
  fcTest.prop([fc.double({ noNaN: true, noDefaultInfinity: true })])(
    'parseNumberAt(String(x)) === x for every double',
    (x) => {
      const s = String(x);
      expect(Object.is(parseNumberAt(s, 0, s.length), x) || (x === 0 && parseNumberAt(s, 0, s.length) === 0)).toBe(
        true,
      );
    },
  );
  fcTest.prop([fc.integer({ min: -99999999, max: 99999999 }), fc.integer({ min: 0, max: 8 })])(
    'parseNumberAt agrees with Number() on fixed-point decimals',
    (m, d) => {
      const s = (m / 10 ** d).toFixed(d);
      expect(parseNumberAt(s, 0, s.length)).toBe(Number(s));
    },
  );
});

describe('readCif', () => {
  test('readCif expands NaCl from its 192 listed operations to 8 sites, dropping the oxidation suffixes', () => {
    const { crystals, warnings } = readCif(NACL_OPS);
    expect(warnings).toEqual([]);
    const c = crystals[0];
    expect(c.atomicNumbers.length).toBe(8);
    expect([...c.atomicNumbers].sort()).toEqual([11, 11, 11, 11, 17, 17, 17, 17]);
    expect(c.labels?.slice(0, 1)).toEqual(['Na1']);
  });

  test('readCif expands from a space-group number or H-M symbol when no operations are listed', () => {
    const base = `data_x\n${CELL(5.64)}loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nNa1 0 0 0\nCl1 0.5 0.5 0.5\n`;
    expect(readCif(base.replace('loop_', '_space_group_IT_number 225\nloop_')).crystals[0].atomicNumbers.length).toBe(
      8,
    );
    expect(
      readCif(base.replace('loop_', "_symmetry_space_group_name_H-M 'F m -3 m'\nloop_")).crystals[0].atomicNumbers
        .length,
    ).toBe(8);
    expect(
      readCif(base.replace('loop_', "_space_group_name_Hall '-F 4 2 3'\nloop_")).crystals[0].atomicNumbers.length,
    ).toBe(8);
    // No operations and no space group: P1 is the CIF default, read without a warning.
    const p1 = readCif(base);
    expect(p1.crystals[0].atomicNumbers.length).toBe(2);
    expect(p1.warnings).toEqual([]);
    expect(readCif(base.replace('loop_', '_symmetry_space_group_name_H-M ?\nloop_')).warnings).toEqual([]);
  });

  test('readCif warns only where its symmetry is a guess', () => {
    const sites = `loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nNa1 0 0 0\nCl1 0.5 0.5 0.5\n`;
    const block = (sym: string) => `data_x\n${CELL(5.64)}${sym}${sites}`;
    // A number with one setting (225) or a full symbol: no warning.
    expect(readCif(block('_space_group_IT_number 225\n')).warnings).toEqual([]);
    expect(readCif(block("_symmetry_space_group_name_H-M 'P 1'\n_symmetry_Int_Tables_number 1\n")).warnings).toEqual(
      [],
    );
    // pymatgen's P1 files: 'P 1', number 1 and the single operation 'x, y, z'.
    const pmg = block(
      "_symmetry_space_group_name_H-M 'P 1'\n_symmetry_Int_Tables_number 1\nloop_\n_symmetry_equiv_pos_site_id\n_symmetry_equiv_pos_as_xyz\n1 'x, y, z'\n",
    );
    expect(readCif(pmg).warnings).toEqual([]);
    // Only a number whose group has several settings: the ITA standard one is a guess.
    const n227 = readCif(block('_space_group_IT_number 227\n'), { source: 'n.cif' });
    // Origin choice 2: (0,0,0) is site 16c and (½,½,½) site 16d.
    expect(n227.crystals[0].atomicNumbers.length).toBe(32);
    expect(n227.warnings).toMatchInlineSnapshot(`
      [
        "n.cif:8:24: data_x: no operations or space-group symbol, only the number 227, which has 2 settings; used the ITA standard one, 'F 4_1/d -3 2/m' (No. 227, Hall '-F 4vw 2vw 3')",
      ]
    `);
    // Only the identity listed beside a named non-P1 group: the sites are read as P1, with a warning.
    const idOnly = readCif(
      block("_symmetry_space_group_name_H-M 'F m -3 m'\nloop_\n_symmetry_equiv_pos_as_xyz\n'x, y, z'\n"),
      { source: 'id.cif' },
    );
    expect(idOnly.crystals[0].atomicNumbers.length).toBe(2);
    expect(idOnly.warnings).toMatchInlineSnapshot(`
      [
        "id.cif:8:32: data_x: only the identity operation is listed but the space group is 'F 4/m -3 2/m' (No. 225, Hall '-F 4 2 3'); the listed sites are read as P1 (complete only if the file lists every site, not an asymmetric unit)",
      ]
    `);
    // The same with the identity spelled differently and a number instead of a symbol.
    expect(
      readCif(block("_space_group_IT_number 225\nloop_\n_space_group_symop_operation_xyz\n'+x,+y,+z'\n")).warnings,
    ).toHaveLength(1);
  });

  test('readCif returns the name of each data block that gave a crystal', () => {
    const one = `${CELL(3)}loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\n`;
    const r = readCif(`data_meta\n_journal_year 2001\ndata_mp-149\n${one}data_Po_Alpha\n${one}data_\n${one}`);
    expect(r.crystals.length).toBe(3);
    expect(r.names).toEqual(['mp-149', 'Po_Alpha', '']);
    // writeCif({ blockNames }) writes them back, so names survive a round trip.
    const names = ['mp-149', 'Po_Alpha', 'third'];
    expect(readCif(writeCif(r.crystals, { blockNames: names })).names).toEqual(names);
    expect(readCif(writeCif(r.crystals[0], { blockNames: ['one name'] })).names).toEqual(['one_name']);
    expect(readCif(writeCif(r.crystals, { blockNames: ['a', '', 'c'], blockName: 'x' })).names).toEqual([
      'a',
      'x_1',
      'c',
    ]);
    expect(() => writeCif(r.crystals, { blockNames: ['a'] })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: writeCif: options.blockNames must have one name per crystal (3), got 1]`,
    );
  });

  test('readCif snaps 0.3333/0.6667 to thirds so hexagonal images merge (pymatgen does the same)', () => {
    const cif = `data_g\n${CELL(2.46, 6.7, 120)}_symmetry_space_group_name_H-M 'P 63/m m c'\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nC1 0 0 0.25\nC2 0.3333 0.6667 0.25\n`;
    expect(readCif(cif).crystals[0].atomicNumbers.length).toBe(4);
  });

  test('readCif wraps coordinates into [0, 1) by default; { wrap: false } keeps them exactly as written', () => {
    const cif = `data_w\n${CELL(3)}loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 1.02 -0.1 0.33333333\nPo -0.00000000 -1.25 2\n`;
    const wrapped = Array.from(readCif(cif).crystals[0].fracCoords);
    const expected = [0.02, 0.9, 1 / 3, 0, 0.75, 0];
    for (let i = 0; i < 6; i++) expect(wrapped[i]).toBeCloseTo(expected[i], 12);
    expect(wrapped.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(readCif(cif, { wrap: true }).crystals[0].fracCoords).toEqual(readCif(cif).crystals[0].fracCoords);
    expect(Array.from(readCif(cif, { wrap: false }).crystals[0].fracCoords)).toEqual([
      1.02, -0.1, 0.33333333, -0, -1.25, 2,
    ]);
  });

  test('readCif({ wrap: false }) leaves symmetry images unwrapped and still merges them modulo 1', () => {
    // Pm-3m: the 48 images of (0.1, 0, 0) are the 6 points (±0.1, 0, 0), (0, ±0.1, 0), (0, 0, ±0.1).
    const cif = `data_s\n${CELL(3)}_space_group_IT_number 221\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0.1 0 0\nPo 1 1 1\n`;
    const raw = readCif(cif, { wrap: false }).crystals[0];
    const wrapped = readCif(cif).crystals[0];
    expect(raw.atomicNumbers.length).toBe(7);
    expect(wrapped.atomicNumbers.length).toBe(7);
    expect(Math.min(...raw.fracCoords)).toBeCloseTo(-0.1, 12);
    expect(Math.max(...wrapped.fracCoords)).toBeCloseTo(0.9, 12);
    for (let i = 0; i < raw.fracCoords.length; i++) {
      const d = raw.fracCoords[i] - wrapped.fracCoords[i];
      expect(Math.abs(d - Math.round(d))).toBeLessThan(1e-12);
    }
  });

  test('readCif keeps partial occupancy with a warning and merges a site listed twice', () => {
    const cif = `data_d\n${CELL(3)}loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\nFe1 Fe2+ 0 0 0 0.5\nCo1 Co 0 0 0 0.5\nO1 O2- 0.5 0.5 0.5 1\nO2 O 0.5 0.5 0.5 1\n`;
    const { crystals, warnings } = readCif(cif, { source: 'd.cif' });
    const c = crystals[0];
    expect(Array.from(c.atomicNumbers)).toEqual([26, 27, 8]);
    expect(Array.from(c.occupancies ?? [])).toEqual([0.5, 0.5, 1]);
    expect(warnings.join('\n')).toMatchInlineSnapshot(`
      "d.cif:1:1: data_d: 1 site images coincide with an earlier site of the same element; merged
      d.cif:1:1: data_d: 1 occupancies above 1 (after merging) were set to 1
      d.cif:1:1: data_d: 2 of 3 sites are partially occupied; kept in crystal.occupancies"
    `);
  });

  test('readCif reads every data block and skips blocks without structure', () => {
    const one = `${CELL(3)}loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\n`;
    const { crystals, warnings } = readCif(`data_meta\n_journal_year 2001\ndata_a\n${one}data_b\n${one}`);
    expect(crystals.length).toBe(2);
    expect(warnings[0]).toContain('data_meta: no cell and no atom sites; block skipped');
  });

  test('readCif errors name the position and what was expected', () => {
    expect(() =>
      readCif(
        `data_x\n${CELL(3)}loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 zero 0\n`,
        { source: 'x.cif' },
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: x.cif:13:6: cif: expected a number for a site coordinate, got 'zero']`,
    );
    expect(() =>
      readCif(
        `data_x\n${CELL(-3)}loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\n`,
        { source: 'x.cif' },
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: x.cif:2:16: cif: expected _cell_length_a to be a positive length, got '-3']`,
    );
    expect(() =>
      readCif(
        `data_x\n${CELL(3)}_symmetry_equiv_pos_as_xyz 'x,y,q'\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\n`,
        { source: 'x.cif' },
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: x.cif:8:28: cif: symmetry operation: expected x, y, z or a number in 'x,y,q' at character 5]`,
    );
    expect(() => readCif('data_x\n_cell_length_a 3\n', { source: 'x.cif' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: x.cif:1:1: cif: data_x: expected an _atom_site_fract_x (or _atom_site_Cartn_x) loop for the cell, found none]`,
    );
    expect(() => readCif('data_x\n_cell_length_a 3\n')).toThrow(ParseError);
  });

  test('writeCif then readCif returns the same crystal up to wrapping', () => {
    const c = readCif(NACL_OPS).crystals[0];
    const back = readCif(writeCif(c)).crystals[0];
    expect(Array.from(back.atomicNumbers)).toEqual(Array.from(c.atomicNumbers));
    for (let i = 0; i < c.fracCoords.length; i++) expect(back.fracCoords[i]).toBeCloseTo(c.fracCoords[i], 8);
    expect(back.labels).toEqual(c.labels);
  });
});

describe('readCif leniency where pymatgen is lenient, strictness where it matters', () => {
  const NACL_HEAD =
    '_cell_length_a 5.64\n_cell_length_b 5.64\n_cell_length_c 5.64\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n';
  const naclSites = (first: string) =>
    `_space_group_IT_number 225\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${first} 0 0 0\nCl1 0.5 0.5 0.5\n`;

  test('readCif skips a first block of reflection data (a cell, no atom sites) with a warning', () => {
    const text = `data_hkl\n${NACL_HEAD}loop_\n_refln_index_h\n_refln_index_k\n_refln_index_l\n1 0 0\n1 1 0\ndata_NaCl\n${NACL_HEAD}${naclSites('Na1')}`;
    const r = readCif(text, { source: 'two.cif' });
    expect(r.names).toEqual(['NaCl']);
    expect(r.crystals[0].atomicNumbers.length).toBe(8);
    expect(r.warnings).toContain(
      'two.cif:1:1: data_hkl: a cell but no _atom_site_fract_x loop (reflection or other data); block skipped',
    );
  });

  test('readCif reads the structure when a scattering-factor loop is malformed', () => {
    const scat =
      'loop_\n_atom_type_symbol\n_atom_type_scat_dispersion_real\n_atom_type_scat_dispersion_imag\nNa 0.1 0.2\nCl 0.3\n';
    const r = readCif(`data_NaCl\n${NACL_HEAD}${scat}${naclSites('Na1')}`, { source: 'scat.cif' });
    expect(r.crystals[0].atomicNumbers.length).toBe(8);
    expect(r.warnings.some((w) => w.includes('skipped, the structure does not need it'))).toBe(true);
  });

  test('readCif refuses a site whose element cannot be read (XX1) instead of dropping it', () => {
    expect(() =>
      readCif(`data_NaCl\n${NACL_HEAD}${naclSites('XX1')}`, { source: 'xx.cif' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: xx.cif:14:1: cif: expected an element in the site's _atom_site_label, got 'XX1' (a dummy site has no element; give its element or remove the row)]`,
    );
  });

  test('readCif skips residual-density peaks (Q1) with a warning', () => {
    const r = readCif(`data_NaCl\n${NACL_HEAD}${naclSites('Na1')}Q1 0.25 0.25 0.25\n`, { source: 'q.cif' });
    expect(r.crystals[0].atomicNumbers.length).toBe(8);
    expect(r.warnings).toContain("q.cif:16:1: residual-density peak 'Q1' skipped");
  });

  test('readCif says that a superspace (modulated) CIF is read without its superspace symmetry', () => {
    const ssg =
      "_cell_modulation_dimension 1\n_space_group_ssg_name 'P1(a0g)0'\nloop_\n_space_group_symop_ssg_id\n_space_group_symop_ssg_operation_algebraic\n1 x1,x2,x3,x4\n";
    const r = readCif(
      `data_mod\n${NACL_HEAD}${ssg}loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nNa1 0 0 0\n`,
      {
        source: 'mod.cif',
      },
    );
    expect(r.crystals[0].atomicNumbers.length).toBe(1);
    expect(r.warnings).toContain(
      "mod.cif:1:1: data_mod: a superspace (modulated) structure: its (3+d)-dimensional symmetry operations and modulation waves are ignored; the sites are read with the block's 3D symmetry (P1 when it gives none), an average structure at best",
    );
  });
});
