#!/usr/bin/env python3
"""Checks `crys supercell`, `crys perturb --mode sphere` and `crys match --explain` against pymatgen (Debian's
2022.11) on a few files: run after `pnpm build`, from anywhere. Prints one line per check and exits 1 if any fails.
Nothing here is needed by the tests.

  python3 tools/structure_tools_check.py
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Structure

warnings.filterwarnings("ignore")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CLI = os.path.join(ROOT, "apps", "cli", "dist", "bin.js")
REAL = os.path.join(ROOT, "packages", "io", "test", "fixtures", "real", "cif", "avogadro__")
TMP = tempfile.mkdtemp(prefix="crys-tools-check-")
failed = 0


def crys(*args):
    r = subprocess.run(["node", CLI, *args], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"crys {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def check(name, ok, detail=""):
    global failed
    failed += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")


def read(path):
    s = Structure.from_file(path)
    s.remove_oxidation_states()
    return s


def sites(s):
    return sorted((x.specie.symbol, *np.mod(np.round(x.frac_coords, 6), 1)) for x in s)


# supercell: the same cell and the same sites as pymatgen's make_supercell
for src, m in [
    (REAL + "halides__NaCl-Halite.cif", [[1, 1, 0], [-1, 1, 1], [0, 0, 2]]),
    (REAL + "oxides__TiO2-Anatase.cif", [[2, 1, 0], [0, 1, 0], [1, 0, 3]]),
    (REAL + "sulfides__ZnS-Wurtzite-2H.cif", [[3, 0, 0], [0, 2, 0], [0, 0, 1]]),
]:
    out = os.path.join(TMP, "sc.cif")
    crys("supercell", src, "-m", " ".join(str(x) for row in m for x in row), "-o", out)
    ref = read(src)
    ref.make_supercell(m)
    ours = read(out)
    same_cell = np.allclose(ref.lattice.abc, ours.lattice.abc, atol=1e-6) and np.allclose(
        ref.lattice.angles, ours.lattice.angles, atol=1e-6
    )
    check(f"supercell {os.path.basename(src)} {m}", same_cell and sites(ref) == sites(ours), f"{len(ours)} atoms")

# perturb --mode sphere: every atom exactly d from where it was (pymatgen's Structure.perturb(d) semantics)
src = REAL + "oxides__TiO2-Anatase.cif"
out = os.path.join(TMP, "p.cif")
crys("perturb", src, "--displacement", "0.2", "--mode", "sphere", "--seed", "3", "-o", out)
ref, ours = read(src), read(out)
d = [ref[i].distance(ours[i]) for i in range(len(ref))]
check("perturb --mode sphere moves every atom by 0.2 Å", np.allclose(d, 0.2, atol=1e-6), f"min {min(d):.6f} max {max(d):.6f}")

# match --explain: pymatgen agrees that the pair does not match, and the lifted-stol RMS is pymatgen's
nacl = REAL + "halides__NaCl-Halite.cif"
cases = [("anatase vs rattled anatase (0.2 Å), primitive cells", src, out, [], {})]
cases.append(("anatase vs rattled anatase (0.2 Å), --no-primitive", src, out, ["--no-primitive"], {"primitive_cell": False}))
stretched = os.path.join(TMP, "stretched.cif")
with open(nacl) as fh:
    text = fh.read()
with open(stretched, "w") as fh:
    fh.write(text.replace("_cell_length_c", "_cell_length_c 9.0\n#", 1))
cases.append(("NaCl vs NaCl with c = 9 Å", nacl, stretched, [], {}))
rattled = os.path.join(TMP, "r.cif")
crys("perturb", src, "--displacement", "0.6", "--seed", "1", "-o", rattled)
cases.append(("anatase vs anatase rattled by 0.6 Å, --no-primitive", src, rattled, ["--no-primitive"], {"primitive_cell": False}))
for name, a, b, flags, kw in cases:
    e = json.loads(crys("match", a, b, "--explain", "--json", *flags))
    sa, sb = read(a), read(b)
    fit = StructureMatcher(**kw).fit(sa, sb)
    rms = StructureMatcher(**kw).get_rms_dist(sa, sb)
    ok = e["match"] == fit and (e["rms"] is None) == (rms is None)
    detail = f"verdict {e['explain']['verdict']}, pymatgen fit {fit}"
    if e["explain"]["verdict"] == "sites":
        lifted = StructureMatcher(stol=1e6, **kw).get_rms_dist(sa, sb)
        ours = e["explain"]["closestSites"]
        ok = ok and abs(lifted[0] - ours["rms"]) < 1e-4 and abs(lifted[1] - ours["maxDist"]) < 1e-4
        detail += f", best RMS {ours['rms']:.4f} (pymatgen with stol lifted {lifted[0]:.4f})"
    check(f"match --explain {name}", ok, detail)

sys.exit(1 if failed else 0)
