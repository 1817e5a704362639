"""The incremental sync scenario of the perf harness (issue 17), run by bench/run.py.

An N-row CSV is synced once into a fresh SQLite state (every row sent). Then 1% of its rows get a
new first name, and the CLI runs twice on that file: `yespo sync --dry-run` and `yespo sync`, each
its own measured process. Targets: the sync run costs at most 1.5x the CPU of the dry run; it sends
exactly the changed rows (counted by the emulator); the state takes at most 40 bytes a contact.
A third run of the same file must send nothing.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

from harness.measure import run_measured

ROOT = Path(__file__).resolve().parent.parent
CLI = os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo")


def make_inputs(rows: int, work: Path) -> tuple[Path, Path, int]:
    base = work / f"sync-{rows}.csv"
    changed = work / f"sync-{rows}-changed.csv"
    if not base.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_contacts.py"), "--rows", str(rows),
                        "--format", "csv", "--seed", "17", "--bad-every", "0", "--out", str(base)], check=True)
    n_changed = 0
    with open(base, encoding="utf-8") as src, open(changed, "w", encoding="utf-8") as out:
        out.write(src.readline())
        for i, line in enumerate(src, start=1):
            if i % 100 == 0:
                line = "Changed" + line[line.index(","):]
                n_changed += 1
            out.write(line)
    return base, changed, n_changed


def run(emu, work: Path, smoke: bool, timeout: float, rows: int | None = None) -> tuple[dict, List[str]]:
    """Runs the scenario; returns its result and the failures (hard failures only)."""
    n = rows or (10_000 if smoke else 1_000_000)
    base, changed, n_changed = make_inputs(n, work)
    state = work / f"sync-{n}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(state) + suffix).unlink(missing_ok=True)
    emu.reset()
    emu.configure({"latencyMs": 0, "latencyPerContactUs": 0, "rateLimitBulk": 0, "importDelayMs": 0,
                   "retryAfter": None})
    env = {k: v for k, v in os.environ.items() if not k.startswith("YESPO_")}
    env.update({"YESPO_API_KEY": "bench-key", "YESPO_BASE_URL": emu.api_url})

    def cli(*args: str) -> tuple[dict, object]:
        m = run_measured([CLI, "sync", *args, "--state", str(state), "--json", "--concurrency", "8"], env, timeout, work)
        out = (work / "contender.out").read_text().strip().splitlines()
        report = json.loads(out[-1]) if out else {}
        return report, m

    failures: List[str] = []
    first, m_first = cli(str(base))
    emu.reset()
    dry, m_dry = cli(str(changed), "--dry-run")
    sync, m_sync = cli(str(changed))
    received = emu.stats().get("contactsReceived", 0)
    emu.reset()
    third, m_third = cli(str(changed))
    received_third = emu.stats().get("contactsReceived", 0)

    entries = sync.get("stateEntries") or 0
    state_bytes = sync.get("stateBytes") or 0
    result = {
        "scenario": "sync", "rows": n, "changed": n_changed,
        "first_cpu_s": round(m_first.cpu_s, 3), "first_wall_s": round(m_first.wall_s, 3),
        "dry_cpu_s": round(m_dry.cpu_s, 3), "dry_wall_s": round(m_dry.wall_s, 3),
        "dry_rss_mib": round(m_dry.peak_rss_kib / 1024, 1),
        "sync_cpu_s": round(m_sync.cpu_s, 3), "sync_wall_s": round(m_sync.wall_s, 3),
        "sync_rss_mib": round(m_sync.peak_rss_kib / 1024, 1),
        "cpu_ratio": round(m_sync.cpu_s / m_dry.cpu_s, 3) if m_dry.cpu_s > 0 else None,
        "sent": sync.get("sent"), "received": received, "third_received": received_third,
        "state_entries": entries, "state_bytes": state_bytes,
        "bytes_per_contact": round(state_bytes / entries, 1) if entries else None,
        "dry_counts": {k: dry.get(k) for k in ("new", "changed", "unchanged")},
        "exits": [m_first.returncode, m_dry.returncode, m_sync.returncode, m_third.returncode],
    }
    if any(code != 0 for code in result["exits"]):
        failures.append(f"sync: a run exited non-zero: {result['exits']}: {(work / 'contender.err').read_text()[-400:]}")
    if received != n_changed or sync.get("sent") != n_changed:
        failures.append(f"sync: sent {sync.get('sent')} (emulator received {received}), expected exactly {n_changed}")
    if received_third != 0:
        failures.append(f"sync: the third run sent {received_third} contacts")
    if dry.get("changed") != n_changed:
        failures.append(f"sync: the dry run counted {dry.get('changed')} changed, expected {n_changed}")
    if not smoke and result["cpu_ratio"] is not None and result["cpu_ratio"] > 1.5:
        result["cpu_target"] = "missed"
    if not smoke and result["bytes_per_contact"] is not None and result["bytes_per_contact"] > 40:
        result["bytes_target"] = "missed"
    return result, failures


def write(result: dict, folder: Path, smoke: bool, date: str, machine: str) -> None:
    if smoke:
        folder = folder.parent / "work" / "smoke-results"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{date}-sync.json").write_text(json.dumps({"date": date, "machine": machine, "smoke": smoke,
                                                          "runs": [result]}, indent=2) + "\n")
    r = result
    md = [f"# Sync scenario ({date}, {machine})", "",
          f"{r['rows']:,} rows, {r['changed']:,} changed (1%); CLI, SQLite state, emulator on loopback.", "",
          "| run | wall s | CPU s | peak RSS MiB |", "|---|---:|---:|---:|",
          f"| first sync (all rows sent) | {r['first_wall_s']} | {r['first_cpu_s']} | — |",
          f"| `--dry-run` of the changed file | {r['dry_wall_s']} | {r['dry_cpu_s']} | {r['dry_rss_mib']} |",
          f"| sync of the changed file | {r['sync_wall_s']} | {r['sync_cpu_s']} | {r['sync_rss_mib']} |", "",
          f"- CPU sync / dry run: **{r['cpu_ratio']}** (target ≤ 1.5)",
          f"- sent {r['sent']:,}, emulator received {r['received']:,} (exactly the changed rows: "
          f"{'yes' if r['received'] == r['changed'] else 'NO'}); third run sent {r['third_received']}",
          f"- state: {r['state_entries']:,} contacts, {r['state_bytes']:,} bytes, "
          f"**{r['bytes_per_contact']} bytes a contact** (target ≤ 40)", ""]
    (folder / "sync-latest.md").write_text("\n".join(md))
    print("\n".join(md))
