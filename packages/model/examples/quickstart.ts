import { FIELD_MATCHER_OPTIONS, matchStructures, rmsDistance, spaceGroup } from '@crys/eval';
import { createCrystal, latticeFromParameters, volume } from '@crys/lattice';
import { initModelBackend, lowestProperty, predictStructure, relax } from '@crys/model';
import { loadShippedModel } from '@crys/model/node';

await initModelBackend();
// SrTiO3, the cubic perovskite, and a perturbed copy of it
const truth = createCrystal({
  lattice: latticeFromParameters(3.905, 3.905, 3.905, 90, 90, 90),
  fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5],
  atomicNumbers: [38, 22, 8, 8, 8],
});
const perturbed = createCrystal({
  lattice: latticeFromParameters(4.1, 3.8, 3.95, 92, 89, 91),
  fracCoords: truth.fracCoords.map((x, i) => x + 0.03 * Math.sin(7 * i)),
  atomicNumbers: truth.atomicNumbers,
});
const denoiser = loadShippedModel('perov_5-denoise');
const relaxed = relax(denoiser, perturbed, { steps: 20, startLevel: 0.5 });
console.log('denoised matches:', matchStructures(relaxed.crystal, truth, FIELD_MATCHER_OPTIONS).match); // true

// structure prediction from the composition alone, from a random start (the model's sampler: 200 steps with a
// Langevin corrector, chosen on the valid split)
const model = loadShippedModel('perov_5');
const { crystal, trajectory } = predictStructure(model, [38, 22, 8, 8, 8], { seed: 0 });
console.log('steps:', trajectory.length - 1, 'predicted a =', Math.cbrt(volume(crystal.lattice)).toFixed(2), 'Å'); // 200 '3.99' (true: 3.905)
console.log('RMS to SrTiO3:', rmsDistance(crystal, truth, FIELD_MATCHER_OPTIONS)?.rms.toFixed(3)); // '0.005'
console.log('space group:', (await spaceGroup(crystal)).symbol); // 'P m -3 m', as SrTiO3's

// seven well-known perovskites: eight samples each, and the one the shipped energy model (a learned heat of
// formation) predicts most stable is kept: the right ordering of the cations (Ca on the A site, not Ti) and a
// compact geometry win. A selection among samples (`crys predict --composition CaTiO3 -n 8 --rank-by perov_5-energy`)
const energy = loadShippedModel('perov_5-energy');
const known: [string, number, number[]][] = [
  ['SrTiO3', 3.905, [38, 22, 8, 8, 8]],
  ['BaTiO3', 4.01, [56, 22, 8, 8, 8]],
  ['CaTiO3', 3.89, [20, 22, 8, 8, 8]],
  ['KNbO3', 4.02, [19, 41, 8, 8, 8]],
  ['KTaO3', 3.99, [19, 73, 8, 8, 8]],
  ['LaAlO3', 3.82, [57, 13, 8, 8, 8]],
  ['PbTiO3', 3.97, [82, 22, 8, 8, 8]],
];
for (const [name, a, atomicNumbers] of known) {
  const ideal = createCrystal({
    lattice: latticeFromParameters(a, a, a, 90, 90, 90),
    fracCoords: truth.fracCoords,
    atomicNumbers,
  });
  const samples = Array.from({ length: 8 }, (_, seed) => predictStructure(model, atomicNumbers, { seed }).crystal);
  const { index } = lowestProperty(energy, samples);
  console.log(
    name,
    'RMS to the cubic cell:',
    rmsDistance(samples[index], ideal, FIELD_MATCHER_OPTIONS)?.rms.toFixed(3),
  ); // < 0.1 for all seven
}
