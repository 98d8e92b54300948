#!/usr/bin/env python3
"""Oracle fixtures for @crys/graph: ASE's neighbor_list('ijSd') on the val datasets and on skewed cells.

Regenerate (Debian's python3-ase and numpy; a few minutes on 2 cores):

    python3 tools/graph_oracle.py            # from the repository root

Writes, under packages/graph/test/fixtures/:
  oracle-digests.json.gz  every crystal of data/perov_5/val.csv and data/carbon_24/val.csv at 4, 6 and 8 Å:
                          a per-crystal digest of the edge multiset (checked by src/oracle.slow.test.ts)
  oracle-edges.json.gz    full edge lists (i, j, S, d) for a subset of those crystals and for random,
                          strongly skewed cells (checked by src/oracle.test.ts, the default suite)

Conventions (the same as the peers' neighbors_ref.py `ref`):
  * atoms in CIF file order; fractional coordinates exactly as written (NOT wrapped); lattice from the cell
    parameters with ASE's cellpar_to_cell (the orientation of @crys/lattice latticeFromParameters)
  * edge (i, j, S, d) with d = |(x_j + S - x_i) @ L| < cutoff, i != j or S != 0
  * "amb": edges with |d - cutoff| <= 1e-6 (found with a 1e-3 larger cutoff). A port may include or exclude
    them, so digests exclude them and list them separately; full edge lists include ASE's (d < cutoff) ones and
    mark the ambiguous ones.

Digest of a crystal at a cutoff, over the non-ambiguous edges:
  ne          number of edges
  h1, h2      sum mod 2**32 of hash32(i, j, Sx, Sy, Sz; seed) with seeds SEED1, SEED2 (order independent)
  sd, sd2     math.fsum of d and of d**2
  q           the sorted distances at ranks floor(k (ne - 1) / 8), k = 0..8
"""
import csv
import gzip
import io
import json
import math
import os
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")
from ase import Atoms  # noqa: E402
from ase.geometry import cellpar_to_cell  # noqa: E402
from ase.neighborlist import neighbor_list  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "packages", "graph", "test", "fixtures")
CUTOFFS = (4.0, 6.0, 8.0)
AMB = 1e-6
SEED1 = 0x2545F491
SEED2 = 0x6A09E667
# Full edge lists: every PEROV_STRIDE-th perov_5 crystal and every CARBON_STRIDE-th carbon_24 crystal.
PEROV_STRIDE = 25
CARBON_STRIDE = 80
N_SKEWED = 24

csv.field_size_limit(sys.maxsize)
CELL_KEYS = ("_cell_length_a", "_cell_length_b", "_cell_length_c",
             "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma")


def parse_p1_cif(cif):
    """pymatgen P1 CIF -> (cellpar, symbols, frac) in file order, coordinates as written (peers/common.py)."""
    cp, cols, rows, mode = {}, [], [], None
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
            mode, cur = "head", []
            continue
        if mode == "head" and t[0].startswith("_"):
            cur.append(t[0])
            continue
        if mode == "head":
            mode = "atom" if "_atom_site_fract_x" in cur else "other"
            if mode == "atom":
                cols = cur
        if mode == "atom":
            rows.append(t)
    ix = cols.index("_atom_site_fract_x")
    isym = cols.index("_atom_site_type_symbol")
    return ([cp[k] for k in CELL_KEYS], [r[isym] for r in rows],
            np.array([[float(x) for x in r[ix:ix + 3]] for r in rows], dtype=float))


def load(name):
    with open(os.path.join(ROOT, "data", name, "val.csv"), newline="") as f:
        return [(r["material_id"],) + tuple(parse_p1_cif(r["cif"])) for r in csv.DictReader(f)]


M32 = np.uint64(0xFFFFFFFF)


def imul(a, b):
    return (a * np.uint64(b)) & M32


def hash32(cols, seed):
    """Vectorised hash of int columns, bit-identical to hashEdge32 in src/test-helpers/digest.ts."""
    h = np.full(len(cols[0]), seed, dtype=np.uint64)
    for v in cols:
        v = np.asarray(v, dtype=np.int64) % (1 << 32)
        h = imul(h ^ v.astype(np.uint64), 0x9E3779B1)
        h ^= h >> np.uint64(15)
    h = imul(h ^ (h >> np.uint64(16)), 0x85EBCA6B)
    h ^= h >> np.uint64(13)
    return h


def neighbors(lattice, frac, symbols, rc_max):
    """One ASE call at the largest cutoff (+1e-3); smaller cutoffs are filtered from it."""
    atoms = Atoms(symbols, scaled_positions=frac, cell=lattice, pbc=True)
    i, j, S, d = neighbor_list("ijSd", atoms, rc_max + 1e-3, self_interaction=False)
    return i, j, np.rint(S).astype(np.int64), d


def edges(nl, rc):
    i, j, S, d = nl
    m = d <= rc + 1e-3
    i, j, S, d = i[m], j[m], S[m], d[m]
    amb = np.abs(d - rc) <= AMB
    keep = d < rc
    return i, j, S, d, keep, amb


def digest(i, j, S, d, keep, amb):
    m = keep & ~amb
    i, j, S, d = i[m], j[m], S[m], d[m]
    cols = (i, j, S[:, 0], S[:, 1], S[:, 2])
    ds = np.sort(d)
    ne = len(d)
    q = [float(ds[(k * (ne - 1)) // 8]) for k in range(9)] if ne else []
    return {"ne": int(ne), "h1": int(hash32(cols, SEED1).sum() % (1 << 32)),
            "h2": int(hash32(cols, SEED2).sum() % (1 << 32)),
            "sd": math.fsum(d.tolist()), "sd2": math.fsum((d * d).tolist()), "q": q}


def full(i, j, S, d, keep, amb):
    m = keep | amb
    o = np.lexsort((S[m][:, 2], S[m][:, 1], S[m][:, 0], j[m], i[m]))
    ii, jj, SS, dd, aa = i[m][o], j[m][o], S[m][o], d[m][o], amb[m][o]
    return {"src": ii.tolist(), "dst": jj.tolist(), "image": SS.ravel().tolist(), "d": dd.tolist(),
            "amb": np.nonzero(aa)[0].tolist(), "inAse": [int(k) for k in np.nonzero(aa)[0] if keep[m][o][k]]}


def skewed_cells(rng):
    cells = []
    for k in range(N_SKEWED):
        kind = k % 4
        if kind == 0:
            # tiny cell against the cutoff
            a = rng.uniform(1.6, 2.6)
            L = np.diag([a, a * rng.uniform(0.9, 1.3), a * rng.uniform(0.9, 1.5)])
        else:
            L = np.diag(rng.uniform(2.5, 6.0, 3)) + rng.uniform(-1.0, 1.0, (3, 3))
        if kind in (1, 2):
            # strongly skewed basis of the same lattice: a product of integer shears
            for _ in range(3 if kind == 1 else 6):
                r, c = rng.choice(3, 2, replace=False)
                M = np.eye(3)
                M[r, c] = rng.integers(-3, 4)
                L = M @ L
        if kind == 3:
            # genuinely acute/flat cell: c nearly in the ab plane, b nearly along a
            L[1] = L[0] * rng.uniform(0.8, 1.2) + np.array([0.0, rng.uniform(0.4, 0.9), 0.0])
            L[2] = L[0] * rng.uniform(-1.0, 1.0) + L[1] * rng.uniform(-1.0, 1.0) + np.array([0.0, 0.0, rng.uniform(0.7, 1.5)])
        if np.linalg.det(L) < 0:
            L[2] = -L[2]
        n = int(rng.integers(1, 6))
        frac = rng.uniform(-1.5, 2.5, (n, 3))
        cells.append((f"skewed-{k}", L, frac))
    return cells


def main():
    os.makedirs(OUT, exist_ok=True)
    digests = {"seeds": [SEED1, SEED2], "cutoffs": list(CUTOFFS), "ambiguity": AMB, "datasets": {}}
    full_sets = {"cutoffs": list(CUTOFFS), "ambiguity": AMB, "crystals": []}
    for name, stride in (("perov_5", PEROV_STRIDE), ("carbon_24", CARBON_STRIDE)):
        data = load(name)
        rows = []
        for r, (mid, cp, sym, frac) in enumerate(data):
            L = cellpar_to_cell(cp)
            rec = {"id": mid, "n": len(sym)}
            want_full = r % stride == 0
            if want_full:
                fe = {"dataset": name, "row": r, "id": mid, "lattice": L.ravel().tolist(),
                      "fracCoords": frac.ravel().tolist(), "symbols": sym, "edges": {}}
            nl = neighbors(L, frac, sym, max(CUTOFFS))
            for rc in CUTOFFS:
                e = edges(nl, rc)
                rec[f"{rc:g}"] = digest(*e)
                amb = e[5]
                if amb.any():
                    i, j, S, d = e[0][amb], e[1][amb], e[2][amb], e[3][amb]
                    rec[f"{rc:g}"]["amb"] = [[int(a), int(b), *map(int, s), float(x)] for a, b, s, x in zip(i, j, S, d)]
                if want_full:
                    fe["edges"][f"{rc:g}"] = full(*e)
            rows.append(rec)
            if want_full:
                full_sets["crystals"].append(fe)
            if r % 500 == 0:
                print(name, r, flush=True)
        digests["datasets"][name] = rows
    rng = np.random.default_rng(20261126)
    for cid, L, frac in skewed_cells(rng):
        fe = {"dataset": "skewed", "row": -1, "id": cid, "lattice": L.ravel().tolist(),
              "fracCoords": frac.ravel().tolist(), "symbols": ["C"] * len(frac), "edges": {}}
        nl = neighbors(L, frac, fe["symbols"], max(CUTOFFS))
        for rc in CUTOFFS:
            fe["edges"][f"{rc:g}"] = full(*edges(nl, rc))
        full_sets["crystals"].append(fe)
    for fname, obj in (("oracle-digests.json.gz", digests), ("oracle-edges.json.gz", full_sets)):
        path = os.path.join(OUT, fname)
        with gzip.open(path, "wt", compresslevel=9) as f:
            json.dump(obj, f, separators=(",", ":"))
        print(fname, os.path.getsize(path), "bytes", flush=True)


if __name__ == "__main__":
    main()
