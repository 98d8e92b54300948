#!/usr/bin/env python3
"""Oracle for @crys/eval's validity and distribution metrics, in Python, as CDVAE / DiffCSP compute them.

* Structural validity: pymatgen `Structure.distance_matrix` (all pairs >= 0.5 Å) and `volume >= 0.1`
  (CDVAE scripts/eval_utils.py `structure_validity`), density (`Structure.density`), number of elements.
* Compositional validity: CDVAE's `smact_validity` re-stated over SMACT 2.2.1's own data files
  (oxidation_states.txt, element_data.txt el_neg, smact.metals) with SMACT's `neutral_ratios` and
  `pauling_test` semantics, run in Python so that None electronegativities raise TypeError exactly as there.
* 1-D Wasserstein distances: `scipy.stats.wasserstein_distance`.

Crystals: val-set crystals (perov_5, carbon_24), copies squeezed until atoms collide, copies with a site's
element replaced, and random compositions (element lists only).

Output: packages/eval/test/fixtures/metrics_oracle.json.gz

Regenerate (needs a SMACT checkout at tag v2.2, see tools/eval_tables.py):
    python3 tools/eval_metrics_oracle.py --smact /tmp/SMACT
"""
import argparse
import ast
import csv
import gzip
import itertools
import json
import os
import warnings

import numpy as np
from pymatgen.core import Lattice, Structure
from scipy.stats import wasserstein_distance

warnings.filterwarnings("ignore")
csv.field_size_limit(10**9)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "packages", "eval", "test", "fixtures", "metrics_oracle.json.gz")


def load_smact(path):
    def rows(p):
        for line in open(p):
            line = line.strip()
            if line and not line.startswith("#"):
                yield line.split()

    data = os.path.join(path, "smact", "data")
    ox = {r[0]: [int(x) for x in r[1:]] for r in rows(os.path.join(data, "oxidation_states.txt"))}
    eneg = {}
    for r in rows(os.path.join(data, "element_data.txt")):
        try:
            eneg[r[0]] = float(r[9])
        except ValueError:
            eneg[r[0]] = None
    metals = None
    for node in ast.parse(open(os.path.join(path, "smact", "__init__.py")).read()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "metals":
            metals = ast.literal_eval(node.value)
    return ox, eneg, metals


def eneg_states_test(ox_states, enegs):
    # SMACT 2.2.1 screening.eneg_states_test semantics
    for (ox1, e1), (ox2, e2) in itertools.combinations(list(zip(ox_states, enegs)), 2):
        if (ox1 > 0) and (ox2 < 0) and (e1 >= e2):
            return False
        elif (ox1 < 0) and (ox2 > 0) and (e1 <= e2):
            return False
        elif e1 is None or e2 is None:
            return False
    return True


def smact_validity(symbols, counts, tables):
    ox, eneg, metals = tables
    if any(s not in eneg for s in symbols):
        return False  # SMACT's Element() raises for elements without data
    electronegs = [eneg[s] for s in symbols]
    ox_combos = [ox.get(s) or [] for s in symbols]
    if len(set(symbols)) == 1:
        return True
    if all(s in metals for s in symbols):
        return True
    for ox_states in itertools.product(*ox_combos):
        if sum(o * c for o, c in zip(ox_states, counts)) == 0 and np.gcd.reduce(counts) == 1:
            try:
                ok = eneg_states_test(ox_states, electronegs)
            except TypeError:
                ok = True
            if ok:
                return True
    return False


def composition(zs):
    from pymatgen.core.periodic_table import Element

    elems = sorted(set(zs))
    counts = np.array([zs.count(z) for z in elems])
    counts = counts // np.gcd.reduce(counts)
    return [Element.from_Z(z).symbol for z in elems], [int(c) for c in counts]


def structure_validity(s, cutoff=0.5):
    d = s.distance_matrix + np.diag(np.ones(len(s)) * (cutoff + 10.0))
    return not (d.min() < cutoff or s.volume < 0.1)


def read_val(name, limit):
    out = []
    with open(os.path.join(ROOT, "data", name, "val.csv")) as fh:
        for row in csv.DictReader(fh):
            out.append(Structure.from_str(row["cif"], fmt="cif"))
            if len(out) >= limit:
                break
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smact", required=True)
    ap.add_argument("--per-set", type=int, default=400)
    ap.add_argument("--random", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    tables = load_smact(args.smact)
    crystals = []
    for name in ["perov_5", "carbon_24"]:
        for s in read_val(name, args.per_set):
            kind = rng.choice(["as-is", "squeezed", "swapped"], p=[0.5, 0.25, 0.25])
            lat = s.lattice.matrix.copy()
            zs = [sp.Z for sp in s.species]
            if kind == "squeezed":
                lat = lat * rng.uniform(0.2, 0.6)
            elif kind == "swapped":
                zs[int(rng.integers(0, len(zs)))] = int(rng.integers(1, 95))
            t = Structure(Lattice(np.round(lat, 10)), zs, np.round(s.frac_coords, 10))
            sym, cnt = composition(zs)
            crystals.append({
                "set": name, "kind": str(kind),
                "l": [float(x) for x in t.lattice.matrix.reshape(-1)],
                "f": [float(x) for x in t.frac_coords.reshape(-1)], "z": zs,
                "struct": bool(structure_validity(t)), "comp": bool(smact_validity(sym, cnt, tables)),
                "density": float(t.density), "nelems": len(set(t.species)),
            })
    comps = []
    for _ in range(args.random):
        k = int(rng.integers(2, 5))
        elems = [int(x) for x in rng.choice(np.arange(1, 104), size=k, replace=False)]
        zs = []
        for z in elems:
            zs += [z] * int(rng.integers(1, 7))
        sym, cnt = composition(zs)
        comps.append({"z": zs, "comp": bool(smact_validity(sym, cnt, tables))})
    dens = [c["density"] for c in crystals]
    nel = [c["nelems"] for c in crystals]
    half = len(crystals) // 2
    wd = {
        "density": float(wasserstein_distance(dens[:half], dens[half:])),
        "nelems": float(wasserstein_distance(nel[:half], nel[half:])),
        "half": half,
    }
    with gzip.open(args.out, "wt") as fh:
        json.dump({"meta": {"generator": "tools/eval_metrics_oracle.py", "seed": args.seed},
                   "crystals": crystals, "compositions": comps, "wasserstein": wd}, fh, separators=(",", ":"))
    print(f"wrote {len(crystals)} crystals, {len(comps)} compositions to {args.out}; "
          f"comp valid {np.mean([c['comp'] for c in comps]):.3f}")


if __name__ == "__main__":
    main()
