#!/usr/bin/env python3
"""Real-world oracle for @crys/io: what pymatgen and ASE read from the files we read.

Writes (gzip JSON, compact) under packages/io/test/fixtures/oracle/:
  val_perov_5.json.gz, val_carbon_24.json.gz   every row of data/<ds>/val.csv through pymatgen's CifParser
                                               (get_structures(primitive=False)[0], what Structure.from_str does)
  real.json.gz                                 every file in packages/io/test/fixtures/real/ through pymatgen and
                                               ASE (per reader: site count after symmetry expansion, lattice
                                               parameters, fractional coordinates wrapped into [0, 1), species
                                               with occupancies; or the error)
and, from a few real CIFs, files written by the peers themselves (so our readers meet their writers):
  real/generated/<name>.POSCAR (pymatgen Poscar), <name>.vasp (ASE vasp, VASP 5, Cartesian),
  <name>.extxyz (ASE extxyz), <name>.json (pymatgen Structure.as_dict()).

Regenerate (a few minutes):  python3 tools/io_oracle.py
Needs Debian's python3-pymatgen (2022.11.7) and python3-ase (3.22.1).
"""
import gzip
import io
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import ase.io  # noqa: E402
from pymatgen.core import Structure  # noqa: E402
from pymatgen.io.cif import CifParser  # noqa: E402
from pymatgen.io.vasp import Poscar  # noqa: E402

csv_mod = __import__("csv")
csv_mod.field_size_limit(sys.maxsize)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "packages", "io", "test", "fixtures")
OUT = os.path.join(FIX, "oracle")
REAL = os.path.join(FIX, "real")


def r8(x):
    return [round(float(v), 8) for v in x]


def pmg_record(s):
    species = []
    for site in s:
        species.append({str(sp.element.Z if hasattr(sp, "element") else sp.Z): round(float(o), 6)
                        for sp, o in site.species.items()})
    frac = np.mod(s.frac_coords, 1.0)
    lat = s.lattice
    return {"n": len(s), "cell": r8(lat.abc + lat.angles), "frac": r8(frac.ravel()), "species": species}


def ase_record(a):
    frac = np.mod(a.get_scaled_positions(wrap=False), 1.0)
    occ = a.info.get("occupancy")
    return {"n": len(a), "cell": r8(a.cell.cellpar()), "frac": r8(frac.ravel()),
            "numbers": [int(z) for z in a.numbers], "partial": bool(occ)}


def dataset(ds):
    rows = list(csv_mod.DictReader(open(os.path.join(ROOT, "data", ds, "val.csv"), newline="")))
    out = []
    for r in rows:
        s = CifParser.from_string(r["cif"]).get_structures(primitive=False)[0]
        rec = pmg_record(s)
        rec["z"] = [int(next(iter(d))) for d in rec.pop("species")]
        out.append(rec)
    with gzip.open(os.path.join(OUT, f"val_{ds}.json.gz"), "wt") as f:
        json.dump(out, f, separators=(",", ":"))
    print(ds, len(out), "rows")


def read_one(path):
    rec = {}
    fmt = None
    name = os.path.basename(path)
    low = name.lower()
    if low.endswith(".cif"):
        fmt = "cif"
    try:
        if fmt == "cif":
            p = CifParser(path)
            rec["pymatgen"] = pmg_record(p.get_structures(primitive=False)[0])
        else:
            s = Structure.from_file(path)
            rec["pymatgen"] = pmg_record(s)
    except Exception as e:  # noqa: BLE001
        rec["pymatgen"] = {"error": f"{type(e).__name__}: {e}"[:300]}
    try:
        a = ase.io.read(path, format={"cif": "cif"}.get(fmt) or
                        ("extxyz" if low.endswith(("xyz", "extxyz")) else
                         "vasp" if ("poscar" in low or low.endswith(".vasp")) else None))
        rec["ase"] = ase_record(a)
    except Exception as e:  # noqa: BLE001
        rec["ase"] = {"error": f"{type(e).__name__}: {e}"[:300]}
    return rec


GENERATE = ["cif2hkl__LaMnO3.cif", "avogadro__oxides__CaTiO3-Perovskite.cif", "cif2hkl__9013104.cif",
            "avogadro__silicates__Mg2SiO4-Forsterite.cif"]


def generate():
    gdir = os.path.join(REAL, "generated")
    os.makedirs(gdir, exist_ok=True)
    for name in GENERATE:
        path = os.path.join(REAL, "cif", name)
        if not os.path.exists(path):
            continue
        stem = name[:-4]
        s = CifParser(path).get_structures(primitive=False)[0]
        if not s.is_ordered:
            continue
        Poscar(s).write_file(os.path.join(gdir, f"{stem}.POSCAR"))
        with open(os.path.join(gdir, f"{stem}.json"), "w") as f:
            json.dump(s.as_dict(), f)
        a = ase.io.read(path)
        ase.io.write(os.path.join(gdir, f"{stem}.vasp"), a, format="vasp", direct=False, vasp5=True)
        # A two-frame trajectory: the structure and a slightly strained copy (a relaxation path).
        b = a.copy()
        b.set_cell(a.cell * 1.01, scale_atoms=True)
        b.info["step"] = 1
        a.info["step"] = 0
        ase.io.write(os.path.join(gdir, f"{stem}.extxyz"), [a, b], format="extxyz")


def real():
    out = {}
    for sub in ("cif", "xyz", "generated"):
        d = os.path.join(REAL, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            out[f"{sub}/{name}"] = read_one(os.path.join(d, name))
    with gzip.open(os.path.join(OUT, "real.json.gz"), "wt") as f:
        json.dump(out, f, separators=(",", ":"))
    ok = sum(1 for r in out.values() if "error" not in r["pymatgen"])
    print("real", len(out), "files;", ok, "read by pymatgen")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    generate()
    real()
    if "--real-only" not in sys.argv:
        for ds in ("perov_5", "carbon_24"):
            dataset(ds)
