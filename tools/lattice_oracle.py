#!/usr/bin/env python3
"""Oracle fixtures for @crys/lattice, computed with ASE and pymatgen (Debian python3-ase 3.22,
python3-pymatgen 2022.11, python3-spglib).

For EVERY crystal of data/perov_5/val.csv and data/carbon_24/val.csv, and for 200 random strongly skewed
cells, it records the inputs (CIF cell parameters and fractional coordinates exactly as written, atomic
numbers) and:

  lattice      ASE cellpar_to_cell(cellpar)                       (9 per crystal, rows = vectors)
  params       ASE cell_to_cellpar(lattice)                       (6)
  volume       |det lattice|                                      (1)
  reciprocal   ASE Cell.reciprocal() (no 2π; the tests also check 2π·this for twoPi)   (9)
  metric       lattice · latticeᵀ                                 (9)
  spacings     1 / |reciprocal rows| (plane spacings)            (3)
  cart         frac · lattice                                     (3 per atom)
  wrapped      ASE get_scaled_positions(wrap=True): frac %= 1 twice (3 per atom)
  pairs        minimum-image distance for every pair i < j (row-major i, then j), brute force over
               ±3 images of the LLL basis; checked against pymatgen Lattice.get_all_distances and ASE find_mic
  niggliPmg    pymatgen Lattice.get_niggli_reduced_lattice(tol=1e-5) parameters   (6)
  niggliFixed  the same algorithm with the gh-3657 fix (G refreshed after A1), as @crys/lattice does (6)
  niggliSpg    spglib.niggli_reduce(lattice, eps=1e-5) parameters  (6)
  lll          pymatgen Lattice.lll_matrix (9) and lll_mapping (9 integers, rows: lll = mapping · lattice)
  density      Σ ASE atomic_masses / volume · 1.66053906660 (g/cm³)   (1)

plus the element table (ASE atomic_masses, covalent_radii; pymatgen Element.X) for Z = 1..118.

Output: packages/lattice/test/fixtures/lattice-oracle.json.gz (gzip JSON, columnar arrays per set; floats
written with Python's repr, which round-trips exactly through JSON.parse).

Regenerate from the repository root with:
    python3 tools/lattice_oracle.py
"""
import csv
import gzip
import json
import math
import os
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")
csv.field_size_limit(sys.maxsize)

import ase.data  # noqa: E402
import spglib  # noqa: E402
from ase.cell import Cell  # noqa: E402
from ase.geometry import cell_to_cellpar, cellpar_to_cell, find_mic  # noqa: E402
from pymatgen.core.lattice import Lattice  # noqa: E402
from pymatgen.core.periodic_table import Element  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "packages/lattice/test/fixtures/lattice-oracle.json.gz")
AMU_G_CM3 = 1.6605390666  # u/Å³ → g/cm³ (CODATA 2018), the constant @crys/lattice uses
CELL_KEYS = ("_cell_length_a", "_cell_length_b", "_cell_length_c",
             "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma")


def parse_p1_cif(cif):
    """The CDVAE P1 CIFs (pymatgen-written): (cellpar[6], symbols[N], frac[N,3]) in file order, frac as
    written (not wrapped). Copied from the peers' common.py so the tests never import ../shared."""
    cp, ops, atom_cols, rows, mode, cur = {}, [], [], [], None, []
    for raw in cif.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        t = line.split()
        if t[0] in CELL_KEYS:
            cp[t[0]] = float(t[1])
            mode = None
            continue
        if t[0] == "loop_":
            mode, cur = "loophead", []
            continue
        if mode == "loophead" and t[0].startswith("_"):
            cur.append(t[0])
            continue
        if mode == "loophead":
            mode = "sym" if "_symmetry_equiv_pos_as_xyz" in cur else ("atom" if "_atom_site_fract_x" in cur else "other")
            if mode == "atom":
                atom_cols = cur
        if mode == "sym":
            ops.append(line)
        elif mode == "atom":
            rows.append(t)
    assert all(o.split(None, 1)[1].replace("'", "").replace(" ", "") == "x,y,z" for o in ops), ops
    ix = atom_cols.index("_atom_site_fract_x")
    isym = atom_cols.index("_atom_site_type_symbol")
    frac = np.array([[float(x) for x in r[ix:ix + 3]] for r in rows], dtype=float)
    return [cp[k] for k in CELL_KEYS], [r[isym] for r in rows], frac


def niggli_fixed(matrix, tol=1e-5):
    """pymatgen 2022's get_niggli_reduced_lattice loop with the gh-3657 fix (refresh G after A1); returns
    the parameters of the reduced metric."""
    lat = Lattice(matrix)
    G = lat.lll_matrix @ lat.lll_matrix.T
    e = tol * lat.volume ** (1 / 3)

    def params(G):
        return G[0, 0], G[1, 1], G[2, 2], 2 * G[1, 2], 2 * G[0, 2], 2 * G[0, 1]

    def step(G, M):
        M = np.array(M, dtype=float)
        return M.T @ G @ M

    for _ in range(100):
        A, B, C, E, N, Y = params(G)
        if A > B + e or (abs(A - B) < e and abs(E) > abs(N) + e):
            G = step(G, [[0, -1, 0], [-1, 0, 0], [0, 0, -1]])
            A, B, C, E, N, Y = params(G)
        if (B > C + e) or (abs(B - C) < e and abs(N) > abs(Y) + e):
            G = step(G, [[-1, 0, 0], [0, 0, -1], [0, -1, 0]])
            continue
        l = 0 if abs(E) < e else E / abs(E)
        m = 0 if abs(N) < e else N / abs(N)
        n = 0 if abs(Y) < e else Y / abs(Y)
        if l * m * n == 1:
            i, j, k = (-1 if l == -1 else 1), (-1 if m == -1 else 1), (-1 if n == -1 else 1)
            G = step(G, np.diag([i, j, k]))
        elif l * m * n in (0, -1):
            i, j, k = (-1 if l == 1 else 1), (-1 if m == 1 else 1), (-1 if n == 1 else 1)
            if i * j * k == -1:
                if n == 0:
                    k = -1
                elif m == 0:
                    j = -1
                elif l == 0:
                    i = -1
            G = step(G, np.diag([i, j, k]))
        A, B, C, E, N, Y = params(G)
        if abs(E) > B + e or (abs(E - B) < e and 2 * N < Y - e) or (abs(E + B) < e and Y < -e):
            G = step(G, [[1, 0, 0], [0, 1, -E / abs(E)], [0, 0, 1]])
            continue
        if abs(N) > A + e or (abs(A - N) < e and 2 * E < Y - e) or (abs(A + N) < e and Y < -e):
            G = step(G, [[1, 0, -N / abs(N)], [0, 1, 0], [0, 0, 1]])
            continue
        if abs(Y) > A + e or (abs(A - Y) < e and 2 * E < N - e) or (abs(A + Y) < e and N < -e):
            G = step(G, [[1, -Y / abs(Y), 0], [0, 1, 0], [0, 0, 1]])
            continue
        if E + N + Y + A + B < -e or (abs(E + N + Y + A + B) < e < Y + (A + N) * 2):
            G = step(G, [[1, 0, 1], [0, 1, 1], [0, 0, 1]])
            continue
        break
    A, B, C, E, N, Y = params(G)
    a, b, c = math.sqrt(A), math.sqrt(B), math.sqrt(C)
    return [a, b, c, math.degrees(math.acos(E / 2 / b / c)), math.degrees(math.acos(N / 2 / a / c)),
            math.degrees(math.acos(Y / 2 / a / b))]


def brute_min_image(lll, dfrac_lll):
    """Shortest |(d + t)·LLL| over t ∈ [-3, 3]³ for fractional differences in the LLL basis (N × 3)."""
    r = np.arange(-3, 4)
    shifts = np.array(np.meshgrid(r, r, r, indexing="ij")).reshape(3, -1).T  # 343 × 3
    d = dfrac_lll - np.round(dfrac_lll)
    cart = (d[:, None, :] + shifts[None, :, :]) @ lll  # N × 343 × 3
    return np.sqrt((cart ** 2).sum(-1).min(1))


STATS = {"pairs_vs_pymatgen": 0.0, "pairs_vs_ase": 0.0, "niggli_pmg_vs_fixed": 0, "niggli_spg_vs_fixed": 0,
         "niggli_spg_vs_fixed_max": 0.0}


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b)))) if a.size else 0.0


def params_close(p, q):
    return max(abs(x - y) for x, y in zip(p, q)) < 1e-6


def compute(cellpar, lattice, zs, frac):
    """All oracle quantities of one crystal as a dict of flat lists."""
    cell = np.asarray(lattice, float)
    n = len(zs)
    out = {}
    out["params"] = list(cell_to_cellpar(cell))
    out["volume"] = [abs(float(np.linalg.det(cell)))]
    rec = Cell(cell).reciprocal()
    out["reciprocal"] = list(np.asarray(rec).ravel())
    out["metric"] = list((cell @ cell.T).ravel())
    out["spacings"] = list(1.0 / np.linalg.norm(np.asarray(rec), axis=1))
    out["cart"] = list((frac @ cell).ravel())
    w = frac % 1.0
    w %= 1.0
    out["wrapped"] = list(w.ravel())
    lat = Lattice(cell)
    lll = np.asarray(lat.lll_matrix)
    mapping = np.asarray(lat.lll_mapping)
    out["lll"] = list(lll.ravel())
    out["lllMap"] = [int(round(x)) for x in mapping.ravel()]
    iu, ju = np.triu_indices(n, 1)
    if len(iu):
        d = frac[ju] - frac[iu]
        d_lll = d @ np.linalg.inv(mapping)  # frac in the LLL basis: d · M⁻¹ (lll = M · cell)
        dist = brute_min_image(lll, d_lll)
        pmg = lat.get_all_distances(frac, frac)[iu, ju]
        _, ase_d = find_mic(d @ cell, cell, pbc=True)
        STATS["pairs_vs_pymatgen"] = max(STATS["pairs_vs_pymatgen"], rel(pmg, dist))
        STATS["pairs_vs_ase"] = max(STATS["pairs_vs_ase"], rel(ase_d, dist))
        out["pairs"] = list(dist)
    else:
        out["pairs"] = []
    pmg_n = lat.get_niggli_reduced_lattice(tol=1e-5)
    out["niggliPmg"] = list(pmg_n.abc) + list(pmg_n.angles)
    out["niggliFixed"] = niggli_fixed(cell)
    spg = spglib.niggli_reduce(cell, eps=1e-5)
    out["niggliSpg"] = list(cell_to_cellpar(np.asarray(spg)))
    if not params_close(out["niggliPmg"], out["niggliFixed"]):
        STATS["niggli_pmg_vs_fixed"] += 1
    if not params_close(out["niggliSpg"], out["niggliFixed"]):
        STATS["niggli_spg_vs_fixed"] += 1
    STATS["niggli_spg_vs_fixed_max"] = max(STATS["niggli_spg_vs_fixed_max"],
                                           rel(out["niggliSpg"], out["niggliFixed"]))
    mass = float(sum(ase.data.atomic_masses[z] for z in zs))
    out["density"] = [mass * AMU_G_CM3 / out["volume"][0]]
    out["lattice"] = list(cell.ravel())
    out["cellpar"] = list(cellpar)
    return out


def add(acc, zs, frac, res):
    acc.setdefault("numAtoms", []).append(len(zs))
    acc.setdefault("z", []).extend(int(z) for z in zs)
    acc.setdefault("frac", []).extend(float(x) for x in frac.ravel())
    for k, v in res.items():
        acc.setdefault(k, []).extend(float(x) if not isinstance(x, int) else x for x in v)


def dataset(name):
    acc = {}
    with open(os.path.join(ROOT, f"data/{name}/val.csv"), newline="") as f:
        for row in csv.DictReader(f):
            cellpar, symbols, frac = parse_p1_cif(row["cif"])
            zs = [ase.data.atomic_numbers[s] for s in symbols]
            add(acc, zs, frac, compute(cellpar, cellpar_to_cell(cellpar), zs, frac))
    return acc


def random_unimodular(rng, steps):
    t = np.eye(3, dtype=np.int64)
    for _ in range(steps):
        i = rng.integers(3)
        j = (i + 1 + rng.integers(2)) % 3
        k = int(rng.integers(1, 3)) * (1 if rng.random() < 0.5 else -1)
        t[i] += k * t[j]
        if rng.random() < 0.3:
            t[[i, j]] = t[[j, i]]
            t[i] *= -1
    assert round(np.linalg.det(t)) == 1
    return t


def random_set(count=200, seed=20240611):
    """Strongly skewed cells: a random cell re-expressed through a random SL(3, Z) matrix (up to 10 shears),
    with 6 random atoms. The recorded cellpar is the skewed cell's own parameters, so latticeFromParameters
    is exercised on extreme angles too."""
    rng = np.random.default_rng(seed)
    acc = {}
    made = 0
    while made < count:
        a, b, c = rng.uniform(2, 8, 3)
        al, be, ga = rng.uniform(60, 120, 3)
        ca, cb, cg = np.cos(np.radians([al, be, ga]))
        if 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg < 0.04:
            continue
        base = cellpar_to_cell([a, b, c, al, be, ga])
        skew = random_unimodular(rng, int(rng.integers(2, 11)))
        cellpar = list(cell_to_cellpar(skew @ base))
        if min(cellpar[3:]) < 0.5 or max(cellpar[3:]) > 179.5:
            continue
        cell = cellpar_to_cell(cellpar)
        zs = [int(z) for z in rng.integers(1, 84, 6)]
        frac = rng.uniform(-1.5, 2.5, (6, 3))
        add(acc, zs, frac, compute(cellpar, cell, zs, frac))
        made += 1
    return acc


def main():
    sets = {"perov_5": dataset("perov_5"), "carbon_24": dataset("carbon_24"), "random": random_set()}
    elements = {
        "mass": [float(ase.data.atomic_masses[z]) for z in range(1, 119)],
        "covalentRadius": [float(ase.data.covalent_radii[z]) for z in range(1, 119)],
        "electronegativity": [None if math.isnan(Element.from_Z(z).X) else float(Element.from_Z(z).X)
                              for z in range(1, 119)],
    }
    meta = {"generator": "tools/lattice_oracle.py", "ase": __import__("ase").__version__,
            "pymatgen": "2022.11.7 (Debian)", "spglib": spglib.__version__, "numpy": np.__version__,
            "stats": STATS}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with gzip.open(OUT, "wt", compresslevel=9) as f:
        json.dump({"meta": meta, "elements": elements, "sets": sets}, f, separators=(",", ":"))
    print(json.dumps(meta, indent=1))
    print({k: len(v["numAtoms"]) for k, v in sets.items()}, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
