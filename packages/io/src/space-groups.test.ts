import { hall_symbol_entry, operations_from_number } from '@spglib/moyo-wasm';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadMoyo } from './moyo.js';
import { findSpaceGroup, spaceGroupOperations, spaceGroupSetting } from './space-groups.js';
import { formatXyzOperation, parseXyzOperation } from './symop.js';

function keyOf(rot: ArrayLike<number>, t: ArrayLike<number>): string {
  const tt = Array.from(t, (x) => (Math.round((x - Math.floor(x)) * 24) % 24).toString());
  return `${Array.from(rot).join(',')}|${tt.join(',')}`;
}

describe('space-group table', () => {
  beforeAll(() => loadMoyo());

  test('spaceGroupOperations(h) equals moyo operations_from_number for all 530 Hall settings', () => {
    for (let h = 1; h <= 530; h++) {
      const e = hall_symbol_entry(h);
      const ref = operations_from_number(e.number, { type: 'HallNumber', value: h }, false);
      // moyo's rotation arrays are column-major: transpose to row-major.
      const want = new Set(
        ref.map((o) =>
          keyOf(
            [0, 3, 6, 1, 4, 7, 2, 5, 8].map((i) => o.rotation[i]),
            o.translation,
          ),
        ),
      );
      const ops = spaceGroupOperations(h);
      const got = new Set<string>();
      for (let k = 0; k < ops.length / 12; k++)
        got.add(keyOf(ops.subarray(12 * k, 12 * k + 9), ops.subarray(12 * k + 9, 12 * k + 12)));
      expect(got.size, `Hall ${h}`).toBe(want.size);
      for (const w of want) expect(got.has(w), `Hall ${h} ${w}`).toBe(true);
      expect(spaceGroupSetting(h)?.hmShort).toBe(e.hm_short);
    }
  });

  test('findSpaceGroup reads H-M symbols in the usual spellings and numbers as the standard setting', () => {
    expect(findSpaceGroup({ hermannMauguin: 'P 21/c' })?.hallNumber).toBe(81);
    expect(findSpaceGroup({ hermannMauguin: 'P 1 21/c 1' })?.hallNumber).toBe(81);
    expect(findSpaceGroup({ hermannMauguin: 'Pnma' })?.hallNumber).toBe(findSpaceGroup({ number: 62 })?.hallNumber);
    expect(findSpaceGroup({ hermannMauguin: 'R -3 m :H' })?.hallNumber).toBe(
      findSpaceGroup({ number: 166 })?.hallNumber,
    );
    expect(findSpaceGroup({ hermannMauguin: 'R -3 m :R' })?.hallNumber).not.toBe(
      findSpaceGroup({ number: 166 })?.hallNumber,
    );
    expect(findSpaceGroup({ hermannMauguin: 'Fd-3m:1' })?.hallNumber).toBe(525);
    const fd = findSpaceGroup({ hermannMauguin: 'F d -3 m' });
    expect(fd?.hallNumber).toBe(526);
    expect(fd?.note).toMatchInlineSnapshot(`"'F d -3 m' has several settings (1, 2); used '2' (Hall '-F 4vw 2vw 3')"`);
    expect(findSpaceGroup({ hall: '-P 2ybc' })?.hallNumber).toBe(81);
    expect(findSpaceGroup({ hermannMauguin: 'Q 99' })).toBeUndefined();
    expect(findSpaceGroup({ number: 231 })).toBeUndefined();
  });

  test('parseXyzOperation and formatXyzOperation round-trip every operation of every setting', () => {
    for (let h = 1; h <= 530; h += 7) {
      const ops = spaceGroupOperations(h);
      for (let k = 0; k < ops.length / 12; k++) {
        const op = ops.subarray(12 * k, 12 * k + 12);
        const back = parseXyzOperation(formatXyzOperation(op));
        expect(typeof back).not.toBe('string');
        for (let i = 0; i < 12; i++) expect((back as Float64Array)[i]).toBeCloseTo(op[i], 12);
      }
    }
  });

  test('parseXyzOperation reads the spellings found in real CIFs and refuses others', () => {
    expect(Array.from(parseXyzOperation('1/2+X, 0.5-y, z') as Float64Array)).toEqual([
      1, 0, 0, 0, -1, 0, 0, 0, 1, 0.5, 0.5, 0,
    ]);
    expect(Array.from(parseXyzOperation('-x+y,y,-z+1/3') as Float64Array)).toEqual([
      -1,
      1,
      0,
      0,
      1,
      0,
      0,
      0,
      -1,
      0,
      0,
      1 / 3,
    ]);
    expect(parseXyzOperation('x,y')).toMatchInlineSnapshot(`"expected 3 comma-separated components in 'x,y', got 2"`);
    expect(parseXyzOperation('x,y,z,x')).toMatchInlineSnapshot(
      `"expected 3 comma-separated components in 'x,y,z,x', got more"`,
    );
    expect(parseXyzOperation('x,,z')).toMatchInlineSnapshot(
      `"expected a term such as x, -y or 1/2 in component 2 of 'x,,z'"`,
    );
    expect(parseXyzOperation('x,y,z/0')).toBeTypeOf('string');
  });
});
