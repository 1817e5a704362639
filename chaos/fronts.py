"""The front ends a chaos run can go through. Each writes the plan's input, runs one process,
and returns what that front end reports (summary + per-row outcomes) and everything it printed."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

from invariants import RunResult
from plan import RunPlan, contact_for

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = Path(__file__).resolve().parent / "drivers"


def write_input(plan: RunPlan, work: Path) -> Path:
    path = work / f"input-{plan.seed}.ndjson"
    with open(path, "w", encoding="utf-8") as f:
        for n in range(1, plan.rows + 1):
            f.write(json.dumps(contact_for(plan, n)) + "\n")
    return path


def prepare_emulator(plan: RunPlan, emu) -> None:
    emu.reset()
    emu.configure({"latencyMs": 0, "latencyPerContactUs": 0, "importDelayMs": plan.import_delay_ms,
                   "rateLimitBulk": 0, "retryAfter": None})
    emu.set_faults(plan.faults)


def _read_ndjson(path: Path) -> List[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


class Front:
    name = ""

    def command(self, plan: RunPlan, emu, inp: Path, work: Path, key: str) -> List[str]:
        raise NotImplementedError

    def run(self, plan: RunPlan, emu, work: Path, key: str) -> RunResult:
        inp = write_input(plan, work)
        report, rows = work / "report.json", work / "rows.ndjson"
        for p in (report, rows):
            p.unlink(missing_ok=True)
        prepare_emulator(plan, emu)
        env = dict(os.environ, YESPO_API_KEY=key, PYTHONPATH=str(DRIVERS))
        argv = self.command(plan, emu, inp, work, key)
        try:
            p = subprocess.run(argv, env=env, capture_output=True, timeout=300)
        except subprocess.TimeoutExpired as e:
            return RunResult(None, [], False, crashed=True, detail=f"timed out after 300 s: {argv}")
        out = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
        written = "".join(x.read_text("utf-8", "replace") for x in (report, rows) if x.exists())
        if p.returncode < 0 or p.returncode not in self.ok_exits():
            return RunResult(None, [], False, output=out + written, crashed=True,
                             detail=f"exit {p.returncode}: {out[-600:]}")
        summary = json.loads(report.read_text("utf-8")) if report.exists() else None
        return RunResult(summary, _read_ndjson(rows), self.rows_complete(), output=out + written)

    def ok_exits(self) -> tuple:
        return (0, 1)

    def rows_complete(self) -> bool:
        return True


class CliFront(Front):
    name = "cli"

    def command(self, plan, emu, inp, work, key):
        cli = os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo")
        argv = [cli, "upsert", str(inp), "--base-url", emu.api_url, "--concurrency", str(plan.concurrency),
                "--chunk-size", str(plan.chunk), "--report", str(work / "report.json"),
                "--rejects", str(work / "rows.ndjson"), "--quiet"]
        if plan.rate:
            argv += ["--rate", str(plan.rate)]
        if plan.wait:
            argv += ["--wait"]
        return argv

    def rows_complete(self) -> bool:
        return False  # --rejects lists the failed rows; every other row is accepted


class CliKillFront(CliFront):
    """The CLI killed with SIGKILL at a seeded moment, then rerun with --resume from its journal
    (again and again if the kill landed before anything was journalled); the final report must
    cover the whole input as if it had run once."""
    name = "cli-kill"

    def run(self, plan: RunPlan, emu, work: Path, key: str) -> RunResult:
        inp = write_input(plan, work)
        journal, report, rows = work / "journal", work / "report.json", work / "rows.ndjson"
        for p in (journal, report, rows):
            p.unlink(missing_ok=True)
        prepare_emulator(plan, emu)
        emu.configure({"latencyMs": 40})  # so that the kill lands while chunks are in flight
        env = dict(os.environ, YESPO_API_KEY=key)
        argv = self.command(plan, emu, inp, work, key) + ["--journal", str(journal)]
        victim = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(random.Random(plan.seed).uniform(0.05, 0.8))
        victim.kill()
        out = victim.communicate()[0].decode("utf-8", "replace")
        # The request budget belongs to one client process; a restart inside the same second
        # would let the emulator count the dead process's last requests against the new one.
        time.sleep(1.2)
        report.unlink(missing_ok=True)
        rows.unlink(missing_ok=True)
        p = subprocess.run(argv + ["--resume"], env=env, capture_output=True, timeout=300)
        out += p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
        written = "".join(x.read_text("utf-8", "replace") for x in (report, rows, journal) if x.exists())
        if p.returncode not in self.ok_exits():
            return RunResult(None, [], False, output=out + written, crashed=True,
                             detail=f"resume exit {p.returncode}: {out[-600:]}")
        summary = json.loads(report.read_text("utf-8")) if report.exists() else None
        return RunResult(summary, _read_ndjson(rows), False, output=out + written)


class PythonFront(Front):
    name = "python"

    def command(self, plan, emu, inp, work, key):
        return [sys.executable, str(DRIVERS / "py_driver.py"), "--input", str(inp), "--base-url", emu.api_url,
                "--concurrency", str(plan.concurrency), "--rate", str(plan.rate), "--chunk-size", str(plan.chunk),
                "--report", str(work / "report.json"), "--rows", str(work / "rows.ndjson")] + \
            (["--wait"] if plan.wait else [])


class GoFront(Front):
    name = "go"
    binary: Optional[Path] = None

    def command(self, plan, emu, inp, work, key):
        if self.binary is None:
            self.binary = work / "go-driver"
            subprocess.run(["go", "build", "-o", str(self.binary), "."], cwd=DRIVERS / "go_driver",
                           env=dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod"), check=True)
        return [str(self.binary), "--input", str(inp), "--base-url", emu.api_url,
                "--concurrency", str(plan.concurrency), "--rate", str(plan.rate), "--chunk-size", str(plan.chunk),
                "--report", str(work / "report.json"), "--rows", str(work / "rows.ndjson")] + \
            (["--wait"] if plan.wait else [])


FRONTS: Dict[str, Front] = {f.name: f for f in (CliFront(), CliKillFront(), PythonFront(), GoFront())}
