#!/usr/bin/env python3
"""Writes packages/egnn/test/fixtures/egnn_case.json.gz: the PyTorch peer's fixed EGNN case.

Runs the peers' `egnn_ref.py case` (seed 0; weights, two crystals with their ASE neighbour lists, outputs
for float32 and float64, gradient norms and the loss after one Adam step) with PEERS_OUT pointed at a temporary
directory, and stores its JSON gzipped. @crys/egnn's src/peer-case.test.ts loads the peer's weights into `Egnn` and
compares every output.

Regenerate (needs Debian's python3-torch and python3-ase):

    python3 tools/egnn_case.py [--peers DIR]    (DIR defaults to $CRYS_PEERS_DIR)
"""
import argparse
import gzip
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "packages", "egnn", "test", "fixtures", "egnn_case.json.gz")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers", default=os.environ.get("CRYS_PEERS_DIR"), help="folder of egnn_ref.py")
    args = ap.parse_args()
    if not args.peers:
        ap.error("no peers folder: pass --peers DIR or set CRYS_PEERS_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PEERS_OUT=tmp)
        subprocess.run([sys.executable, os.path.join(args.peers, "egnn_ref.py"), "case"], check=True, env=env)
        with open(os.path.join(tmp, "ref", "egnn_case.json"), "rb") as f:
            data = f.read()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    # mtime=0 keeps the gzip bytes reproducible.
    with open(OUT, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, compresslevel=9) as g:
        g.write(data)
    print("wrote", os.path.relpath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
