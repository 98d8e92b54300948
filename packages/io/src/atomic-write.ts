/**
 * The atomic file writer of `@crys/io/node`, in a synchronous and an asynchronous face over one plan: a regular
 * file (or a path that does not exist yet) is replaced through a temporary file in its folder that is flushed to
 * disk and renamed over it, so a crash or a kill leaves the old file (or none) or the complete new one, never half
 * a file. Anything else cannot be renamed over and is written in place: `-` (standard output), devices such as
 * /dev/null, FIFOs and sockets. A symbolic link is followed and its final target replaced, so the link stays.
 *
 * Temporary files are named `.<name>.<pid>.<12 hex digits>.tmp` beside the target `<name>`: hidden, never
 * matching an output's extension, and tied to the writing process. A writer killed with SIGKILL (or a power
 * cut) cannot remove its own; the next write to the same target removes those of processes that are gone, or
 * that have not been written to for an hour ({@link STALE_TEMP_MS}).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Chunks of text or bytes, e.g. `datasetCsvLines(rows)`. */
export type WriteChunks = Iterable<string | Uint8Array>;

/** Data accepted by {@link writeFileAtomicSync}: a whole text or bytes, or chunks. */
export type AtomicWriteDataSync = string | Uint8Array | WriteChunks;

/** Data accepted by {@link writeFileAtomic}: a whole text or bytes, or chunks (also asynchronous ones). */
export type AtomicWriteData = AtomicWriteDataSync | AsyncIterable<string | Uint8Array>;

/** How a write reaches `path`. */
type WritePlan =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'in-place'; readonly target: string }
  | { readonly kind: 'replace'; readonly target: string; readonly temp: string; readonly mode: number };

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** `path` with every symbolic link on it (the last component, through a chain) replaced by its target. */
function followLinks(path: string): string {
  let p = path;
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = readlinkSync(p);
    } catch (e) {
      if (errorCode(e) === 'EINVAL' || errorCode(e) === 'ENOENT') return p; // not a link, or nothing there yet
      throw e;
    }
    p = resolve(dirname(p), link);
  }
  throw Object.assign(new Error(`ELOOP: too many symbolic links, ${path}`), { code: 'ELOOP', path });
}

/** A temporary file not written to for this long is left over even if its process id is in use again. */
export const STALE_TEMP_MS = 60 * 60 * 1000;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when a process with this id exists (signal 0 only checks; EPERM means it exists under another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

/**
 * Removes the temporary files an earlier writer of `target` left behind when it was killed: those named as
 * {@link planWrite} names them whose process is gone or which are older than {@link STALE_TEMP_MS}. Those of
 * live writers (this process included) stay. Best effort: a folder that cannot be listed is left alone.
 */
function removeLeftoverTemps(target: string): void {
  const folder = dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const path = join(folder, name);
    const pid = Number(m[1]);
    try {
      const alive = pid !== process.pid ? processExists(pid) : true;
      if (alive && now - statSync(path).mtimeMs < STALE_TEMP_MS) continue;
      rmSync(path, { force: true });
    } catch {
      // Gone already, or not ours to remove: the write itself does not depend on it.
    }
  }
}

function planWrite(path: string): WritePlan {
  if (path === '-') return { kind: 'stdout' };
  const target = followLinks(path);
  let stats: Stats | undefined;
  try {
    stats = statSync(target);
  } catch (e) {
    if (errorCode(e) !== 'ENOENT') throw e;
  }
  if (stats !== undefined && !stats.isFile()) return { kind: 'in-place', target };
  removeLeftoverTemps(target);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // A replaced file keeps its permissions; a new one gets the usual 0o666 less the umask.
  return { kind: 'replace', target, temp, mode: stats === undefined ? 0o666 : stats.mode & 0o7777 };
}

function isWhole(data: AtomicWriteData): data is string | Uint8Array {
  return typeof data === 'string' || data instanceof Uint8Array;
}

function bytesOf(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

function writeAllSync(fd: number, data: AtomicWriteDataSync): void {
  for (const chunk of isWhole(data) ? [data] : data) {
    const bytes = bytesOf(chunk);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  }
}

async function writeAll(fh: FileHandle, data: AtomicWriteData): Promise<void> {
  if (isWhole(data)) await fh.writeFile(data);
  else for await (const chunk of data) await fh.write(bytesOf(chunk));
}

/**
 * Writes a file atomically and synchronously, for code that cannot await (a training loop writing checkpoints, a
 * CLI command). A regular file is replaced through a temporary file beside it (written, flushed to disk, renamed
 * over it; removed again if anything fails), so readers never see half a file. `-` writes to standard output,
 * and devices (/dev/null), FIFOs and sockets are written in place; a symbolic link is followed and its target
 * replaced.
 *
 * @example
 * writeFileAtomicSync('checkpoint.json', JSON.stringify(checkpoint));
 */
export function writeFileAtomicSync(path: string, data: AtomicWriteDataSync): void {
  const plan = planWrite(path);
  if (plan.kind === 'stdout') {
    for (const chunk of isWhole(data) ? [data] : data) process.stdout.write(chunk);
    return;
  }
  if (plan.kind === 'in-place') {
    const fd = openSync(plan.target, 'w');
    try {
      writeAllSync(fd, data);
    } finally {
      closeSync(fd);
    }
    return;
  }
  let fd = -1;
  try {
    fd = openSync(plan.temp, 'wx', plan.mode);
    writeAllSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(plan.temp, plan.target);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(plan.temp, { force: true });
    throw e;
  }
}

/**
 * The asynchronous {@link writeFileAtomicSync}: the same plan, and it also takes asynchronous chunks (a stream
 * of rows).
 *
 * @example
 * await writeFileAtomic('predictions.csv', datasetCsvLines(rows));
 */
export async function writeFileAtomic(path: string, data: AtomicWriteData): Promise<void> {
  const plan = planWrite(path);
  if (plan.kind === 'stdout') {
    for await (const chunk of isWhole(data) ? [data] : data) {
      await new Promise<void>((done, fail) => process.stdout.write(chunk, (e) => (e ? fail(e) : done())));
    }
    return;
  }
  if (plan.kind === 'in-place') {
    const fh = await open(plan.target, 'w');
    try {
      await writeAll(fh, data);
    } finally {
      await fh.close();
    }
    return;
  }
  let fh: FileHandle | undefined;
  try {
    fh = await open(plan.temp, 'wx', plan.mode);
    await writeAll(fh, data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(plan.temp, plan.target);
  } catch (e) {
    await fh?.close().catch(() => {});
    await rm(plan.temp, { force: true });
    throw e;
  }
}
