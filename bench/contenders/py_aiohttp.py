"""Baseline: a competent asyncio client — aiohttp with the same concurrency as yespo, bounded
queue of chunks, simple retry with backoff on 429/5xx and connection errors."""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys

import aiohttp

from csv_contacts import row_to_contact

RETRYABLE = {408, 429, 500, 502, 503, 504}


async def run(args: argparse.Namespace) -> dict:
    stats = {"requests": 0, "retries": 0, "rowsSent": 0, "rowsLost": 0}
    queue: asyncio.Queue = asyncio.Queue(maxsize=args.concurrency * 2)
    auth = aiohttp.BasicAuth("", args.api_key)
    headers = {"Content-Type": "application/json; charset=UTF-8", "Accept": "application/json"}

    async def worker(session: aiohttp.ClientSession) -> None:
        while True:
            chunk = await queue.get()
            if chunk is None:
                return
            body = json.dumps({"contacts": chunk, "dedupeOn": "email"})
            for attempt in range(args.retries + 1):
                stats["requests"] += 1
                try:
                    async with session.post(args.base_url + "/contacts", data=body, auth=auth,
                                            headers=headers) as r:
                        await r.read()
                        if r.status not in RETRYABLE:
                            key = "rowsSent" if r.status == 200 else "rowsLost"
                            stats[key] += len(chunk)
                            break
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                stats["retries"] += 1
                await asyncio.sleep(min(30.0, 0.25 * 2 ** attempt))
            else:
                stats["rowsLost"] += len(chunk)

    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        workers = [asyncio.create_task(worker(session)) for _ in range(args.concurrency)]
        chunk: list = []
        with open(args.input, newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                chunk.append(row_to_contact(row))
                if len(chunk) == args.chunk_size:
                    await queue.put(chunk)
                    chunk = []
        if chunk:
            await queue.put(chunk)
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    return stats


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--chunk-size", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--retries", type=int, default=8)
    args, _ = ap.parse_known_args()
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
