#!/usr/bin/env python3
"""Where one-sample structure predictions fail, by pymatgen (the field's StructureMatcher settings: stol 0.5,
ltol 0.3, angle_tol 10; space groups by SpacegroupAnalyzer at symprec 0.1).

Each prediction falls in one class:
  tight        matched with RMS < 0.1 (the right structure)
  ordering     not tight, but tight species-blind (FrameworkComparator): the right geometry, the species on
               the wrong sites (Perov-5's A/B cations, or mixed anions)
  loose        matched, RMS >= 0.1, and not tight species-blind
  frame-loose  not matched with species; matched species-blind only loosely
  none         not matched even species-blind
and, separately, whether its lattice is found: the Niggli cell of the prediction, scaled to the truth's volume,
maps onto the truth's Niggli cell within ltol 0.3 / angle_tol 10 (the matcher's lattice test, without the
atoms; same atom count only). On Carbon-24 this separates "wrong cell" from "right cell, wrong atoms".

    node apps/cli/dist/bin.js eval --model carbon_24 --data data/carbon_24/val.csv --split valid --seed 0 -o /tmp/pred.csv
    python3 tools/peers/csp_failures.py /tmp/pred.csv data/carbon_24/val.csv [--rows rows.json]

Prints one JSON object: the counts per class, per truth space group, and the lattice-found counts.
"""
import collections
import csv
import json
import sys
import warnings

warnings.filterwarnings("ignore")
csv.field_size_limit(10**9)

from pymatgen.analysis.structure_matcher import FrameworkComparator, StructureMatcher  # noqa: E402
from pymatgen.core import Structure  # noqa: E402
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer  # noqa: E402

TIGHT = 0.1


def read(path):
    with open(path, newline="") as f:
        return {row["material_id"]: row["cif"] for row in csv.DictReader(f)}


def space_group(s):
    try:
        return SpacegroupAnalyzer(s, symprec=0.1).get_space_group_symbol()
    except Exception:  # noqa: BLE001 — a degenerate prediction has no space group
        return "?"


def lattice_found(pred, truth):
    if len(pred) != len(truth):
        return None
    a = pred.get_reduced_structure()
    a.scale_lattice(truth.volume)
    b = truth.get_reduced_structure()
    return a.lattice.find_mapping(b.lattice, ltol=0.3, atol=10) is not None


def main():
    args = sys.argv[1:]
    rows_out = None
    if "--rows" in args:
        i = args.index("--rows")
        rows_out = args[i + 1]
        del args[i : i + 2]
    pred, truth = read(args[0]), read(args[1])
    sm = StructureMatcher(stol=0.5, ltol=0.3, angle_tol=10)
    fm = StructureMatcher(stol=0.5, ltol=0.3, angle_tol=10, comparator=FrameworkComparator())
    classes = collections.Counter()
    by_group = collections.defaultdict(collections.Counter)
    lattice = collections.Counter()
    rows = []
    for mid, cif in pred.items():
        t = Structure.from_str(truth[mid], fmt="cif")
        try:
            p = Structure.from_str(cif, fmt="cif")
            r = sm.get_rms_dist(p, t)  # the field's order (CDVAE, DiffCSP): prediction first
            f = fm.get_rms_dist(p, t)
        except Exception:  # noqa: BLE001 — unreadable or degenerate: no match
            p, r, f = None, None, None
        if r is not None and r[0] < TIGHT:
            k = "tight"
        elif f is not None and f[0] < TIGHT:
            k = "ordering"
        elif r is not None:
            k = "loose"
        elif f is not None:
            k = "frame-loose"
        else:
            k = "none"
        sg = space_group(t)
        classes[k] += 1
        by_group[sg][k] += 1
        found = lattice_found(p, t) if p is not None else None
        lattice[{True: "found", False: "not found", None: "other atom count"}[found]] += 1
        if found:
            lattice["found and matched"] += r is not None
        rows.append(
            {
                "id": mid,
                "class": k,
                "rms": r and r[0],
                "framework_rms": f and f[0],
                "truth_group": sg,
                "predicted_group": space_group(p) if p is not None else "?",
                "lattice_found": found,
            }
        )
    if rows_out:
        with open(rows_out, "w") as f:
            json.dump(rows, f)
    print(
        json.dumps(
            {
                "rows": len(pred),
                "classes": dict(classes),
                "by_truth_group": {g: dict(c) for g, c in sorted(by_group.items())},
                "lattice": dict(lattice),
            }
        )
    )


if __name__ == "__main__":
    main()
