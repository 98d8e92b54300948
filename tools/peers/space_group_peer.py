#!/usr/bin/env python3
"""Peer for @crys/eval's space-group benchmark: times pymatgen's SpacegroupAnalyzer on the cells our bench wrote.

Usage (called by packages/eval/bench/space-group.mjs; Debian's python3-pymatgen):
    python3 tools/peers/space_group_peer.py CELLS.json OUT.json

CELLS.json: {"symprec": s, "primitiveMaxAtoms": n,
             "cells": [{"name": str, "l": [9], "f": [3n], "z": [n]}, ...]}
OUT.json: {"pymatgen": version, "spglib": version,
           "cells": [{"name", "atoms", "number", "seconds", "primitive": {"atoms", "seconds"} | null}, ...]}
Each structure is built before timing; `seconds` times `SpacegroupAnalyzer(s, symprec).get_space_group_number()`
(spglib on the cell as given, what a pymatgen user runs), and, for cells of at most primitiveMaxAtoms atoms,
`primitive` times `s.get_primitive_structure(tolerance=symprec)` (the reduction crys does before moyo; pymatgen's
builds n x n tables, so it is skipped on large cells).
"""
import json
import sys
import time
import warnings

import spglib
from pymatgen.core import Lattice, Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

warnings.filterwarnings("ignore")


def build(d):
    return Structure(Lattice([d["l"][0:3], d["l"][3:6], d["l"][6:9]]), d["z"],
                     [d["f"][i:i + 3] for i in range(0, len(d["f"]), 3)])


def main():
    spec = json.load(open(sys.argv[1]))
    symprec = spec["symprec"]
    out = {"pymatgen": __import__("pymatgen.core").core.__version__, "spglib": spglib.__version__, "cells": []}
    for d in spec["cells"]:
        s = build(d)
        t = time.perf_counter()
        number = SpacegroupAnalyzer(s, symprec=symprec).get_space_group_number()
        row = {"name": d["name"], "atoms": len(s), "number": number, "seconds": time.perf_counter() - t,
               "primitive": None}
        if len(s) <= spec["primitiveMaxAtoms"]:
            t = time.perf_counter()
            p = s.get_primitive_structure(tolerance=symprec)
            row["primitive"] = {"atoms": len(p), "seconds": time.perf_counter() - t}
        out["cells"].append(row)
        print(f"  pymatgen {d['name']}: {row['seconds']:.2f} s", file=sys.stderr, flush=True)
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
