"""A Python process on a shared budget: upserts an NDJSON file through the binding and prints the
report's summary JSON on stdout (exit 0 when every row was accepted, 2 when the client could not
start). Options come as flags so that the API key stays in the environment (YESPO_API_KEY)."""
from __future__ import annotations

import argparse
import json
import sys

import yespo


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--rate", type=int, required=True)
    ap.add_argument("--chunk-size", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--shared-budget")
    ap.add_argument("--budget-name")
    ap.add_argument("--fallback")
    ap.add_argument("--processes", type=int)
    args = ap.parse_args()
    try:
        client = yespo.Client(base_url=args.base_url, rate_limit=args.rate, chunk_size=args.chunk_size,
                              concurrency=args.concurrency, shared_budget=args.shared_budget,
                              shared_budget_name=args.budget_name, shared_budget_fallback=args.fallback,
                              shared_budget_processes=args.processes)
    except yespo.YespoError as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    with client:
        report = client.upsert_file(args.input)
    print(json.dumps(report.summary()))
    return 0 if report.accepted == report.rows else 1


if __name__ == "__main__":
    sys.exit(main())
