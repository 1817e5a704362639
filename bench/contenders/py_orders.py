"""Our Python binding in the orders scenario: `upsert_orders_file` on the shop's CSV (the core
streams it, groups an order's item rows and validates)."""
from __future__ import annotations

import argparse
import json
import sys
import time

import yespo


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--concurrency", type=int, default=8)
    args, _ = ap.parse_known_args()
    with yespo.Client(api_key=args.api_key, base_url=args.base_url, concurrency=args.concurrency,
                      rate_limit=0) as client:
        cpu = time.process_time()
        report = client.upsert_orders_file(args.input)
        cpu = time.process_time() - cpu
    print(json.dumps({"accepted": report.accepted, "invalid": report.invalid, "rejected": report.rejected,
                      "notSent": report.not_sent, "rows": report.rows, "upsert_cpu_s": round(cpu, 3)}))
    return 0 if report.not_sent == 0 and report.rejected == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
