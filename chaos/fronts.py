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
from plan import ORDER_KEYS, RunPlan

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = Path(__file__).resolve().parent / "drivers"
# How long a front waits for imports (and for rows accepted on "Duplicated request" to show up in
# a search, which never happens after the injected `duplicated` fault, since nothing was applied).
IMPORT_TIMEOUT_S = 10
# The slowest healthy run (7000 rows, one at a time, imports awaited) takes under a minute.
RUN_TIMEOUT_S = 150


def bindings_root() -> Path:
    """Whose bindings the Python and Go fronts use: YESPO_BINDINGS, else the tree YESPO_LIB was
    built in (<tree>/dist/lib/libyespo.so), else this one — so that bindings and library match."""
    if os.environ.get("YESPO_BINDINGS"):
        return Path(os.environ["YESPO_BINDINGS"])
    lib = os.environ.get("YESPO_LIB")
    if lib:
        tree = Path(lib).resolve().parents[2]
        if (tree / "bindings" / "python" / "src" / "yespo").is_dir():
            return tree
    return ROOT


def write_input(plan: RunPlan, work: Path) -> Path:
    path = work / f"input-{plan.seed}.ndjson"
    with open(path, "w", encoding="utf-8") as f:
        for row in plan.input_rows:
            f.write(json.dumps(row) + "\n")
    return path


def emulator_supports(emu) -> set:
    """The issue-12 config keys this emulator build knows (it lists every key in GET /config)."""
    return set(emu.config()) & set(ORDER_KEYS)


def prepare_emulator(plan: RunPlan, emu) -> None:
    """Resets the emulator and sets the run's settings and faults. Settings and fault actions the
    emulator does not know yet are left out (and noted in plan.notes) so that runs still work."""
    emu.reset()
    known = emulator_supports(emu)
    cfg = {"latencyMs": 0, "latencyPerContactUs": 0, "importDelayMs": plan.import_delay_ms,
           "rateLimitBulk": 0, "retryAfter": None}
    cfg.update({k: v for k, v in plan.emulator_config().items() if k in known})
    missing = sorted(k for k, v in plan.emulator_config().items() if k not in known)
    if missing:
        plan.notes.append("emulator lacks " + ",".join(missing))
        # without them the emulator behaves as the defaults: arrival order, indexed failures
        plan.import_order, plan.failed_shape, plan.duplicate_window_ms = "arrival", "indexed", 0
    emu.configure(cfg)
    faults = plan.faults
    if "duplicateWindowMs" not in known and any(r["action"] == "duplicated" for r in faults["rules"]):
        faults = dict(faults, rules=[r for r in faults["rules"] if r["action"] != "duplicated"])
        plan.notes.append("no 'duplicated' fault action")
    emu.set_faults(faults)


def _read_ndjson(path: Path) -> List[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


class Front:
    name = ""

    def supports_ack_on(self) -> bool:
        return False

    def command(self, plan: RunPlan, emu, inp: Path, work: Path, key: str) -> List[str]:
        raise NotImplementedError

    def run(self, plan: RunPlan, emu, work: Path, key: str) -> RunResult:
        inp = write_input(plan, work)
        report, rows = work / "report.json", work / "rows.ndjson"
        for p in (report, rows, work / "outcomes.ndjson"):
            p.unlink(missing_ok=True)
        settle_ordering(plan, self)
        prepare_emulator(plan, emu)
        env = dict(os.environ, YESPO_API_KEY=key,
                   PYTHONPATH=os.pathsep.join([str(DRIVERS), str(bindings_root() / "bindings" / "python" / "src")]))
        argv = self.command(plan, emu, inp, work, key)
        try:
            p = subprocess.run(argv, env=env, capture_output=True, timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired as e:
            return RunResult(None, [], False, crashed=True, detail=f"timed out after {RUN_TIMEOUT_S} s (a hang): {argv}")
        out = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
        written = "".join(x.read_text("utf-8", "replace") for x in (report, rows) if x.exists())
        if p.returncode < 0 or p.returncode not in self.ok_exits():
            log = work / f"crash-{plan.seed}-{self.name}.log"
            log.write_text(out)
            return RunResult(None, [], False, output=out + written, crashed=True,
                             detail=f"exit {p.returncode} (whole output in {log}): {out[:300]} … {out[-300:]}")
        summary = json.loads(report.read_text("utf-8")) if report.exists() else None
        res = self.result(summary, work, out + written)
        if summary is None:
            log = work / f"noreport-{plan.seed}-{self.name}.log"
            log.write_text(out)
            res.detail = f"exit {p.returncode}, output in {log}: {out[-400:]}"
        return res

    def result(self, summary: Optional[dict], work: Path, output: str) -> RunResult:
        return RunResult(summary, _read_ndjson(work / "rows.ndjson"), self.rows_complete(), output=output)

    def ok_exits(self) -> tuple:
        return (0, 1)

    def rows_complete(self) -> bool:
        return True


class CliFront(Front):
    name = "cli"

    def command(self, plan, emu, inp, work, key):
        cli = os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo")
        sub = ["orders", "upsert"] if plan.kind == "orders" else ["upsert"]
        argv = [cli, *sub, str(inp), "--base-url", emu.api_url, "--concurrency", str(plan.concurrency),
                "--chunk-size", str(plan.chunk), "--report", str(work / "report.json"),
                "--rejects", str(work / "rows.ndjson"), "--quiet"]
        if plan.rate:
            argv += ["--rate", str(plan.rate)]
        if plan.kind == "orders":    # no import wait, no contact options for orders
            return argv + ["--outcomes", str(work / "outcomes.ndjson")]
        if plan.wait:
            argv += ["--wait"]
        if plan.dedupe_on != "email":
            argv += ["--dedupe-on", plan.dedupe_on]
        for g in plan.group_names:
            argv += ["--group", g]
        if plan.ack_on:
            argv += ["--ack-on", plan.ack_on]
        if plan.wait or plan.ack_on:
            argv += ["--poll-interval", "0.1", "--import-timeout", str(IMPORT_TIMEOUT_S)]
        return argv + ["--outcomes", str(work / "outcomes.ndjson")]

    def result(self, summary: Optional[dict], work: Path, output: str) -> RunResult:
        # --outcomes lists every row; --rejects (checked too) only the failed ones
        outcomes, rejects = _read_ndjson(work / "outcomes.ndjson"), _read_ndjson(work / "rows.ndjson")
        res = RunResult(summary, outcomes or rejects, bool(outcomes), output=output)
        failed = sorted(int(r["row"]) for r in outcomes if r["outcome"] != "accepted")
        if outcomes and failed != sorted(int(r["row"]) for r in rejects):
            res.detail = "--rejects and --outcomes disagree on the failed rows"
        return res

    def supports_ack_on(self) -> bool:
        return "--ack-on" in _help(os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo"))


class CliKillFront(CliFront):
    """The CLI killed with SIGKILL at a seeded moment, then rerun with --resume from its journal
    (again and again if the kill landed before anything was journalled); the final report must
    cover the whole input as if it had run once."""
    name = "cli-kill"

    def run(self, plan: RunPlan, emu, work: Path, key: str) -> RunResult:
        inp = write_input(plan, work)
        journal, report, rows = work / "journal", work / "report.json", work / "rows.ndjson"
        for p in (journal, report, rows, work / "outcomes.ndjson"):
            p.unlink(missing_ok=True)
        settle_ordering(plan, self)
        prepare_emulator(plan, emu)
        emu.configure({"latencyMs": 40})  # so that the kill lands while chunks are in flight
        env = dict(os.environ, YESPO_API_KEY=key)
        argv = self.command(plan, emu, inp, work, key) + ["--journal", str(journal)]
        victim = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(random.Random(plan.seed).uniform(0.05, 0.8))
        victim.kill()
        out = victim.communicate()[0].decode("utf-8", "replace")
        before_kill = journalled_rows(journal)
        # The request budget belongs to one client process; a restart inside the same second
        # would let the emulator count the dead process's last requests against the new one.
        # Likewise a stalled connection of the dead process stays open (and counts as in flight)
        # until the stall ends.
        stalls = [r.get("delayMs", 0) for r in plan.faults["rules"] if r["action"] == "stall"]
        time.sleep(max([1.2] + [ms / 1000 + 0.3 for ms in stalls]))
        # And whatever else the server is still doing for the dead process (a stall whose rule
        # fired twice, a slow answer): the resumed run starts once the server has nothing in
        # flight, so that its own concurrency is what the invariant sees (chaos seed 2011).
        drain_until = time.monotonic() + 60
        while emu.stats().get("inFlight", 0) > 0 and time.monotonic() < drain_until:
            time.sleep(0.1)
        for f in (report, rows, work / "outcomes.ndjson"):
            f.unlink(missing_ok=True)
        try:
            p = subprocess.run(argv + ["--resume"], env=env, capture_output=True, timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return RunResult(None, [], False, output=out, crashed=True,
                             detail=f"the resumed run timed out after {RUN_TIMEOUT_S} s (a hang): {argv + ['--resume']}")
        out += p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
        written = "".join(x.read_text("utf-8", "replace") for x in (report, rows, journal) if x.exists())
        if p.returncode not in self.ok_exits():
            return RunResult(None, [], False, output=out + written, crashed=True,
                             detail=f"resume exit {p.returncode}: {out[-600:]}")
        summary = json.loads(report.read_text("utf-8")) if report.exists() else None
        res = self.result(summary, work, out + written)
        res.extra["journalledBeforeKill"] = before_kill
        return res


def journalled_rows(journal: Path) -> set:
    """The rows a (killed) CLI's journal records an outcome for: every range string in its
    lines ({"chunk":3,"accepted":"1-9,12"}, {"invalid":"4","duplicate":"7,8",...}). A line cut
    by the kill is skipped."""
    rows: set = set()
    if not journal.exists():
        return rows
    for line in journal.read_text("utf-8", "replace").splitlines()[1:]:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        for v in entry.values():
            if not isinstance(v, str) or not v or not all(ch.isdigit() or ch in ",-" for ch in v):
                continue
            for part in v.split(","):
                a, _, b = part.partition("-")
                rows.update(range(int(a), int(b or a) + 1))
    return rows


class PythonFront(Front):
    name = "python"

    def command(self, plan, emu, inp, work, key):
        return [sys.executable, str(DRIVERS / "py_driver.py"), "--input", str(inp), "--base-url", emu.api_url,
                "--concurrency", str(plan.concurrency), "--rate", str(plan.rate), "--chunk-size", str(plan.chunk),
                "--report", str(work / "report.json"), "--rows", str(work / "rows.ndjson")] + \
            _job_flags(plan)

    ack_on: Optional[bool] = None

    def supports_ack_on(self) -> bool:
        if self.ack_on is None:     # asked once per session: the bindings may change under us
            # a dry run with the keyword: no server needed, and no signature to read (upsert_contacts
            # may take **options)
            probe = ("import yespo\n"
                     "with yespo.Client('k', base_url='http://127.0.0.1:9/api/v1') as c:\n"
                     "    c.upsert_contacts([{'channels': [{'type': 'email', 'value': 'a@b.co'}]}],"
                     " dry_run=True, ack_on='finished')\n"
                     "print(True)")
            env = dict(os.environ, PYTHONPATH=str(bindings_root() / "bindings" / "python" / "src"))
            p = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
            self.ack_on = p.stdout.strip() == "True"
        return self.ack_on


class GoFront(Front):
    name = "go"
    binary: Optional[Path] = None

    def command(self, plan, emu, inp, work, key):
        if self.binary is None:
            # The driver's go.mod points at this tree's binding; build against the binding that
            # matches the library (bindings_root) through a copy of it in the work directory.
            binding = bindings_root() / "bindings" / "go"
            mod = work / "go-driver.mod"
            mod.write_text((DRIVERS / "go_driver" / "go.mod").read_text().replace(
                "=> ../../../bindings/go", f"=> {binding}"))
            (work / "go-driver.sum").write_text("")
            tags = ["-tags", "ackon"] if self.supports_ack_on() else []
            self.binary = work / "go-driver"
            subprocess.run(["go", "build", "-modfile", str(mod), *tags, "-o", str(self.binary), "."],
                           cwd=DRIVERS / "go_driver", env=dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod"),
                           check=True)
        return [str(self.binary), "--input", str(inp), "--base-url", emu.api_url,
                "--concurrency", str(plan.concurrency), "--rate", str(plan.rate), "--chunk-size", str(plan.chunk),
                "--report", str(work / "report.json"), "--rows", str(work / "rows.ndjson")] + \
            _job_flags(plan)

    ack_on: Optional[bool] = None

    def supports_ack_on(self) -> bool:
        if self.ack_on is None:     # decided once, and the driver is built to match
            src = bindings_root() / "bindings" / "go" / "upsert.go"
            self.ack_on = src.exists() and "AckOn" in src.read_text()
        return self.ack_on


def _job_flags(plan: RunPlan) -> List[str]:
    """The job options the Python and Go drivers take as flags."""
    if plan.kind == "orders":
        return ["--kind", "orders", "--import-timeout", str(IMPORT_TIMEOUT_S)]
    flags = ["--wait"] if plan.wait else []
    flags += ["--import-timeout", str(IMPORT_TIMEOUT_S)]
    flags += ["--dedupe-on", plan.dedupe_on]
    for g in plan.group_names:
        flags += ["--group", g]
    if plan.ack_on:
        flags += ["--ack-on", plan.ack_on]
    return flags


_HELP: Dict[str, str] = {}


def _help(cli: str) -> str:
    if cli not in _HELP:
        p = subprocess.run([cli, "upsert", "--help"], capture_output=True, text=True)
        _HELP[cli] = p.stdout + p.stderr
    return _HELP[cli]


def settle_ordering(plan: RunPlan, front: Front) -> None:
    """A run whose imports the emulator applies out of order needs the client's "acknowledge on
    finished" mode. A front end that cannot ask for it yet runs the plan in arrival order instead
    (noted), since no client can keep the order of imports it was never told about."""
    if plan.import_order != "arrival" and not plan.ack_on:
        return          # run.py --no-ack-on
    if plan.ack_on and not front.supports_ack_on():
        plan.notes.append(f"{front.name} has no ack-on mode: importOrder {plan.import_order} -> arrival")
        plan.import_order, plan.import_jitter_ms, plan.ack_on = "arrival", 0, None


FRONTS: Dict[str, Front] = {f.name: f for f in (CliFront(), CliKillFront(), PythonFront(), GoFront())}
