import { spaceGroup } from '@crys/eval';
import type { Crystal } from '@crys/lattice';

/** The tolerance of the page's space groups (Å), as `crys info` and the model evaluations use. */
export const SYMPREC = 0.1;

const cache = new WeakMap<Crystal, Promise<string>>();

/**
 * The space group of a crystal as the page shows it, e.g. `Pm-3m (221)`: @crys/eval's `spaceGroup` (moyo on the
 * primitive cell, symprec 0.1 Å). Partially occupied sites and moyo failures are said in words, never thrown.
 */
export function describeSpaceGroup(crystal: Crystal): Promise<string> {
  let text = cache.get(crystal);
  if (!text) {
    text = find(crystal);
    cache.set(crystal, text);
  }
  return text;
}

async function find(crystal: Crystal): Promise<string> {
  if (crystal.occupancies?.some((o) => o < 1)) return 'not determined (partially occupied sites)';
  try {
    const sg = await spaceGroup(crystal, { symprec: SYMPREC });
    return `${sg.symbol.replace(/\s+/g, '')} (${sg.number})`;
  } catch (e) {
    return `not determined (${(e as Error).message})`;
  }
}
