import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeText, writeFileAtomicSync } from '@crys/io/node';
import { CliFailure } from './errors.js';

/** Node's system error shape (code + path). */
interface SystemError extends Error {
  readonly code?: string;
}

function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as SystemError).code === 'string';
}

/** Turns an fs error into a {@link CliFailure} that names the file and the fix; rethrows anything else. */
export function fileFailure(e: unknown, action: 'read' | 'write', file: string): never {
  if (!isSystemError(e)) throw e;
  switch (e.code) {
    case 'ENOENT':
      throw new CliFailure(
        action === 'read' ? `cannot read ${file}: no such file` : `cannot write ${file}: its folder does not exist`,
        action === 'read'
          ? 'check the path (relative paths start from the current folder)'
          : `create ${dirname(file)} first`,
      );
    case 'EISDIR':
      throw new CliFailure(`cannot ${action} ${file}: it is a folder`, 'give a file path');
    case 'EACCES':
    case 'EPERM':
      throw new CliFailure(`cannot ${action} ${file}: permission denied`, 'check the file permissions');
    case 'ENOSPC':
      throw new CliFailure(`cannot write ${file}: no space left on device`, 'free some disk space');
    default:
      throw new CliFailure(`cannot ${action} ${file}: ${e.message}`);
  }
}

/** Reads a text file, or all of stdin for `-`; gzip-compressed bytes (by their magic number) are decompressed. Errors name the file. */
export function readText(file: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    return fileFailure(e, 'read', file === '-' ? 'stdin' : file);
  }
  return decodeText(bytes, file === '-' ? 'stdin' : file);
}

/** Reads a binary file. Errors name the file. */
export function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    return fileFailure(e, 'read', file);
  }
}

/**
 * Writes `data` to `file` atomically with `@crys/io/node`'s `writeFileAtomicSync`: a temporary file in the same
 * folder is written, flushed to disk and renamed over the target, so a crash or a kill leaves either the old file
 * (or none) or the complete new one, never a truncated one; devices (/dev/null) and FIFOs are written in place.
 * `-` writes to `stdout` (the command's own stream, so tests can capture it).
 */
export function writeAtomic(
  file: string,
  data: string | Uint8Array,
  stdout?: { write(s: string | Uint8Array): boolean },
): void {
  if (file === '-') {
    (stdout ?? process.stdout).write(data);
    return;
  }
  try {
    writeFileAtomicSync(file, data);
  } catch (e) {
    fileFailure(e, 'write', file);
  }
}

/**
 * Checks, before any long work, that `file` can be written (given as `option`, e.g. `--json`): `-` (stdout) always
 * can; an existing file or device must be writable and not a folder; a new file needs an existing, writable folder.
 * Throws {@link CliFailure} naming the option, the file and the fix, so an hour of work never ends in a failed write.
 *
 * @example
 * assertCanWrite(opts.json, '--json'); // before the evaluation starts
 */
export function assertCanWrite(file: string, option: string): void {
  if (file === '-') return;
  try {
    let exists = true;
    try {
      if (statSync(file).isDirectory()) {
        throw new CliFailure(`cannot write ${file}: it is a folder`, `give ${option} a file path`);
      }
    } catch (e) {
      if ((e as SystemError).code !== 'ENOENT') throw e;
      exists = false;
    }
    if (exists) accessSync(file, constants.W_OK);
    else {
      const dir = dirname(file);
      if (!statSync(dir).isDirectory()) {
        throw new CliFailure(`cannot write ${file}: ${dir} is not a folder`, `give ${option} a path in a folder`);
      }
      accessSync(dir, constants.W_OK);
    }
  } catch (e) {
    if (e instanceof CliFailure) throw new CliFailure(`${option}: ${e.message}`, e.hint);
    try {
      fileFailure(e, 'write', file);
    } catch (f) {
      if (f instanceof CliFailure) throw new CliFailure(`${option}: ${f.message}`, f.hint);
      throw f;
    }
  }
}
