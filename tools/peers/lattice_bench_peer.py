#!/usr/bin/env python3
"""Peer benchmark for @crys/lattice: the numpy / ASE equivalents of fracToCart, wrapFrac and minimumImage,
timed on exactly the inputs packages/lattice/bench/compare.mjs writes.

Usage (compare.mjs runs it; by hand):
    python3 tools/peers/lattice_bench_peer.py INPUT_DIR [REPEATS]

INPUT_DIR holds `frac.f64` (3·N float64, atom-major), `delta.f64` (3·N fractional differences) and
`cells.json` ({"name": [9 numbers row-major], ...}). For each operation it prints one JSON line to stdout:
{"op", "cell", "n", "seconds" (median of REPEATS), "checksum"} where checksum is the sum of the outputs
(for minimum image: the sum of the lengths), so the caller can check both sides did the same work.

Equivalents:
  fracToCart    frac @ L                                       (numpy matmul; pymatgen get_cartesian_coords)
  wrapFrac      f % 1.0; f %= 1.0  (twice, as ASE get_scaled_positions(wrap=True), so 1.0 never appears)
  minimumImage  ase.geometry.find_mic(delta @ L, L, pbc=True) in chunks of 100k vectors (ASE's exact
                general search over its Minkowski-reduced cell; one call on 10^6 vectors needs ~1 GB)
  roundingMIC   (d - round(d)) @ L: the common numpy shortcut, NOT exact for skewed cells (reference only)
"""
import json
import os
import statistics
import sys
import time

import numpy as np
from ase.geometry import find_mic


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    d = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    frac = np.fromfile(os.path.join(d, "frac.f64"), dtype="<f8").reshape(-1, 3)
    delta = np.fromfile(os.path.join(d, "delta.f64"), dtype="<f8").reshape(-1, 3)
    with open(os.path.join(d, "cells.json")) as f:
        cells = {k: np.array(v, dtype=float).reshape(3, 3) for k, v in json.load(f).items()}
    n = len(frac)

    def emit(op, cell, seconds, checksum):
        print(json.dumps({"op": op, "cell": cell, "n": n, "seconds": seconds, "checksum": float(checksum)}), flush=True)

    for name, cell in cells.items():
        s, out = timed(lambda: frac @ cell, repeats)
        emit("fracToCart", name, s, out.sum())

        def wrap():
            w = frac % 1.0
            w %= 1.0
            return w

        s, out = timed(wrap, repeats)
        emit("wrapFrac", name, s, out.sum())

        def mic():
            lengths = np.empty(n)
            for a in range(0, n, 100_000):
                _, lengths[a:a + 100_000] = find_mic(delta[a:a + 100_000] @ cell, cell, pbc=True)
            return lengths

        s, out = timed(mic, max(1, repeats // 2))
        emit("minimumImage", name, s, out.sum())

        def rounding():
            r = (delta - np.round(delta)) @ cell
            return np.sqrt((r * r).sum(1))

        s, out = timed(rounding, repeats)
        emit("roundingMIC", name, s, out.sum())


if __name__ == "__main__":
    main()
