"""Our Python binding, the two ways a script uses it: `upsert_file` on the CSV (the core streams
and parses it), or `upsert_contacts` fed by csv.DictReader rows converted to dicts in Python."""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time

import yespo

from csv_contacts import row_to_contact


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["file", "dictreader"], required=True)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rate", type=int, default=0)
    ap.add_argument("--chunk-size", type=int, default=3000)
    ap.add_argument("--shared-budget")   # the "shared" scenario: one budget for every process
    args = ap.parse_args()
    with yespo.Client(api_key=args.api_key, base_url=args.base_url, concurrency=args.concurrency,
                      rate_limit=args.rate, chunk_size=args.chunk_size,
                      shared_budget=args.shared_budget) as client:
        cpu = time.process_time()
        if args.mode == "file":
            report = client.upsert_file(args.input)
        else:
            with open(args.input, newline="", encoding="utf-8", errors="replace") as f:
                report = client.upsert_contacts(row_to_contact(r) for r in csv.DictReader(f))
        cpu = time.process_time() - cpu
    print(json.dumps({"accepted": report.accepted, "invalid": report.invalid, "rejected": report.rejected,
                      "notSent": report.not_sent, "rows": report.rows, "upsert_cpu_s": round(cpu, 3)}))
    return 0 if report.not_sent == 0 and report.rejected == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
