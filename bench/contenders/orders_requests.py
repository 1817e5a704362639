"""Baseline for the orders scenario: what a competent user writes with `requests` — the shop's
CSV read with csv.DictReader, consecutive rows of one externalOrderId grouped into an order with
its items, numbers converted, 1000 orders a request, sent by a thread pool of the same
concurrency over keep-alive sessions, retry with backoff on 429/5xx and connection errors."""
from __future__ import annotations

import argparse
import csv
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

RETRYABLE = {408, 429, 500, 502, 503, 504}
ORDER_NUMBERS = ("totalCost", "taxes", "shipping", "discount")


def number(text: str):
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def orders_of(path: str):
    """Yields orders, one per run of consecutive rows with one externalOrderId."""
    current, current_id = None, None
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            oid = row.get("externalOrderId", "")
            if current is None or oid != current_id:
                if current is not None:
                    yield current
                current_id = oid
                current = {k: (number(v) if k in ORDER_NUMBERS else v) for k, v in row.items()
                           if not k.startswith("item.") and v != ""}
                current["items"] = []
            item = {k[5:]: (number(v) if k in ("item.quantity", "item.cost") else v)
                    for k, v in row.items() if k.startswith("item.") and v != ""}
            if item:
                current["items"].append(item)
    if current is not None:
        yield current


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--retries", type=int, default=8)
    args, _ = ap.parse_known_args()
    local = threading.local()
    lock = threading.Lock()
    stats = {"requests": 0, "retries": 0, "ordersSent": 0, "ordersFailed": 0, "ordersLost": 0}

    def session() -> requests.Session:
        if not hasattr(local, "s"):
            local.s = requests.Session()
            local.s.auth = ("", args.api_key)
        return local.s

    def add(key: str, n: int) -> None:
        with lock:
            stats[key] += n

    def send(chunk: list) -> None:
        body = json.dumps({"orders": chunk})
        for attempt in range(args.retries + 1):
            add("requests", 1)
            try:
                r = session().post(args.base_url + "/orders", data=body, timeout=120,
                                   headers={"Content-Type": "application/json; charset=UTF-8",
                                            "Accept": "application/json"})
                if r.status_code not in RETRYABLE:
                    if r.status_code != 200:
                        add("ordersLost", len(chunk))
                    else:
                        failed = (r.json() or {}).get("failedOrders") or []
                        add("ordersFailed", len(failed))
                        add("ordersSent", len(chunk) - len(failed))
                    return
            except requests.RequestException:
                pass
            add("retries", 1)
            time.sleep(min(30.0, 0.25 * 2 ** attempt))
        add("ordersLost", len(chunk))

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        pending = []
        chunk: list = []
        for o in orders_of(args.input):
            chunk.append(o)
            if len(chunk) == args.chunk_size:
                pending.append(pool.submit(send, chunk))
                chunk = []
                # Bounded: no more than two rounds of requests queued.
                if len(pending) > 2 * args.concurrency:
                    pending.pop(0).result()
        if chunk:
            pending.append(pool.submit(send, chunk))
        for p in pending:
            p.result()
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
