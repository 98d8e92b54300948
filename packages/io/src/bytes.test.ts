import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { isGzip, readBytes } from './bytes.js';
import { read } from './formats.js';
import { decodeText } from './node.js';

const POSCAR = 'CsCl\n1.0\n4.12 0 0\n0 4.12 0\n0 0 4.12\nCs Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n';

describe('gzip-compressed input', () => {
  test('isGzip(bytes) looks at the magic number, not the name', () => {
    expect(isGzip(gzipSync(POSCAR))).toBe(true);
    expect(isGzip(new TextEncoder().encode(POSCAR))).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
  });

  test('readBytes(bytes) decompresses gzip with DecompressionStream and reads any format', async () => {
    const r = await readBytes(gzipSync(POSCAR), { fileName: 'POSCAR.gz' });
    expect(Array.from(r.crystals[0].atomicNumbers)).toEqual([55, 17]);
    const plain = await readBytes(new TextEncoder().encode(POSCAR), { fileName: 'POSCAR' });
    expect(Array.from(plain.crystals[0].atomicNumbers)).toEqual([55, 17]);
  });

  test('decodeText(bytes) gunzips by magic bytes whatever the name, and names the file of corrupt data', () => {
    expect(decodeText(gzipSync(POSCAR), 'x')).toBe(POSCAR);
    const broken = gzipSync(POSCAR).subarray(0, 20);
    expect(() => decodeText(broken, 'POSCAR.gz')).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: POSCAR.gz:1:1: gzip: expected valid gzip data: unexpected end of file]`,
    );
  });

  test('read(text) of gzip or binary data says so instead of quoting it', async () => {
    const asText = new TextDecoder().decode(gzipSync(POSCAR));
    expect(() => read(asText, { fileName: 'POSCAR.gz' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: POSCAR.gz:1:1: read: expected text, got gzip-compressed data: decompress it first (readFile from @crys/io/node and readBytes do)]`,
    );
    expect(() => read(`data_x\n\u0000\u0001`, { source: 'bin.cif' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: bin.cif:2:1: read: expected text, got binary data (a NUL byte)]`,
    );
    await expect(readBytes(gzipSync(POSCAR).subarray(0, 20), { source: 'cut.gz' })).rejects.toThrow(
      /cut.gz:1:1: gzip: expected valid gzip data/,
    );
  });
});
