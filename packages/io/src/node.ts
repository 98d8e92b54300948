import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { type FileHandle, open, readFile as fsReadFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Crystal } from '@crys/lattice';
import { type DatasetRow, type ReadDatasetCsvOptions, readDatasetCsvAsync } from './dataset-csv.js';
import { type FormatId, read, type ReadAnyOptions, write } from './formats.js';
import type { ReadResult } from './types.js';

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

/** Data accepted by {@link writeFileAtomic}: a whole text or bytes, or chunks (e.g. `datasetCsvLines(rows)`). */
export type AtomicWriteData = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/**
 * Writes a file atomically: the data goes to a temporary file in the same directory, is flushed, and is
 * renamed over `path`, so readers never see a half-written file and a crash leaves the old file intact.
 *
 * @example
 * await writeFileAtomic('predictions.csv', datasetCsvLines(rows));
 */
export async function writeFileAtomic(path: string, data: AtomicWriteData): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data);
    else if (Symbol.asyncIterator in data)
      for await (const chunk of data as AsyncIterable<string | Uint8Array>) await writeChunk(fh, chunk);
    else for (const chunk of data as Iterable<string | Uint8Array>) await writeChunk(fh, chunk);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (e) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/**
 * The synchronous {@link writeFileAtomic}, for code that cannot await (a training loop writing checkpoints, a CLI
 * command): a temporary file beside `path` is written, flushed to disk and renamed over it, so a crash or a kill
 * leaves the old file (or none) or the complete new one, never half a file. On failure the temporary file is
 * removed and the error rethrown.
 *
 * @example
 * writeFileAtomicSync('checkpoint.json', JSON.stringify(checkpoint));
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}

async function writeChunk(fh: FileHandle, chunk: string | Uint8Array): Promise<void> {
  if (typeof chunk === 'string') await fh.write(chunk);
  else await fh.write(chunk);
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
