#!/usr/bin/env python3
"""Oracle pairs for @crys/eval's structure matcher, answered by pymatgen's StructureMatcher.

Builds >= 2000 pairs (A, B) from the committed val sets (data/perov_5/val.csv, data/carbon_24/val.csv):
perturbed copies at several noise levels, rotated, permuted, translated, re-celled by SL(3,Z) matrices,
supercells, different compositions, different structures of one composition, and near-misses around the
length, angle and site tolerances. For every pair it records pymatgen's `fit(A, B)` and `get_rms_dist(A, B)`
under three settings: pymatgen's defaults, the field's evaluation settings (stol 0.5, ltol 0.3, angle_tol 10)
and one variant (primitive_cell=False, scale=False or attempt_supercell=True, cycling by pair index).

Inputs are rounded to 10 decimals BEFORE pymatgen sees them, so the fixture reproduces them exactly.

Output: packages/eval/test/fixtures/matcher_oracle.json.gz
  {"meta": {...}, "pairs": [{"cat": str, "a": {"l": [9], "f": [3n], "z": [n]}, "b": {...},
     "default": [fit, rms|null, max|null], "field": [...], "variant": {"opts": {...}, "res": [...]}}]}
  ("variant" only on every k-th pair with --variant-every k)

Regenerate (Debian's python3-pymatgen, 2022.11.7 here; ~10 CPU-minutes), from the repo root, one process per set:
    python3 tools/eval_oracle.py --sets perov_5 --seed 1 --out /tmp/o1.json.gz &
    python3 tools/eval_oracle.py --sets carbon_24 --seed 2 --variant-every 3 --out /tmp/o2.json.gz & wait
    python3 tools/eval_oracle.py --merge /tmp/o1.json.gz /tmp/o2.json.gz
The committed fixture: perov_5 seeds 1, 2 (525 pairs each); carbon_24 seeds 21-24 (--variant-every 3, 250 pairs
each, cut where the run stood when merged: files are rewritten every --save-every pairs).
"""
import argparse
import csv
import gzip
import json
import os
import sys
import time
import warnings

import numpy as np
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Lattice, Structure

warnings.filterwarnings("ignore")
csv.field_size_limit(10**9)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "packages", "eval", "test", "fixtures", "matcher_oracle.json.gz")

SETTINGS = {
    "default": dict(),
    "field": dict(stol=0.5, ltol=0.3, angle_tol=10),
}
VARIANTS = [dict(primitive_cell=False), dict(scale=False), dict(attempt_supercell=True)]


def read_val(name, limit=None, rng=None):
    out = []
    with open(os.path.join(ROOT, "data", name, "val.csv")) as fh:
        rows = [row["cif"] for row in csv.DictReader(fh)]
    if limit and rng is not None and limit < len(rows):
        rows = [rows[i] for i in sorted(rng.choice(len(rows), size=limit, replace=False))]
    for cif in rows[: limit or None]:
        out.append(Structure.from_str(cif, fmt="cif"))
    return out


def rounded(lattice, frac, species):
    lat = np.round(np.asarray(lattice, dtype=float), 10)
    f = np.round(np.asarray(frac, dtype=float), 10)
    return Structure(Lattice(lat), species, f, coords_are_cartesian=False)


def as_dict(s):
    return {
        "l": [float(x) for x in s.lattice.matrix.reshape(-1)],
        "f": [float(x) for x in s.frac_coords.reshape(-1)],
        "z": [int(sp.Z) for sp in s.species],
    }


def random_rotation(rng):
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def random_unimodular(rng, steps=3):
    m = np.eye(3, dtype=int)
    for _ in range(steps):
        i, j = rng.choice(3, 2, replace=False)
        e = np.eye(3, dtype=int)
        e[i, j] = rng.choice([-1, 1])
        m = e @ m
    perm = rng.permutation(3)
    p = np.eye(3, dtype=int)[perm]
    if round(np.linalg.det(p)) < 0:
        p[0] = -p[0]
    return p @ m


def perturb(s, rng, sigma, strain=0.0):
    """Gaussian Cartesian noise (Å) on every site and an optional random symmetric strain of the lattice."""
    lat = s.lattice.matrix.copy()
    if strain:
        e = rng.normal(scale=strain, size=(3, 3))
        e = (e + e.T) / 2
        lat = lat @ (np.eye(3) + e)
    cart = s.frac_coords @ lat + rng.normal(scale=sigma, size=(len(s), 3))
    frac = cart @ np.linalg.inv(lat)
    return lat, frac


def make_pair(cat, s, rng, pool):
    """Returns (A, B) structures (already rounded) for a category."""
    sp = [x.symbol for x in s.species]
    lat0, f0 = s.lattice.matrix, s.frac_coords
    A = rounded(lat0, f0, sp)
    if cat == "noise":
        sigma = rng.choice([0.005, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5])
        lat, frac = perturb(s, rng, sigma, strain=rng.choice([0.0, 0.01, 0.03]))
        return A, rounded(lat, frac, sp)
    if cat == "rotated":
        lat, frac = perturb(s, rng, rng.choice([0.0, 0.05, 0.15]))
        return A, rounded(lat @ random_rotation(rng).T, frac, sp)
    if cat == "permuted":
        lat, frac = perturb(s, rng, rng.choice([0.0, 0.05, 0.15]))
        p = rng.permutation(len(s))
        return A, rounded(lat, frac[p], [sp[i] for i in p])
    if cat == "translated":
        lat, frac = perturb(s, rng, rng.choice([0.0, 0.05, 0.15]))
        return A, rounded(lat, frac + rng.uniform(-1, 1, size=3), sp)
    if cat == "recelled":
        lat, frac = perturb(s, rng, rng.choice([0.0, 0.03, 0.1]))
        m = random_unimodular(rng, steps=int(rng.integers(1, 5)))
        return A, rounded(m @ lat, frac @ np.linalg.inv(m), sp)
    if cat == "supercell":
        diag = [[2, 1, 1], [1, 2, 1], [1, 1, 2], [2, 2, 1]][int(rng.integers(0, 4))]
        big = s.copy()
        big.make_supercell(diag)
        lat, frac = perturb(big, rng, rng.choice([0.0, 0.03, 0.1]))
        bsp = [x.symbol for x in big.species]
        return A, rounded(lat, frac, bsp)
    if cat == "composition":
        # replace one site's element by another element present in the pool (usually changes the formula)
        other = pool[int(rng.integers(0, len(pool)))]
        elems = sorted({x.symbol for x in other.species} | {"Na", "Si", "N"})
        i = int(rng.integers(0, len(s)))
        new = [e for e in elems if e != sp[i]]
        bsp = list(sp)
        bsp[i] = new[int(rng.integers(0, len(new)))]
        lat, frac = perturb(s, rng, 0.02)
        return A, rounded(lat, frac, bsp)
    if cat == "other":
        # a different crystal of the same size from the same set (mostly non-matches; carbon: same element)
        cands = [o for o in pool if len(o) == len(s) and o is not s]
        o = cands[int(rng.integers(0, len(cands)))] if cands else pool[int(rng.integers(0, len(pool)))]
        if sorted(x.symbol for x in o.species) == sorted(sp) or rng.random() < 0.5:
            return A, rounded(o.lattice.matrix, o.frac_coords, [x.symbol for x in o.species])
        # same formula, other geometry: our species on the other crystal's sites
        osp = list(sp) if len(o) == len(s) else [x.symbol for x in o.species]
        return A, rounded(o.lattice.matrix, o.frac_coords, osp)
    if cat == "near-site":
        # displacements around the site tolerances: one or all sites moved by ~stol · (V/N)^(1/3)
        scale = (s.volume / len(s)) ** (1 / 3)
        target = rng.choice([0.3, 0.5]) * rng.uniform(0.7, 1.3)
        lat = lat0.copy()
        cart = f0 @ lat
        if rng.random() < 0.5:
            i = int(rng.integers(0, len(s)))
            v = rng.normal(size=3)
            cart[i] += v / np.linalg.norm(v) * target * scale
        else:
            v = rng.normal(size=(len(s), 3))
            v /= np.linalg.norm(v, axis=1)[:, None]
            cart += v * target * scale * rng.uniform(0.6, 1.0)
        return A, rounded(lat, cart @ np.linalg.inv(lat), sp)
    if cat == "near-length":
        # one lattice vector stretched near the length tolerances (ltol 0.2 / 0.3), positions kept fractional
        f = rng.choice([1.2, 1.3]) * rng.uniform(0.93, 1.07)
        lat = lat0.copy()
        lat[int(rng.integers(0, 3))] *= f
        return A, rounded(lat, f0, sp)
    if cat == "near-angle":
        # one lattice vector sheared so an angle changes by about the angle tolerances (5° / 10°)
        deg = rng.choice([5.0, 10.0]) * rng.uniform(0.8, 1.2)
        lat = lat0.copy()
        i, j = rng.choice(3, 2, replace=False)
        ang = np.radians(deg)
        # rotate vector i towards j inside their plane by `ang`
        ui = lat[i] / np.linalg.norm(lat[i])
        w = lat[j] - ui * (lat[j] @ ui)
        w /= np.linalg.norm(w)
        lat[i] = np.linalg.norm(lat[i]) * (np.cos(ang) * ui + np.sin(ang) * w)
        return A, rounded(lat, f0, sp)
    raise ValueError(cat)


CATS = ["noise", "rotated", "permuted", "translated", "recelled", "supercell", "composition", "other",
        "near-site", "near-length", "near-angle"]
WEIGHTS = [5, 2, 2, 2, 3, 2, 1, 2, 3, 2, 2]


def answer(matcher, a, b):
    """[fit(a, b), *get_rms_dist(a, b)] sharing one `_preprocess` (the same calls fit/get_rms_dist make)."""
    s1, s2 = matcher._process_species([a, b])
    if matcher._comparator.get_hash(s1.composition) != matcher._comparator.get_hash(s2.composition):
        fit = False
        s1, s2, fu, s1_supercell = matcher._preprocess(s1, s2)
    else:
        s1, s2, fu, s1_supercell = matcher._preprocess(s1, s2)
        m = matcher._match(s1, s2, fu, s1_supercell, break_on_match=True)
        fit = m is not None and bool(m[0] <= matcher.stol)
    m = matcher._match(s1, s2, fu, s1_supercell, use_rms=True, break_on_match=False)
    r = None if m is None else (m[0], max(m[1]))
    return [fit, None if r is None else float(r[0]), None if r is None else float(r[1])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-set", type=int, default=1100)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--variant-every", type=int, default=1, help="record the variant setting for every k-th pair")
    ap.add_argument("--save-every", type=int, default=50, help="rewrite the output every n pairs (partial results)")
    ap.add_argument("--pool", type=int, default=600, help="val crystals parsed per set (random subset)")
    ap.add_argument("--sets", default="perov_5,carbon_24", help="comma-separated val sets (run one per process)")
    ap.add_argument("--merge", nargs="+", help="merge these outputs into --out instead of generating")
    args = ap.parse_args()
    if args.merge:
        parts = [json.load(gzip.open(f, "rt")) for f in args.merge]
        meta = dict(parts[0]["meta"], seed=[p["meta"]["seed"] for p in parts], count=sum(len(p["pairs"]) for p in parts))
        with gzip.open(args.out, "wt") as fh:
            json.dump({"meta": meta, "pairs": [x for p in parts for x in p["pairs"]]}, fh, separators=(",", ":"))
        print(f"merged {meta['count']} pairs into {args.out}", file=sys.stderr)
        return
    rng = np.random.default_rng(args.seed)
    matchers = {k: StructureMatcher(**v) for k, v in SETTINGS.items()}
    variant_matchers = [StructureMatcher(**v) for v in VARIANTS]
    pairs = []
    t0 = time.time()
    probs = np.array(WEIGHTS, dtype=float) / sum(WEIGHTS)
    for name in args.sets.split(","):
        pool = read_val(name, args.pool, rng)
        idx = rng.choice(len(pool), size=args.per_set, replace=len(pool) < args.per_set)
        for k, i in enumerate(idx):
            s = pool[int(i)]
            cat = CATS[int(rng.choice(len(CATS), p=probs))]
            a, b = make_pair(cat, s, rng, pool)
            if rng.random() < 0.5:
                a, b = b, a
            rec = {"set": name, "cat": cat, "a": as_dict(a), "b": as_dict(b)}
            for key, m in matchers.items():
                rec[key] = answer(m, a, b)
            if len(pairs) % args.variant_every == 0:
                vi = (len(pairs) // args.variant_every) % len(VARIANTS)
                rec["variant"] = {"opts": VARIANTS[vi], "res": answer(variant_matchers[vi], a, b)}
            pairs.append(rec)
            if len(pairs) % args.save_every == 0:
                save(args, pairs)
                print(f"{len(pairs)} pairs, {time.time() - t0:.0f} s", file=sys.stderr)
    save(args, pairs)
    print(f"wrote {len(pairs)} pairs to {args.out} in {time.time() - t0:.0f} s", file=sys.stderr)


def save(args, pairs):
    meta = {
        "generator": "tools/eval_oracle.py",
        "seed": args.seed,
        "pymatgen": __import__("pymatgen.core").core.__version__,
        "settings": SETTINGS,
        "variants": VARIANTS,
        "count": len(pairs),
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tmp = args.out + ".part"
    with gzip.open(tmp, "wt") as fh:
        json.dump({"meta": meta, "pairs": pairs}, fh, separators=(",", ":"))
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
