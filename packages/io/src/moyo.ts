import init, { analyze_cell, type InitInput, type MoyoDataset } from '@spglib/moyo-wasm';
import { InvalidArgumentError } from '@crys/lattice';

let ready: Promise<void> | undefined;
let loaded = false;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * Loads moyo's WebAssembly (symmetry analysis, used by `writeCif(c, { symmetrize: true })`). In Node it
 * reads the `.wasm` from `node_modules`; in a browser it is fetched next to moyo's module (bundlers that
 * understand `new URL('…', import.meta.url)` copy it), or from `input` when given. Safe to call many times.
 *
 * @example
 * await loadMoyo();
 * writeCif(crystal, { symmetrize: true });
 */
export function loadMoyo(input?: InitInput): Promise<void> {
  ready ??= (async () => {
    if (input === undefined && isNode()) {
      // Non-literal specifiers keep browser bundlers from trying to resolve Node built-ins.
      const moduleName = 'node:module';
      const fsName = 'node:fs/promises';
      const { createRequire } = (await import(/* @vite-ignore */ moduleName)) as typeof import('node:module');
      const { readFile } = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
      const require = createRequire(import.meta.url);
      const bytes = await readFile(require.resolve('@spglib/moyo-wasm/moyo_wasm_bg.wasm'));
      await init({ module_or_path: bytes });
    } else {
      await init(input === undefined ? undefined : { module_or_path: input });
    }
    loaded = true;
  })();
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}

/** True once {@link loadMoyo} has finished. */
export function isMoyoLoaded(): boolean {
  return loaded;
}

/**
 * moyo's symmetry dataset of a crystal (space group, operations in the crystal's own cell, orbits). Needs
 * {@link loadMoyo} first.
 *
 * @example
 * await loadMoyo();
 * analyzeSymmetry(crystal, 1e-4).number; // e.g. 221
 */
export function analyzeSymmetry(
  crystal: { lattice: ArrayLike<number>; fracCoords: ArrayLike<number>; atomicNumbers: ArrayLike<number> },
  symprec = 1e-4,
  fn = 'analyzeSymmetry',
): MoyoDataset {
  if (!loaded) {
    throw new InvalidArgumentError(fn, 'symmetrize', 'needs moyo: call `await loadMoyo()` from @crys/io first');
  }
  const n = crystal.atomicNumbers.length;
  const positions: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    positions.push([crystal.fracCoords[3 * i], crystal.fracCoords[3 * i + 1], crystal.fracCoords[3 * i + 2]]);
  }
  const cell = {
    lattice: { basis: Array.from(crystal.lattice) },
    positions,
    numbers: Array.from(crystal.atomicNumbers),
  };
  return analyze_cell(JSON.stringify(cell), symprec, 'Standard');
}
