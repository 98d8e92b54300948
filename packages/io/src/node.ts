import { createReadStream } from 'node:fs';
import { readFile as fsReadFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { Crystal } from '@crys/lattice';
import { writeFileAtomic } from './atomic-write.js';
import { type DatasetRow, type ReadDatasetCsvOptions, readDatasetCsvAsync } from './dataset-csv.js';
import { type FormatId, read, type ReadAnyOptions, write } from './formats.js';
import type { ReadResult } from './types.js';

export type { AtomicWriteData, AtomicWriteDataSync, WriteChunks } from './atomic-write.js';
export { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';

/**
 * Reads a crystal file from disk in any registered format (detected from the name and content unless
 * `options.format` is given); `.gz` files are decompressed.
 *
 * @example
 * const { crystals } = await readFile('POSCAR');
 */
export async function readFile(path: string, options: ReadAnyOptions = {}): Promise<ReadResult> {
  const bytes = await fsReadFile(path);
  const text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
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
