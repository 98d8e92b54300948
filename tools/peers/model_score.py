#!/usr/bin/env python3
"""Score predicted structures against the truth with pymatgen's StructureMatcher (the field's settings:
stol=0.5, ltol=0.3, angle_tol=10), the way DiffCSP/CDVAE compute match rate and RMSE.

Cross-checks @crys/model's evaluation (which uses @crys/eval) on the same predictions:

    node apps/cli/dist/bin.js predict --model perov_5 --dataset data/perov_5/val.csv \
        --split holdout --steps 50 --seed 0 --out /tmp/pred.csv
    python3 tools/peers/model_score.py /tmp/pred.csv data/perov_5/val.csv

Prints one JSON object: rows, matched, match_rate, rmse (mean normalised RMS over matched pairs).
"""
import csv
import json
import sys
import warnings

warnings.filterwarnings("ignore")
csv.field_size_limit(10**9)

from pymatgen.analysis.structure_matcher import StructureMatcher  # noqa: E402
from pymatgen.core import Structure  # noqa: E402


def read(path):
    with open(path, newline="") as f:
        return {row["material_id"]: row["cif"] for row in csv.DictReader(f)}


def main():
    pred, truth = read(sys.argv[1]), read(sys.argv[2])
    matcher = StructureMatcher(stol=0.5, angle_tol=10, ltol=0.3)
    matched, rms_sum, n = 0, 0.0, 0
    for mid, cif in pred.items():
        n += 1
        try:
            a = Structure.from_str(cif, fmt="cif")
            b = Structure.from_str(truth[mid], fmt="cif")
            r = matcher.get_rms_dist(a, b)
        except Exception:  # noqa: BLE001 — an unreadable or degenerate prediction counts as no match
            r = None
        if r is not None:
            matched += 1
            rms_sum += r[0]
    print(json.dumps({"rows": n, "matched": matched, "match_rate": matched / max(1, n),
                      "rmse": rms_sum / matched if matched else None}))


if __name__ == "__main__":
    main()
