"""Our Python binding fed a polars DataFrame: `upsert_dataframe` on the scenario's rows, loaded
from an Arrow IPC copy of the CSV (memory-mapped, made before timing, all columns as text — what
a CRM export read by polars looks like). The columns keep their CSV names, which the binding
recognises without a mapping. Prints the upsert's own CPU too (time.process_time around the call)."""
from __future__ import annotations

import argparse
import json
import sys
import time

import polars as pl

import yespo


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rate", type=int, default=0)
    ap.add_argument("--chunk-size", type=int, default=3000)
    args = ap.parse_args()
    frame = pl.read_ipc(args.input + ".arrow")
    with yespo.Client(api_key=args.api_key, base_url=args.base_url, concurrency=args.concurrency,
                      rate_limit=args.rate, chunk_size=args.chunk_size) as client:
        cpu = time.process_time()
        report = client.upsert_dataframe(frame)
        cpu = time.process_time() - cpu
    print(json.dumps({"accepted": report.accepted, "invalid": report.invalid, "rejected": report.rejected,
                      "notSent": report.not_sent, "rows": report.rows, "upsert_cpu_s": round(cpu, 3)}))
    return 0 if report.not_sent == 0 and report.rejected == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
