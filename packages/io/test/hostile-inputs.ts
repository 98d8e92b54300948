// Inputs that once made the readers slow or crash (issue: hardening), generated rather than stored. Shared by
// the tests (src/hostile-inputs.test.ts) and the benchmark (bench/hostile-inputs.bench.ts).

const CELL =
  '_cell_length_a 10\n_cell_length_b 10\n_cell_length_c 10\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n';

/** The i-th point of a low-discrepancy sequence in [0.01, 0.49)³: distinct, irregular, no special positions. */
function point(i: number): [number, number, number] {
  const f = (a: number): number => 0.01 + 0.48 * ((0.5 + i * a) % 1);
  return [f(0.7548776662466927), f(0.5698402909980532), f(0.324717957244746)];
}

function siteRows(count: number, element = 'Na'): string {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const [x, y, z] = point(i);
    rows.push(`${element}${i + 1} ${element} ${x.toFixed(6)} ${y.toFixed(6)} ${z.toFixed(6)}`);
  }
  return `loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${rows.join('\n')}\n`;
}

function opLoop(ops: readonly string[]): string {
  return `loop_\n_symmetry_equiv_pos_as_xyz\n${ops.map((o) => `'${o}'`).join('\n')}\n`;
}

/** A P1 CIF listing the identity `numOps` times and `numAtoms` distinct sites. */
export function repeatedIdentityCif(numOps: number, numAtoms: number): string {
  return `data_repeated\n${CELL}${opLoop(Array.from({ length: numOps }, () => 'x,y,z'))}${siteRows(numAtoms)}`;
}

/** `F m -3 m` (192 operations from the table) with `numAtoms` sites at general positions. */
export function generalPositionsCif(numAtoms: number): string {
  return `data_general\n${CELL}_symmetry_space_group_name_H-M 'F m -3 m'\n${siteRows(numAtoms)}`;
}

/** A CIF of about `bytes` characters, nearly all of them one operation line repeated, with 20 sites. */
export function repeatedOperationLineCif(bytes: number): string {
  const line = "'-x,-y,-z'";
  const ops = Array.from({ length: Math.ceil(bytes / (line.length + 1)) }, (_, i) => (i === 0 ? 'x,y,z' : '-x,-y,-z'));
  return `data_repeated_line\n${CELL}${opLoop(ops)}${siteRows(20)}`;
}

/** `numOps` distinct operations (translations k/numOps along z) × `numAtoms` sites. */
export function distinctOperationsCif(numOps: number, numAtoms: number): string {
  const ops = Array.from({ length: numOps }, (_, k) => (k === 0 ? 'x,y,z' : `x,y,z+${k}/${numOps}`));
  return `data_distinct\n${CELL}${opLoop(ops)}${siteRows(numAtoms)}`;
}

/** One block whose operation and site loops are repeated `times` times. */
export function repeatedLoopsCif(times: number, numOps: number, numAtoms: number): string {
  const ops = opLoop(Array.from({ length: numOps }, (_, k) => (k === 0 ? 'x,y,z' : `x+${k}/${numOps},y,z`)));
  return `data_loops\n${CELL}${`${ops}${siteRows(numAtoms)}`.repeat(times)}`;
}
