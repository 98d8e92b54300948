import { ParseError } from './errors.js';
import { type ReadAnyOptions, read } from './formats.js';
import type { ReadResult } from './types.js';

/**
 * True when bytes start with the gzip magic number (1f 8b), whatever the file is called.
 *
 * @example
 * isGzip(new Uint8Array([0x1f, 0x8b, 8])); // true
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Minimal shape of the web platform's `DecompressionStream` (browsers, Deno, Node ≥ 18). */
type DecompressionStreamCtor = new (format: 'gzip') => ReadableWritablePair<Uint8Array, Uint8Array>;

/**
 * Reads a crystal file given as bytes, in any registered format (as {@link read}): gzip-compressed bytes (sniffed
 * by their magic number, not the name) are decompressed with the platform's `DecompressionStream`, then decoded
 * as UTF-8. For browsers (a `File`'s `arrayBuffer()`) and any runtime with `DecompressionStream`; in Node,
 * `readFile` from `@crys/io/node` reads a path.
 *
 * @example
 * const { crystals } = await readBytes(new Uint8Array(await file.arrayBuffer()), { fileName: file.name });
 */
export async function readBytes(bytes: Uint8Array, options: ReadAnyOptions = {}): Promise<ReadResult> {
  let data = bytes;
  if (isGzip(bytes)) {
    const source = options.source ?? options.fileName ?? 'input';
    const Ctor = (globalThis as { DecompressionStream?: DecompressionStreamCtor }).DecompressionStream;
    if (!Ctor) {
      throw new ParseError(
        'gzip',
        source,
        1,
        1,
        'expected text, got gzip-compressed data and this runtime has no DecompressionStream to decompress it',
      );
    }
    try {
      const stream = new Blob([Uint8Array.from(bytes)]).stream().pipeThrough(new Ctor('gzip'));
      data = new Uint8Array(await new Response(stream).arrayBuffer());
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
  return read(new TextDecoder().decode(data), options);
}
