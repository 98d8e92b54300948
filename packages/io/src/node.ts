import { createReadStream } from 'node:fs';
import { readFile as fsReadFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { Crystal } from '@crys/lattice';
import { writeFileAtomic } from './atomic-write.js';
import { isGzip } from './bytes.js';
import { type DatasetRow, type ReadDatasetCsvOptions, readDatasetCsvAsync } from './dataset-csv.js';
import { ParseError } from './errors.js';
import { type FormatId, read, type ReadAnyOptions, write } from './formats.js';
import type { ReadResult } from './types.js';

export type { AtomicWriteData, AtomicWriteDataSync, WriteChunks } from './atomic-write.js';
export { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
export { isGzip } from './bytes.js';

/**
 * The text of a file's bytes: gzip-compressed bytes (sniffed by their magic number 1f 8b, whatever the name) are
 * decompressed, then decoded as UTF-8. Corrupt gzip data is a {@link ParseError} naming `source`.
 *
 * @example
 * decodeText(readFileSync('POSCAR.gz'), 'POSCAR.gz');
 */
export function decodeText(bytes: Uint8Array, source = 'input'): string {
  if (!isGzip(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (e) {
    throw new ParseError(
      'gzip',
      source,
      1,
      1,
      `expected valid gzip data: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * Reads a crystal file from disk in any registered format (detected from the name and content unless
 * `options.format` is given); gzip-compressed files (by their magic bytes) are decompressed.
 *
 * @example
 * const { crystals } = await readFile('POSCAR');
 */
export async function readFile(path: string, options: ReadAnyOptions = {}): Promise<ReadResult> {
  const text = decodeText(await fsReadFile(path), options.source ?? path);
  return read(text, { ...options, fileName: options.fileName ?? path, source: options.source ?? path });
}

/**
 * Writes crystals to a file in a registered format, atomically.
 *
 * @example
 * await writeFile('out.cif', crystal, 'cif');
 */
export async function writeFile(
  path: string,
  crystals: Crystal | readonly Crystal[],
  format: FormatId | (string & {}),
): Promise<void> {
  await writeFileAtomic(path, write(crystals, format));
}

/**
 * Streams a dataset CSV file row by row (`{ id, crystal, properties }`), reading 1 MB chunks; progress
 * reports bytes read and the file size.
 *
 * @example
 * for await (const row of readDatasetCsvFile('data/perov_5/val.csv', { onProgress: (p) => console.log(p.rows) })) {}
 */
export async function* readDatasetCsvFile(
  path: string,
  options: ReadDatasetCsvOptions = {},
): AsyncGenerator<DatasetRow, void, undefined> {
  const { size } = await stat(path);
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  yield* readDatasetCsvAsync(stream as AsyncIterable<Uint8Array>, { source: path, ...options, totalBytes: size });
}
