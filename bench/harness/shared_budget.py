"""Scenario (g) "shared budget, 4 processes" (issue 16): four processes of three doors (CLI,
Python `upsert_file`, Go binding, CLI) upsert files of unequal size (40/30/20/10 % of the rows) on
one API key at once, against the emulator allowing `rate` bulk requests per second (429 above).

Three ways to run them:
- shared:   each told --rate N and --shared-budget (one Redis): together at most N.
- unshared: each told --rate N, no sharing: what happens today — together up to 4N, 429s, backoff.
- split:    each told --rate N/4: the static split a careful operator would configure; no 429s,
            but a process that finishes early leaves its quarter unused.

Efficiency = the budget's own pace (requests / N, no burst credit) / wall time of the slowest
process. Requests, 429s and rows stored are read from the emulator, never from the clients.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
SIZES = [0.4, 0.3, 0.2, 0.1]
DOORS = ["cli", "py-file", "go-binding", "cli"]
VARIANTS = ["shared", "unshared", "split"]
TITLE = "(g) shared budget, 4 processes (CLI, Python, Go, CLI; 40/30/20/10 % of the rows) on one key"


@dataclass
class Plan:
    rows: int
    rate: int
    chunk: int
    latency_ms: int = 20
    per_contact_us: int = 10


def plan(smoke: bool) -> Plan:
    return Plan(rows=10_000, rate=20, chunk=250) if smoke else Plan(rows=100_000, rate=20, chunk=500)


class RedisServer:
    def __init__(self) -> None:
        binary = os.environ.get("YESPO_REDIS_SERVER") or "redis-server"
        if shutil.which(binary) is None:
            raise RuntimeError("redis-server is not installed (make deps installs it)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--logfile", "/dev/null"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def inputs(p: Plan, work: Path) -> List[Path]:
    out = []
    for i, share in enumerate(SIZES):
        path = work / f"shared-{p.rows}-{i}.csv"
        if not path.exists():
            subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_contacts.py"), "--rows",
                            str(int(p.rows * share)), "--format", "csv", "--seed", str(100 + i),
                            "--sms-every", "0", "--out", str(path)], check=True)
        out.append(path)
    return out


def run(emu, work: Path, smoke: bool, contenders: Dict[str, object], api_key: str,
        timeout: float) -> List[dict]:
    """Runs the three variants; returns rows in the shape of run.py's results."""
    from harness.contenders import RunSpec

    p = plan(smoke)
    files = inputs(p, work)
    chunks = sum(-(-int(p.rows * s) // p.chunk) for s in SIZES)
    best = chunks / p.rate
    redis = RedisServer()
    rows: List[dict] = []
    try:
        for variant in VARIANTS:
            emu.reset()
            emu.configure({"latencyMs": p.latency_ms, "latencyPerContactUs": p.per_contact_us,
                           "rateLimitBulk": p.rate, "importDelayMs": 0, "retryAfter": None})
            procs = []
            started = time.monotonic()
            for i, (door, path) in enumerate(zip(DOORS, files)):
                c = contenders[door]
                rate = p.rate // 4 if variant == "split" else p.rate
                spec = RunSpec(base_url=emu.api_url, api_key=api_key, csv=path, ndjson=path, concurrency=4,
                               rate=rate, chunk=p.chunk, work=work)
                argv, env = c.command(spec)  # type: ignore[attr-defined]
                if variant == "shared":
                    argv = argv + ["--shared-budget", redis.url]
                log = open(work / f"shared-{variant}-{i}.err", "wb")
                procs.append((subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=log), log))
            killer = threading.Timer(timeout, lambda: [pr.kill() for pr, _ in procs if pr.poll() is None])
            killer.start()
            cpu = 0.0
            rss = 0
            codes = []
            try:
                for proc, log in procs:
                    _, status, usage = os.wait4(proc.pid, 0)
                    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
                    codes.append(proc.returncode)
                    cpu += usage.ru_utime + usage.ru_stime
                    rss = max(rss, usage.ru_maxrss)
                    log.close()
            finally:
                killer.cancel()
            wall = time.monotonic() - started
            emu.flush_imports()
            stats = emu.stats()
            stored = emu.summary().get("contacts", 0)
            span = stats.get("bulkSpanMs", 0) / 1000
            requests = stats.get("bulkRequests", 0)
            rows.append({
                "contender": variant, "scenario": "shared", "rows": p.rows, "expected": p.rows,
                "exit": max(codes), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                "cpu_per_100k_s": round(cpu * 100_000 / p.rows, 3), "peak_rss_mib": round(rss / 1024, 1),
                "requests": requests, "status_429": stats.get("statuses", {}).get("429", 0),
                "retries": max(0, requests - chunks), "stored": stored, "lost": max(0, p.rows - stored),
                "stale": None, "rows_per_s": round(stored / wall) if wall > 0 else None,
                "efficiency": round(best / wall, 3) if wall > 0 else None, "best_s": round(best, 3),
                "aggregate_rate": round((requests - 1) / span, 2) if span > 0 else None,
                "peak_per_second": stats.get("peakBulkRequestsPerSecond", 0), "budget": p.rate,
                "stderr_tail": "" if max(codes) in (0, 1) else
                (work / f"shared-{variant}-{codes.index(max(codes))}.err").read_text("utf-8", "replace")[-400:],
            })
            r = rows[-1]
            print(f"[bench] shared   {variant:14} {r['wall_s']:8.2f}s 429s {r['status_429']:4} req {requests} "
                  f"stored {stored}/{p.rows} aggregate {r['aggregate_rate']} req/s of {p.rate} "
                  f"(peak {r['peak_per_second']}) efficiency {r['efficiency']}")
    finally:
        redis.stop()
    return rows


def ratio_lines(rows: List[dict]) -> List[str]:
    """The scenario's comparison: the shared budget against running without one and against a
    static split."""
    by = {r["contender"]: r for r in rows}
    shared = by.get("shared")
    if not shared:
        return []
    out = ["", "| shared budget vs | 429s | wall | efficiency | aggregate req/s (budget "
           f"{shared['budget']}) | most starts in one second |", "|---|---:|---:|---:|---:|---:|"]
    for other in ("unshared", "split"):
        o = by.get(other)
        if not o or not o["wall_s"] or not shared["wall_s"]:
            continue
        out.append(f"| {other} | {shared['status_429']} vs {o['status_429']} "
                   f"| {o['wall_s'] / shared['wall_s']:.2f}× faster | {shared['efficiency']:.2f} vs {o['efficiency']:.2f} "
                   f"| {shared['aggregate_rate']} vs {o['aggregate_rate']} "
                   f"| {shared['peak_per_second']} vs {o['peak_per_second']} |")
    return out


def failures(rows: List[dict]) -> List[str]:
    """What makes the bench fail: the shared variant losing rows, crashing, or drawing 429s."""
    out = []
    for r in rows:
        if r["lost"] or r["exit"] not in (0, 1):
            out.append(f"shared scenario, {r['contender']}: exit {r['exit']}, lost {r['lost']}: {r['stderr_tail']}")
        if r["contender"] == "shared" and r["status_429"]:
            out.append(f"shared scenario: the shared budget drew {r['status_429']} 429s")
    return out
