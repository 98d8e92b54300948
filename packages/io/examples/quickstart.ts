import { readPoscar, writeCif } from '@crys/io';
import { volume } from '@crys/lattice';

const poscar = 'CsCl\n1.0\n4.12 0 0\n0 4.12 0\n0 0 4.12\nCs Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n';
const {
  crystals: [cscl],
} = readPoscar(poscar);
console.log(cscl.atomicNumbers, volume(cscl.lattice).toFixed(2)); // Uint8Array(2) [55, 17] '69.93'
console.log(writeCif(cscl).split('\n')[1]); // data_CsCl
