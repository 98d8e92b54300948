#!/usr/bin/env python3
"""Peer for @crys/eval's benchmark: times pymatgen's StructureMatcher on the pairs our bench wrote.

Usage (called by packages/eval/bench/compare.mjs; Debian's python3-pymatgen):
    python3 tools/peers/eval_bench_peer.py PAIRS.json OUT.json

PAIRS.json: {"pairs": [{"a": {"l": [9], "f": [3n], "z": [n]}, "b": {...}}, ...]}
OUT.json: {"pymatgen": version, "fit": {"seconds": s, "cpu_seconds": s, "results": [bool]},
           "rms": {"seconds": s, "cpu_seconds": s, "results": [[rms, max] | null]}}
Structures are built before timing; each workload times a fresh StructureMatcher over all pairs:
`fit(a, b)` with pymatgen's defaults and `get_rms_dist(a, b)` with the field's (stol 0.5, ltol 0.3, angle_tol 10).
"""
import json
import sys
import time
import warnings

from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Lattice, Structure

warnings.filterwarnings("ignore")


def build(d):
    return Structure(Lattice([d["l"][0:3], d["l"][3:6], d["l"][6:9]]), d["z"],
                     [d["f"][i:i + 3] for i in range(0, len(d["f"]), 3)])


def main():
    pairs = json.load(open(sys.argv[1]))["pairs"]
    built = [(build(p["a"]), build(p["b"])) for p in pairs]
    out = {"pymatgen": __import__("pymatgen.core").core.__version__, "count": len(built)}
    m = StructureMatcher()
    t, c = time.perf_counter(), time.process_time()
    fits = [bool(m.fit(a, b)) for a, b in built]
    out["fit"] = {"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - c, "results": fits}
    m = StructureMatcher(stol=0.5, ltol=0.3, angle_tol=10)
    t, c = time.perf_counter(), time.process_time()
    rms = [m.get_rms_dist(a, b) for a, b in built]
    out["rms"] = {"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - c,
                  "results": [None if r is None else [float(r[0]), float(r[1])] for r in rms]}
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
