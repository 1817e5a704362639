"""Chaos front end for the Python binding: upserts an NDJSON file through `upsert_contacts` (or,
with `--kind orders`, `upsert_orders`) fed by a generator (the path most scripts take) and writes
the report summary and every row's outcome."""
from __future__ import annotations

import argparse
import json
import os
import sys

import yespo


def rows(path: str):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def main() -> int:
    ap = argparse.ArgumentParser()
    for flag in ("--input", "--base-url", "--report", "--rows"):
        ap.add_argument(flag, required=True)
    for flag in ("--concurrency", "--rate", "--chunk-size"):
        ap.add_argument(flag, type=int, required=True)
    ap.add_argument("--wait", action="store_true")
    ap.add_argument("--dedupe-on", default="email")
    ap.add_argument("--group", action="append", default=[])
    ap.add_argument("--ack-on")
    ap.add_argument("--import-timeout", type=float, default=1200.0)
    ap.add_argument("--kind", choices=["contacts", "orders"], default="contacts")
    a = ap.parse_args()
    job = {"wait": a.wait, "batch_size": 1000, "dedupe_on": a.dedupe_on}
    if a.group:
        job["group_names"] = a.group
    if a.ack_on:
        job["ack_on"] = a.ack_on
    with yespo.Client(os.environ["YESPO_API_KEY"], base_url=a.base_url, concurrency=a.concurrency,
                      rate_limit=a.rate, chunk_size=a.chunk_size, retry_base=0.05, retry_max=1.0,
                      import_poll_interval=0.1, import_timeout=a.import_timeout) as client:
        if a.kind == "orders":      # orders take no import wait and no contact options
            report = client.upsert_orders(rows(a.input))
        else:
            report = client.upsert_contacts(rows(a.input), **job)
        with open(a.report, "w", encoding="utf-8") as f:
            json.dump(report.summary(), f)
        with open(a.rows, "w", encoding="utf-8") as f:
            for r in report.rows_with():
                f.write(json.dumps(r.to_dict()) + "\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
