#!/usr/bin/env python3
"""Where the CPU of `upsert_contacts` from Python dicts goes: orjson's own cost (encoding the
same rows in the same batches) against everything the library adds (its Python glue, the core's
validation, chunking and sending, and the report), in µs of CPU per row, against the emulator.

The dicts are built before timing starts (building them is the caller's cost, not ours). CPU is
the process's (every thread: the feeder, the engine, the job's callbacks).

    python bench/py_split.py [--rows 200000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "contenders"))
from harness.emulator import Emulator  # noqa: E402
from csv_contacts import row_to_contact  # noqa: E402

import orjson  # noqa: E402
import yespo  # noqa: E402
from yespo._rows import encode_batch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-key"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=5000)
    args = ap.parse_args()
    work = ROOT / "bench" / "work"
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"split-{args.rows}.csv"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_contacts.py"), "--rows", str(args.rows),
                        "--format", "csv", "--seed", "7", "--bad-every", "997", "--out", str(path)],
                       check=True, stdout=subprocess.DEVNULL)
    with open(path, newline="", encoding="utf-8") as f:
        rows = [row_to_contact(r) for r in csv.DictReader(f)]
    n = len(rows)
    best_orjson = best_total = float("inf")
    with Emulator(API_KEY) as emu:
        for _ in range(args.repeat):
            t0 = time.process_time()
            for i in range(0, n, args.batch):
                encode_batch(rows[i:i + args.batch], i + 1, {})
            best_orjson = min(best_orjson, time.process_time() - t0)
            emu.reset()
            with yespo.Client(api_key=API_KEY, base_url=emu.api_url, rate_limit=0) as client:
                t0 = time.process_time()
                report = client.upsert_contacts(rows, batch_size=args.batch)
                best_total = min(best_total, time.process_time() - t0)
            assert report.rows == n and report.accepted + report.invalid == n, report
    us = 1e6 / n
    print(f"{n:,} rows (best of {args.repeat}), µs of CPU per row:")
    print(f"  upsert_contacts, in all      {best_total * us:6.2f}")
    print(f"  orjson (encode_batch)        {best_orjson * us:6.2f}")
    print(f"  the library beyond orjson    {(best_total - best_orjson) * us:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
