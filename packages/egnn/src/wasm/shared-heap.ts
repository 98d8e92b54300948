// tfjs-backend-wasm's heap as a shared memory. Its binaries define their own memory (1 MiB … 4 GiB) and export it; a
// memory defined with the shared flag is the same memory in every other respect, and its buffer is a
// SharedArrayBuffer that worker threads can run our kernels on (threads.ts). Only the flag byte changes: the module
// uses no atomic instructions, so a single thread runs it exactly as before.

/** Reads an unsigned LEB128 number at `p`, returning it and the position after it. */
function uleb(bytes: Uint8Array, p: number): [number, number] {
  let value = 0;
  let shift = 0;
  let b: number;
  do {
    if (p >= bytes.length) throw new Error('truncated LEB128 number');
    b = bytes[p++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [value, p];
}

/**
 * A copy of a WebAssembly binary whose one defined memory is shared, or null when the binary does not define exactly
 * one memory with a maximum (a shared memory needs one), or already shares it.
 */
export function withSharedMemory(binary: Uint8Array): Uint8Array<ArrayBuffer> | null {
  if (binary.length < 8 || binary[0] !== 0x00 || binary[1] !== 0x61 || binary[2] !== 0x73 || binary[3] !== 0x6d) {
    return null;
  }
  let p = 8;
  while (p < binary.length) {
    const id = binary[p++];
    const [size, start] = uleb(binary, p);
    if (id === 5) {
      const [count, flagAt] = uleb(binary, start);
      if (count !== 1 || binary[flagAt] !== 0x01) return null;
      const out = new Uint8Array(binary);
      out[flagAt] = 0x03;
      return out;
    }
    p = start + size;
  }
  return null;
}
