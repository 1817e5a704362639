#!/usr/bin/env python3
"""Seeded chaos runs: each run draws a random fault schedule for the emulator, a random input
size, chunk size, concurrency and request budget, pushes the input through one front end (the CLI,
the Python binding, the Go binding), and then checks the invariants against the emulator's own
state:

  1. every input row has exactly one outcome, and the counts add up to the input;
  2. the emulator's final contacts (and, in an orders run, its orders and the contacts they
     created) are what applying the rows reported accepted one at a time, in input order, to a
     model of the emulator gives (chaos/oracle.py, chaos/model.py);
  3. exactly the deliberately bad rows are reported invalid;
  4. the request budget was never exceeded and no more than the configured concurrency was in flight;
  5. the front end never crashed and the API key appears in none of its output.

    python chaos/run.py --runs 300            # make chaos
    python chaos/run.py --runs 15 --first-seed 1000   # the short version inside make test
    python chaos/run.py --seed 1234 --front go   # replay one failing run
    python chaos/run.py --runs 40 --kind orders  # orders runs only (a seed's kind is drawn otherwise)
    python chaos/run.py --runs 4 --tls           # through nginx: HTTPS + HTTP/2, CA from CURL_CA_BUNDLE
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from harness.emulator import Emulator  # noqa: E402
from harness.tls_front import TLSFront  # noqa: E402
from plan import RunPlan, draw_plan  # noqa: E402
from fronts import FRONTS  # noqa: E402
from invariants import check_run  # noqa: E402

API_KEY = "chaos-secret-key-7f3a9c"


class ThroughFront:
    """The emulator as the front ends see it with --tls: its API through nginx, its admin API direct."""

    def __init__(self, emu: Emulator, front: TLSFront) -> None:
        self._emu, self._front = emu, front

    def __getattr__(self, name: str):
        return getattr(self._emu, name)

    @property
    def api_url(self) -> str:
        return self._front.api_url


def self_test() -> None:
    """The oracle is only as good as its model: run their tests first (they also compare the
    model with a real emulator, and check that the oracle catches a naive parallel sender)."""
    import test_model
    import test_oracle
    started = time.monotonic()
    n = 0
    for mod in (test_model, test_oracle):
        for name, fn in sorted(vars(mod).items()):
            if name.startswith("test_") and callable(fn):
                fn()
                n += 1
    print(f"[chaos] self-test: {n} model and oracle tests passed in {time.monotonic() - started:.1f} s", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--seed", type=int, help="replay exactly this seed")
    ap.add_argument("--front", choices=sorted(FRONTS), help="force one front end")
    ap.add_argument("--kind", choices=["contacts", "orders"],
                    help="force contacts or orders runs (by default each seed draws its kind, ~35%% orders)")
    ap.add_argument("--no-ack-on", action="store_true",
                    help="diagnostic: keep the emulator's importOrder but do not ask the client to acknowledge "
                         "on finished (the oracle should then find stale overwrites)")
    ap.add_argument("--work", default=str(Path(__file__).resolve().parents[1] / "bench" / "work" / "chaos"))
    ap.add_argument("--summary", help="write the figures as JSON here")
    ap.add_argument("--tls", action="store_true",
                    help="reach the emulator through nginx (HTTPS + HTTP/2, a private CA given as CURL_CA_BUNDLE)")
    ap.add_argument("--no-self-test", action="store_true",
                    help="skip the model's and the oracle's own tests (chaos/test_*.py, a few seconds)")
    args = ap.parse_args()
    if not args.no_self_test and args.seed is None:
        self_test()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    seeds: List[int] = [args.seed] if args.seed is not None else list(
        range(args.first_seed, args.first_seed + args.runs))
    figures = {"tls": bool(args.tls), "runs": 0, "failed": 0, "rowsMoved": 0, "rowsLost": 0, "stateMismatches": 0,
               "runsWithStateMismatch": 0, "uncertainRows": 0, "faultsInjected": 0,
               "requests": 0, "crashes": 0, "byFront": {}, "seconds": 0.0,
               "ordersRuns": 0, "ordersMoved": 0, "ordersStateMismatches": 0, "ordersLost": 0}
    failures = []
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        emu = stack.enter_context(Emulator(API_KEY))
        if args.tls:
            front = stack.enter_context(TLSFront(emu.url))
            # Every front end finds the CA the way curl would: the doors honour CURL_CA_BUNDLE
            # (which wins over SSL_CERT_FILE, so a bundle set for this machine is overridden).
            os.environ["CURL_CA_BUNDLE"] = str(front.ca_file)
            emu = ThroughFront(emu, front)
            print(f"[chaos] through nginx at {front.api_url} (TLS + HTTP/2)", flush=True)
        for seed in seeds:
            plan: RunPlan = draw_plan(seed, forced_front=args.front, forced_kind=args.kind)
            if args.no_ack_on and plan.ack_on:
                plan.ack_on = None
                plan.notes.append("--no-ack-on: importOrder kept, client not told")
            front = FRONTS[plan.front]
            result = front.run(plan, emu, work, API_KEY)
            problems = check_run(plan, result, emu, API_KEY)
            stats = emu.stats()
            figures["runs"] += 1
            figures["byFront"][plan.front] = figures["byFront"].get(plan.front, 0) + 1
            figures["rowsMoved"] += result.accepted
            figures["rowsLost"] += int(result.extra.get("lost", 0))
            figures["stateMismatches"] += int(result.extra.get("stateMismatches", 0))
            figures["runsWithStateMismatch"] += int(bool(result.extra.get("stateMismatches", 0)))
            figures["uncertainRows"] += int(result.extra.get("uncertainRows", 0))
            figures["faultsInjected"] += stats.get("faultsInjected", 0)
            figures["requests"] += stats.get("requests", 0)
            if plan.kind == "orders":
                figures["ordersRuns"] += 1
                figures["ordersMoved"] += result.accepted
                figures["ordersStateMismatches"] += int(result.extra.get("stateMismatches", 0))
                figures["ordersLost"] += int(result.extra.get("lost", 0))
            if result.crashed:
                figures["crashes"] += 1
            status = "ok" if not problems else "FAIL"
            print(f"[chaos] seed {seed:5} {plan.front:8} {plan.kind:8} rows {plan.rows:5} chunk {plan.chunk:4} "
                  f"conc {plan.concurrency:2} rate {plan.rate:3} faults {len(plan.faults['rules']):2} "
                  f"-> accepted {result.accepted:5} uncertain {int(result.extra.get('uncertainRows', 0)):5} {status}", flush=True)
            for note in plan.notes:
                figures.setdefault("notes", {})[note] = figures.setdefault("notes", {}).get(note, 0) + 1
            if problems:
                print(f"        {plan.describe()}" + (f"; {'; '.join(plan.notes)}" if plan.notes else ""))
            if problems:
                keep = work / f"failed-{seed}-{plan.front}"
                keep.mkdir(exist_ok=True)
                (keep / "emulator-contacts.ndjson").write_text(
                    "".join(json.dumps(c) + "\n" for c in emu.contacts()))
                (keep / "emulator-imports.json").write_text(json.dumps(emu._call("GET", "/imports"), indent=1))
                if plan.kind == "orders":
                    (keep / "emulator-orders.json").write_text(json.dumps(emu._call("GET", "/orders"), indent=1))
                for name in ("report.json", "rows.ndjson", "outcomes.ndjson", "journal", f"input-{seed}.ndjson"):
                    if (work / name).exists():
                        (keep / name).write_bytes((work / name).read_bytes())
                figures["failed"] += 1
                failures.append((seed, plan.front, plan.kind, problems))
                for p in problems:
                    print(f"        {p}")
                print(f"        replay: python chaos/run.py --seed {seed} --front {plan.front} --kind {plan.kind}"
                      f"{' --tls' if args.tls else ''}   (files: {keep})")
    figures["seconds"] = round(time.monotonic() - started, 1)
    print("[chaos] " + json.dumps(figures))
    if args.summary:
        Path(args.summary).write_text(json.dumps(figures, indent=2) + "\n")
    if failures:
        print(f"[chaos] {len(failures)} of {len(seeds)} runs broke an invariant:")
        for seed, front, kind, problems in failures:
            print(f"  python chaos/run.py --seed {seed} --front {front} --kind {kind}   # {problems[0].splitlines()[0]}")
        return 1
    print(f"{len(seeds)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
