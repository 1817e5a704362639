"""Baseline: what a competent user writes with `requests` — sequential 3000-row chunks over one
keep-alive session, simple retry with backoff on 429/5xx and connection errors."""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time

import requests

from csv_contacts import row_to_contact

RETRYABLE = {408, 429, 500, 502, 503, 504}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--chunk-size", type=int, default=3000)
    ap.add_argument("--retries", type=int, default=8)
    args, _ = ap.parse_known_args()
    session = requests.Session()
    session.auth = ("", args.api_key)
    stats = {"requests": 0, "retries": 0, "rowsSent": 0, "rowsLost": 0}

    def send(chunk: list) -> None:
        body = json.dumps({"contacts": chunk, "dedupeOn": "email"})
        for attempt in range(args.retries + 1):
            stats["requests"] += 1
            try:
                r = session.post(args.base_url + "/contacts", data=body, timeout=120,
                                 headers={"Content-Type": "application/json; charset=UTF-8",
                                          "Accept": "application/json"})
                if r.status_code not in RETRYABLE:
                    if r.status_code != 200:
                        stats["rowsLost"] += len(chunk)
                    else:
                        stats["rowsSent"] += len(chunk)
                    return
            except requests.RequestException:
                pass
            stats["retries"] += 1
            time.sleep(min(30.0, 0.25 * 2 ** attempt))
        stats["rowsLost"] += len(chunk)

    chunk: list = []
    with open(args.input, newline="", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            chunk.append(row_to_contact(row))
            if len(chunk) == args.chunk_size:
                send(chunk)
                chunk = []
    if chunk:
        send(chunk)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
