"""The invariants every chaos run must keep, checked against the emulator's own state; the final
state itself is checked by the oracle (chaos/oracle.py)."""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from oracle import check_state
from plan import RunPlan

OUTCOMES = ("accepted", "rejected", "invalid", "duplicate", "notSent")


@dataclass
class RunResult:
    summary: Optional[dict]              # the report summary JSON (yespo_report_json shape)
    rows: List[dict]                     # per-row outcomes that the front end exposes
    rows_complete: bool                  # True: `rows` lists every row; False: failed rows only
    output: str = ""                     # everything the front end printed or wrote
    crashed: bool = False
    detail: str = ""
    accepted: int = 0
    extra: Dict[str, object] = field(default_factory=dict)


def check_run(plan: RunPlan, res: RunResult, emu, api_key: str) -> List[str]:
    problems: List[str] = []
    if res.crashed:
        return [f"front end crashed: {res.detail}"]
    s = res.summary
    if s is None:
        return [f"no report: {res.detail}"]
    counts = {k: int(s.get(k, 0)) for k in ("accepted", "rejected", "invalid", "duplicates", "notSent")}
    if s.get("rows") != plan.rows:
        problems.append(f"report has {s.get('rows')} rows, input has {plan.rows}")
    if sum(counts.values()) != plan.rows:
        problems.append(f"outcomes {counts} add up to {sum(counts.values())}, not {plan.rows}")
    seen: Dict[int, str] = {}
    for r in res.rows:
        n = int(r["row"])
        if n in seen:
            problems.append(f"row {n} has two outcomes: {seen[n]} and {r['outcome']}")
        seen[n] = r["outcome"]
        if r["outcome"] not in OUTCOMES:
            problems.append(f"row {n} has an unknown outcome {r['outcome']!r}")
    if res.rows_complete and len(seen) != plan.rows:
        problems.append(f"{plan.rows - len(seen)} rows have no outcome")
    invalid = sorted(n for n, o in seen.items() if o == "invalid")
    if invalid != plan.bad_rows:
        problems.append(f"invalid rows {invalid[:10]} differ from the bad rows {plan.bad_rows[:10]}")
    if s.get("fatal") and not s.get("cancelled"):
        problems.append(f"the job stopped with a fatal error: {s.get('fatal')}")
    if not plan.fault_kinds and counts["notSent"]:
        problems.append(f"{counts['notSent']} rows not sent without any fault")
    emu.flush_imports()
    accepted_rows = [n for n in range(1, plan.rows + 1) if seen.get(n, "accepted") == "accepted"] \
        if not res.rows_complete else [n for n, o in seen.items() if o == "accepted"]
    if len(accepted_rows) != counts["accepted"]:
        problems.append(f"{len(accepted_rows)} rows listed accepted, report counts {counts['accepted']}")
    if res.detail:
        problems.append(res.detail)
    records = {int(r["row"]): r for r in res.rows}
    verdict = check_state(plan, s, records, res.rows_complete, emu.contacts(),
                          journalled_before_kill=res.extra.get("journalledBeforeKill"),
                          stored_orders=emu._call("GET", "/orders") if plan.kind == "orders" else None)
    res.extra["lost"] = verdict.lost
    res.extra["stateMismatches"] = verdict.mismatches
    res.extra["uncertainRows"] = len(verdict.uncertain)
    problems += verdict.problems
    stats = emu.stats()
    # The emulator's bulk figures count POST /contacts only; an orders run sends nothing but
    # POST /orders (no import polls), so there every API request counts.
    in_flight, peak = ("maxInFlight", "peakRequestsPerSecond") if plan.kind == "orders" else \
        ("maxInFlightBulk", "peakBulkRequestsPerSecond")
    if stats.get(in_flight, 0) > plan.concurrency:
        problems.append(f"{stats[in_flight]} bulk requests in flight, limit {plan.concurrency}")
    if plan.rate and stats.get(peak, 0) > plan.rate + max(1, plan.rate // 10):
        problems.append(f"{stats[peak]} bulk requests in one second, budget {plan.rate}")
    b64 = base64.b64encode(f":{api_key}".encode()).decode()
    for secret in (api_key, b64):
        if secret in res.output:
            problems.append("the API key (or its Base64 form) appears in the front end's output")
    res.accepted = counts["accepted"]
    return problems
