"""The orders scenario of the perf harness (issue 13), run by bench/run.py.

N orders of 3 items each, as a shop exports them (one CSV row per item, the order's columns
repeated), with a deliberately bad order every 997th. Latency-bound: the emulator answers each
request after 150 ms (smoke: 30 ms). Contenders: the CLI (`yespo orders upsert`), the Python
binding (`upsert_orders_file`), and the baseline a competent user writes with `requests` (group
the rows, 1000 orders a request, a thread pool of the same concurrency). Orders stored are read
back from the emulator (`GET /_emulator/orders`), never taken from the client. Reported as
ratios to the baseline: client CPU and wall time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Dict, List

from harness.measure import run_measured

ROOT = Path(__file__).resolve().parent.parent
CLI = os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo")
CONTENDERS = ["cli", "py-orders", "orders-requests"]
BASELINE = "orders-requests"
CONCURRENCY = 8


def make_input(n: int, work: Path) -> tuple[Path, dict]:
    path, manifest = work / f"orders-{n}.csv", work / f"orders-{n}.json"
    if not path.exists() or not manifest.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_orders.py"), "--orders", str(n), "--items", "3",
                        "--bad-every", "997", "--out", str(path), "--manifest", str(manifest)], check=True)
    return path, json.loads(manifest.read_text())


def stored_orders(emu) -> int:
    with urllib.request.urlopen(emu.url + "/_emulator/orders", timeout=300) as r:
        return len(json.loads(r.read() or b"[]"))


def argv_for(name: str, csv: Path, emu) -> List[str]:
    if name == "cli":
        return [CLI, "orders", "upsert", str(csv), "--base-url", emu.api_url, "--concurrency", str(CONCURRENCY),
                "--rate", "0", "--quiet", "--json"]
    script = {"py-orders": "py_orders.py", "orders-requests": "orders_requests.py"}[name]
    return [sys.executable, str(ROOT / "bench" / "contenders" / script), "--base-url", emu.api_url, "--api-key", "bench-key",
            "--input", str(csv), "--concurrency", str(CONCURRENCY)]


def run(emu, work: Path, smoke: bool, timeout: float, wanted: set) -> tuple[List[dict], List[str]]:
    n = 2_000 if smoke else 100_000
    latency = 30 if smoke else 150
    csv, manifest = make_input(n, work)
    env = dict(os.environ)   # as every contender's (harness/contenders.py): the bench venv's yespo
    env.update({"YESPO_API_KEY": "bench-key", "PYTHONPATH": str(ROOT / "bench" / "contenders")})
    requests_needed = -(-manifest["valid"] // 1000)
    best = -(-requests_needed // CONCURRENCY) * latency / 1000.0
    rows: List[dict] = []
    failures: List[str] = []
    for name in CONTENDERS:
        if wanted and name not in wanted:
            continue
        emu.reset()
        emu.configure({"latencyMs": latency, "latencyPerContactUs": 0, "rateLimitBulk": 0, "importDelayMs": 0,
                       "retryAfter": None})
        print(f"[bench] orders   {name:14} ...", end="", flush=True)
        m = run_measured(argv_for(name, csv, emu), env, timeout, work)
        stored = stored_orders(emu)
        r = {"scenario": "orders", "contender": name, "orders": n, "expected": manifest["valid"], "stored": stored,
             "wall_s": round(m.wall_s, 3), "cpu_s": round(m.cpu_s, 3), "peak_rss_mib": round(m.peak_rss_kib / 1024, 1),
             "exit": m.returncode, "best_s": round(best, 3),
             "efficiency": round(best / m.wall_s, 3) if m.wall_s > 0 else None}
        print(f" {r['wall_s']:8.2f}s cpu {r['cpu_s']:7.2f}s rss {r['peak_rss_mib']:7.1f}MiB stored {stored}/{r['expected']}")
        rows.append(r)
        if stored != manifest["valid"]:
            failures.append(f"orders: {name} left {stored} orders stored, expected {manifest['valid']}: "
                            f"{(work / 'contender.err').read_text()[-400:]}")
    base = next((r for r in rows if r["contender"] == BASELINE), None)
    for r in rows:
        if base and r is not base and base["cpu_s"] > 0 and r["wall_s"] > 0:
            r["cpu_vs_baseline"] = round(r["cpu_s"] / base["cpu_s"], 3)
            r["speedup_vs_baseline"] = round(base["wall_s"] / r["wall_s"], 2)
    return rows, failures


def write(rows: List[dict], folder: Path, smoke: bool, date: str, machine: str) -> None:
    if smoke:
        folder = folder.parent / "work" / "smoke-results"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{date}-orders.json").write_text(json.dumps({"date": date, "machine": machine, "smoke": smoke,
                                                            "runs": rows}, indent=2) + "\n")
    n = rows[0]["orders"] if rows else 0
    md = [f"# Orders scenario ({date}, {machine})", "",
          f"{n:,} orders × 3 items (one CSV row per item), a bad order every 997th; 150 ms a request "
          f"(smoke 30 ms), concurrency {CONCURRENCY}; orders counted in the emulator.", "",
          "| contender | wall s | CPU s | peak RSS MiB | stored | efficiency | CPU vs requests | faster than requests |",
          "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        md.append(f"| {r['contender']} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mib']} | {r['stored']}/{r['expected']} "
                  f"| {r['efficiency']} | {r.get('cpu_vs_baseline', '—')} | {r.get('speedup_vs_baseline', '—')} |")
    md.append("")
    (folder / "orders-latest.md").write_text("\n".join(md))
    print("\n".join(md))
