"""Measures the binding's own costs (not asserted anywhere; numbers for the docs and the bench):

- encode: µs per contact to turn dicts into the NDJSON buffer that crosses the ABI (orjson), vs json;
- upsert: a generator of N contacts (default 1,000,000) into the emulator — wall time, contacts/s,
  and peak RSS of this Python process (the generator is never materialised, so it must stay flat).

    python tools/measure.py [N]        # YESPO_LIB / YESPO_EMULATOR as for the tests
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any, Iterator

import yespo
from yespo._rows import encode_batch
from yespo.testing import Emulator


def row(i: int) -> dict[str, Any]:
    return {"channels": [{"type": "email", "value": "user%07d@example.com" % i}],
            "firstName": "First%d" % i, "lastName": "Last%d" % i, "externalCustomerId": "crm-%d" % i}


def rows(n: int) -> Iterator[dict[str, Any]]:
    for i in range(1, n + 1):
        yield row(i)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure_encode(n: int = 200_000) -> dict[str, float]:
    batch = [row(i) for i in range(n)]
    started = time.perf_counter()
    for k in range(0, n, 5000):
        encode_batch(batch[k:k + 5000], k + 1, {})
    orjson_us = (time.perf_counter() - started) / n * 1e6
    started = time.perf_counter()
    for k in range(0, n, 5000):
        "\n".join(json.dumps(r) for r in batch[k:k + 5000]).encode()
    json_us = (time.perf_counter() - started) / n * 1e6
    return {"orjson_us_per_contact": round(orjson_us, 3), "json_us_per_contact": round(json_us, 3)}


def measure_upsert(n: int) -> dict[str, Any]:
    with Emulator(import_delay_ms=0, rate_limit_bulk=0) as emu:
        with emu.client(concurrency=8, rate_limit=0) as client:
            rss_before = peak_rss_mb()
            started = time.perf_counter()
            report = client.upsert_contacts(rows(n))
            elapsed = time.perf_counter() - started
        emu.flush_imports()
        stored = emu.summary()["contacts"]
    return {"rows": report.rows, "accepted": report.accepted, "emulator_contacts": stored,
            "seconds": round(elapsed, 2), "contacts_per_second": round(n / elapsed),
            "peak_rss_mb_before": round(rss_before, 1), "peak_rss_mb_after": round(peak_rss_mb(), 1)}


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    upsert = measure_upsert(count)  # first: the encode benchmark materialises rows and lifts the RSS
    print(json.dumps({"upsert": upsert, "encode": measure_encode()}, indent=1))
