#!/usr/bin/env python3
"""Space groups of every val-set crystal by spglib (Debian python3-spglib, via pymatgen's SpacegroupAnalyzer), to
check @crys/eval's `spaceGroup` (moyo) in its slow test.

Output: packages/eval/test/fixtures/spacegroup_oracle.json.gz  {"symprec": 0.1, "perov_5": [n...], "carbon_24": [n...]}
(one space-group number per CSV row, in file order).

Regenerate: python3 tools/eval_spacegroup_oracle.py
"""
import csv
import gzip
import json
import os
import warnings

from pymatgen.core import Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

warnings.filterwarnings("ignore")
csv.field_size_limit(10**9)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "packages", "eval", "test", "fixtures", "spacegroup_oracle.json.gz")
SYMPREC = 0.1

out = {"symprec": SYMPREC, "spglib": __import__("spglib").__version__}
for name in ["perov_5", "carbon_24"]:
    nums = []
    with open(os.path.join(ROOT, "data", name, "val.csv")) as fh:
        for row in csv.DictReader(fh):
            s = Structure.from_str(row["cif"], fmt="cif")
            nums.append(SpacegroupAnalyzer(s, symprec=SYMPREC).get_space_group_number())
    out[name] = nums
with gzip.open(OUT, "wt") as fh:
    json.dump(out, fh)
print("wrote", OUT, {k: len(v) for k, v in out.items() if isinstance(v, list)})
