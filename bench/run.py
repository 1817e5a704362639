#!/usr/bin/env python3
"""The perf harness: runs each contender as its own process against the emulator, per scenario,
and reports wall time, client CPU, peak RSS, requests, retries, 429s, rows stored (read from the
emulator, never trusted from the client) and efficiency against the scenario's theoretical best.

    python bench/run.py                 # full run (make bench)
    python bench/run.py --smoke         # seconds; part of make test so the harness never rots
    python bench/run.py --scenarios latency,faults --contenders cli,py-requests
    python bench/run.py --scenarios tls  # the CPU cost of TLS: each contender plain, then through nginx
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import math
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness.emulator import Emulator  # noqa: E402
from harness.contenders import CONTENDERS, Contender, RunSpec  # noqa: E402
from harness.measure import run_measured  # noqa: E402
from harness.report import write_results  # noqa: E402
from harness.tls_front import TLSFront  # noqa: E402
from harness import shared_budget  # noqa: E402
import sync_bench  # noqa: E402
import orders_bench  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-key"


@dataclass
class Scenario:
    name: str
    title: str
    rows: int
    latency_ms: int = 0
    per_contact_us: int = 0
    server_rate: int = 0          # emulator's bulk limit (429 above it); 0 = none
    client_rate: int = 0          # the budget our contenders are told; 0 = none
    concurrency: int = 8
    chunk: int = 3000
    faults: Optional[dict] = None
    bad_every: int = 997          # a deliberately invalid row every N rows
    repeat_percent: float = 0.0   # share of rows that rewrite an earlier row's contact
    contenders: List[str] = field(default_factory=list)
    # Run each contender twice, over plain HTTP and then through nginx (HTTPS + HTTP/2), and
    # report the CPU ratio of the two: what TLS costs the client.
    tls_pair: bool = False

    def best_seconds(self) -> Optional[float]:
        """The scenario's theoretical best wall time from latency, concurrency and budget."""
        chunks = math.ceil(self.rows / self.chunk)
        per_request = (self.latency_ms + self.chunk * self.per_contact_us / 1000.0) / 1000.0
        if per_request == 0 and self.server_rate == 0:
            return None
        by_concurrency = math.ceil(chunks / self.concurrency) * per_request
        by_rate = 0.0
        if self.server_rate:
            by_rate = max(0, chunks - self.server_rate) / self.server_rate + per_request
        return max(by_concurrency, by_rate)


ALL = ["cli", "py-file", "py-dictreader", "go-binding", "go-file", "py-requests", "py-aiohttp", "go-nethttp"]


def scenarios(smoke: bool) -> List[Scenario]:
    k = 20 if smoke else 1  # smoke: the same shapes, 1/20 of the rows, shorter latency
    burst_429 = {"method": "POST", "path": "/api/v1/contacts", "after": 3, "count": 4,
                 "action": "status", "status": 429}
    plans = [
        Scenario("latency", "(a) latency-bound: 150 ms + 0.1 ms/contact", 100_000 // k,
                 latency_ms=150 // (5 if smoke else 1), per_contact_us=100 // (5 if smoke else 1),
                 contenders=ALL),
        Scenario("rate", "(b) rate-bound: 4 bulk requests/s, 429 above", 100_000 // k,
                 latency_ms=20, per_contact_us=10, server_rate=4, client_rate=4, chunk=1000,
                 contenders=ALL),
        # py-polars: the same rows as a polars DataFrame (issue 18: CPU ≤ 1.5× py-file's).
        Scenario("cpu", "(c)+(d) CPU- and memory-bound: 1,000,000 contacts, zero latency",
                 1_000_000 // (100 if smoke else 1), contenders=ALL + ["py-polars"]),
        Scenario("faults", "(e) faults: 5% 503, 3% 502, 429 bursts", 100_000 // k,
                 latency_ms=20, per_contact_us=10,
                 faults={"seed": 42, "rules": [
                     burst_429,
                     {"method": "POST", "path": "/api/v1/contacts", "probability": 0.05,
                      "action": "status", "status": 503},
                     {"method": "POST", "path": "/api/v1/contacts", "probability": 0.03,
                      "action": "status", "status": 502}]},
                 contenders=ALL),
        # The write-order gate's cost: the cpu scenario's input, but 1% of the rows rewrite an earlier
        # contact. Compare with "cpu" in the same run; stale contacts are counted, not assumed.
        Scenario("repeats", "(f) 1% repeated contacts: 1,000,000 contacts, zero latency",
                 1_000_000 // (100 if smoke else 1), repeat_percent=1.0,
                 contenders=["cli", "py-file", "go-binding", "go-nethttp"]),
        # TLS: the cpu scenario's shape, each contender over plain HTTP and then over HTTPS + HTTP/2
        # through nginx (CA from CURL_CA_BUNDLE); the TLS row carries the CPU ratio of the two.
        Scenario("tls", "(g) TLS cost: 1,000,000 contacts, zero latency, plain HTTP vs HTTPS + HTTP/2 (nginx)",
                 1_000_000 // (100 if smoke else 1), tls_pair=True,
                 contenders=["cli", "py-file", "go-binding"]),
    ]
    if smoke:  # smaller chunks so that even small inputs make enough requests for faults to fire
        for p in plans:
            p.chunk = min(p.chunk, 500)
    return plans


def generate(s: Scenario, work: Path) -> Dict[str, Path]:
    """One input per scenario, CSV and the same rows as NDJSON, from the project's generator."""
    out = {}
    for fmt in ("csv", "ndjson"):
        path = work / f"{s.name}-{s.rows}.{fmt}"
        manifest = Path(str(path) + ".manifest.json")
        if not path.exists() or not manifest.exists():
            subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_contacts.py"),
                            "--rows", str(s.rows), "--format", fmt, "--seed", "7",
                            "--bad-every", str(s.bad_every), "--repeat-percent", str(s.repeat_percent),
                            "--out", str(path), "--manifest", str(manifest)], check=True)
        out[fmt] = path
    if "py-polars" in s.contenders:  # the DataFrame contender's copy, made before timing
        arrow = Path(str(out["csv"]) + ".arrow")
        if not arrow.exists():
            subprocess.run([sys.executable, "-c", "import sys, polars as pl; "
                            "pl.read_csv(sys.argv[1], infer_schema_length=0).write_ipc(sys.argv[2])",
                            str(out["csv"]), str(arrow)], check=True)
    return out


def expected_valid(s: Scenario, inputs: Dict[str, Path]) -> int:
    """Contacts the emulator must hold: the valid rows, less the rows that rewrite a contact."""
    manifest = json.loads(Path(str(inputs["ndjson"]) + ".manifest.json").read_text())
    return int(manifest.get("distinct", s.rows - (s.rows // s.bad_every if s.bad_every else 0)))


def stale_contacts(s: Scenario, inputs: Dict[str, Path], emu: Emulator) -> Optional[int]:
    """With repeats: contacts whose stored first name is not their input's last row's."""
    if not s.repeat_percent:
        return None
    last: Dict[str, tuple] = {}
    with open(inputs["ndjson"], encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            for ch in c.get("channels") or []:
                if ch.get("type") == "email" and "@" in ch.get("value", "") and len(c.get("firstName", "")) <= 40:
                    last[ch["value"].lower()] = (c.get("firstName"), c.get("lastName"))
    stale = 0
    for c in emu.contacts():
        for ch in c.get("channels") or []:
            if ch.get("type") == "email":
                want = last.get(str(ch.get("value")).lower())
                if want is not None and want != (c.get("firstName"), c.get("lastName")):
                    stale += 1
    return stale


def run_one(c: Contender, s: Scenario, inputs: Dict[str, Path], emu: Emulator,
            work: Path, timeout: float, front: Optional[TLSFront] = None) -> dict:
    emu.reset()
    emu.configure({"latencyMs": s.latency_ms, "latencyPerContactUs": s.per_contact_us,
                   "rateLimitBulk": s.server_rate, "importDelayMs": 0, "retryAfter": None})
    if s.faults:
        emu.set_faults(s.faults)
    spec = RunSpec(base_url=front.api_url if front else emu.api_url, api_key=API_KEY, csv=inputs["csv"],
                   ndjson=inputs["ndjson"], concurrency=s.concurrency, rate=s.client_rate, chunk=s.chunk, work=work,
                   extra_env={"CURL_CA_BUNDLE": str(front.ca_file)} if front else None)
    argv, env = c.command(spec)
    m = run_measured(argv, env, timeout, work)
    emu.flush_imports()
    summary = emu.summary()
    stats = emu.stats()
    stored = summary.get("contacts", 0)
    expect = expected_valid(s, inputs)
    stale = stale_contacts(s, inputs, emu)
    best = s.best_seconds()
    inner = None  # the upsert call's own CPU, when the contender prints it
    try:
        inner = json.loads(m.stdout.strip().splitlines()[-1]).get("upsert_cpu_s")
    except (ValueError, IndexError, AttributeError):
        pass
    return {
        "contender": c.name + (" (TLS)" if front else ""), "scenario": s.name, "tls": front is not None, "rows": s.rows, "expected": expect,
        "exit": m.returncode, "wall_s": round(m.wall_s, 3), "cpu_s": round(m.cpu_s, 3),
        "cpu_per_100k_s": round(m.cpu_s * 100_000 / s.rows, 3), "upsert_cpu_s": inner, "peak_rss_mib": round(m.peak_rss_kib / 1024, 1),
        "requests": stats.get("bulkRequests", 0), "status_429": stats.get("statuses", {}).get("429", 0),
        "retries": max(0, stats.get("bulkRequests", 0) - math.ceil(s.rows / s.chunk)),
        "stored": stored, "lost": max(0, expect - stored), "stale": stale,
        "rows_per_s": round(stored / m.wall_s) if m.wall_s > 0 else None,
        "efficiency": round(best / m.wall_s, 3) if best and m.wall_s > 0 else None,
        "best_s": round(best, 3) if best else None,
        "stderr_tail": m.stderr[-400:] if m.returncode not in (0, 1) else "",
    }


def frame_target(rows: List[dict]) -> List[str]:
    """Issue 18's target: a polars DataFrame upserted with ≤ 1.5× the CPU of upsert_file."""
    by = {r["contender"]: r for r in rows if r["scenario"] == "cpu"}
    frame, file = by.get("py-polars"), by.get("py-file")
    if not frame or not file or not file["cpu_s"]:
        return []
    out = [f"py-polars CPU / py-file CPU, cpu scenario: {frame['cpu_s'] / file['cpu_s']:.2f}× "
           f"({frame['cpu_s']:.2f} s / {file['cpu_s']:.2f} s, whole processes; target ≤ 1.5× at 1,000,000 rows"
           + ("" if frame["rows"] >= 1_000_000 else ", where importing polars no longer dominates") + ")"]
    if frame.get("upsert_cpu_s") and file.get("upsert_cpu_s"):
        out.append(f"  the upsert call alone: {frame['upsert_cpu_s'] / file['upsert_cpu_s']:.2f}× "
                   f"({frame['upsert_cpu_s']:.2f} s / {file['upsert_cpu_s']:.2f} s)")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--scenarios", default="")
    ap.add_argument("--contenders", default="")
    ap.add_argument("--work", default=str(ROOT / "bench" / "work"))
    ap.add_argument("--results", default=str(ROOT / "bench" / "results"))
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--sync-rows", type=int, default=None, help="rows of the sync scenario (default 1M, smoke 10k)")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    wanted_s = set(filter(None, args.scenarios.split(",")))
    wanted_c = set(filter(None, args.contenders.split(",")))
    rows: List[dict] = []
    failures: List[str] = []
    with contextlib.ExitStack() as stack:
        emu = stack.enter_context(Emulator(API_KEY))
        front: Optional[TLSFront] = None
        for s in scenarios(args.smoke):
            if wanted_s and s.name not in wanted_s:
                continue
            inputs = generate(s, work)
            for name in s.contenders:
                if wanted_c and name not in wanted_c:
                    continue
                c = CONTENDERS[name]
                c.prepare(work)
                if s.tls_pair and front is None:
                    front = stack.enter_context(TLSFront(emu.url))
                plain: Optional[dict] = None
                for via in ([None, front] if s.tls_pair else [None]):
                    label = name + (" (TLS)" if via else "")
                    print(f"[bench] {s.name:8} {label:14} ...", end="", flush=True)
                    r = run_one(c, s, inputs, emu, work, args.timeout, front=via)
                    rows.append(r)
                    print(f" {r['wall_s']:8.2f}s cpu {r['cpu_s']:7.2f}s rss {r['peak_rss_mib']:7.1f}MiB "
                          f"stored {r['stored']}/{r['expected']} req {r['requests']} 429s {r['status_429']}")
                    if via is None:
                        plain = r
                    elif plain and plain["cpu_s"] > 0:
                        r["tls_cpu_ratio"] = round(r["cpu_s"] / plain["cpu_s"], 2)
                        r["tls_wall_ratio"] = round(r["wall_s"] / plain["wall_s"], 2) if plain["wall_s"] else None
                        print(f"[bench] {s.name:8} {name:14} TLS CPU ratio {r['tls_cpu_ratio']:.2f}× "
                              f"(HTTPS + HTTP/2 through nginx vs plain HTTP), wall {r['tls_wall_ratio']}×")
                    if r["stale"] is not None:
                        print(f"[bench] {s.name:8} {label:14} stale contacts: {r['stale']}")
                    if c.ours and (r["lost"] or r["stale"] or r["exit"] not in (0, 1)):
                        failures.append(f"{label} in {s.name}: exit {r['exit']}, lost {r['lost']}, stale {r['stale']}: {r['stderr_tail']}")
        if not wanted_s or "shared" in wanted_s:   # (g): four processes at once, see harness/shared_budget.py
            for name in ("cli", "py-file", "go-binding"):
                CONTENDERS[name].prepare(work)
            shared_rows = shared_budget.run(emu, work, args.smoke, CONTENDERS, API_KEY, args.timeout)
            rows += shared_rows
            failures += shared_budget.failures(shared_rows)
        # Incremental sync (issue 17): its own shape of run, see bench/sync_bench.py.
        sync_result = None
        if (not wanted_s or "sync" in wanted_s) and (not wanted_c or "cli" in wanted_c):
            print("[bench] sync     cli            ...", flush=True)
            sync_result, sync_failures = sync_bench.run(emu, work, args.smoke, args.timeout, args.sync_rows)
            failures += sync_failures
        # Orders (issue 13): its own inputs and contenders, see bench/orders_bench.py.
        orders_rows: List[dict] = []
        if not wanted_s or "orders" in wanted_s:
            orders_rows, orders_failures = orders_bench.run(emu, work, args.smoke, args.timeout, wanted_c)
            failures += orders_failures
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
    if orders_rows:
        orders_bench.write(orders_rows, Path(args.results), args.smoke, _dt.date.today().isoformat(), machine)
    if sync_result is not None:
        sync_bench.write(sync_result, Path(args.results), args.smoke, _dt.date.today().isoformat(), machine)
    if rows:  # a sync-only run leaves the other scenarios' results alone
        write_results(rows, Path(args.results), smoke=args.smoke, machine=machine,
                      date=_dt.date.today().isoformat(),
                      titles={**{s.name: s.title for s in scenarios(args.smoke)}, "shared": shared_budget.TITLE})
    for line in frame_target(rows):
        print("[bench]", line)
    for f in failures:
        print("[bench] FAILED:", f)
    print(f"[bench] {len(rows) + len(orders_rows) + (1 if sync_result else 0)} runs, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
