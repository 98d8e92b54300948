import { type Crystal, createCrystal, latticeFromParameters } from '@crys/lattice';

/**
 * Seven well-known ABO3 perovskites as ideal cubic Pm-3m cells of 5 atoms (A at the corner, B at the body centre,
 * O at the face centres), with the lattice constant of their cubic phase (room temperature for SrTiO3 and KTaO3,
 * the high-temperature cubic phase for the others; literature values rounded to 0.01 Å). Their room-temperature
 * distortions (tetragonal BaTiO3 and PbTiO3, orthorhombic CaTiO3 and KNbO3, rhombohedral LaAlO3) are not part of
 * these 5-atom cells.
 */
export const PEROVSKITES: readonly { name: string; a: number; atomicNumbers: readonly number[] }[] = [
  { name: 'SrTiO3', a: 3.905, atomicNumbers: [38, 22, 8, 8, 8] },
  { name: 'BaTiO3', a: 4.01, atomicNumbers: [56, 22, 8, 8, 8] },
  { name: 'CaTiO3', a: 3.89, atomicNumbers: [20, 22, 8, 8, 8] },
  { name: 'KNbO3', a: 4.02, atomicNumbers: [19, 41, 8, 8, 8] },
  { name: 'KTaO3', a: 3.99, atomicNumbers: [19, 73, 8, 8, 8] },
  { name: 'LaAlO3', a: 3.82, atomicNumbers: [57, 13, 8, 8, 8] },
  { name: 'PbTiO3', a: 3.97, atomicNumbers: [82, 22, 8, 8, 8] },
];

/** The ideal cubic cell of one of {@link PEROVSKITES}. */
export function perovskite(entry: (typeof PEROVSKITES)[number]): Crystal {
  return createCrystal({
    lattice: latticeFromParameters(entry.a, entry.a, entry.a, 90, 90, 90),
    fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5],
    atomicNumbers: entry.atomicNumbers,
  });
}
