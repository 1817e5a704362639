"""Draws one chaos run from its seed: input size, chunking, concurrency, budget, front end and a
random fault schedule. The same seed always draws the same run."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import List, Optional

BULK = "/api/v1/contacts"


@dataclass
class RunPlan:
    seed: int
    front: str
    rows: int
    bad_rows: List[int]          # 1-based rows made invalid on purpose
    chunk: int
    concurrency: int
    rate: int                    # client request budget per second, 0 = none
    timeout_ms: int              # client per-request timeout (stalls run past it)
    wait: bool                   # poll imports to the end
    import_delay_ms: int
    faults: dict = field(default_factory=dict)
    fault_kinds: List[str] = field(default_factory=list)


def _rule(action: str, **kw: object) -> dict:
    rule = {"method": "POST", "path": BULK, "action": action}
    rule.update(kw)
    return rule


def _email(seed: int, row: int) -> str:
    return f"chaos{seed}-{row}@example.com"


def draw_plan(seed: int, forced_front: Optional[str] = None) -> RunPlan:
    rng = random.Random(seed)
    drawn = rng.choice(["cli", "cli-kill", "python", "go"])  # always drawn: replays stay identical
    front = forced_front or drawn
    rows = rng.choice([1, 50, 400, 1500, 3000, 4200, 7000])
    bad = sorted(rng.sample(range(1, rows + 1), k=min(rows // 200, 5))) if rows > 1 else []
    chunk = rng.choice([100, 250, 500, 1000, 3000])
    concurrency = rng.choice([1, 2, 4, 8, 16])
    rate = rng.choice([0, 0, 25, 60])
    timeout_ms = 1500
    wait = rng.random() < 0.4
    candidates = {
        "429": lambda: _rule("status", status=429, count=rng.randint(1, 4), after=rng.randint(0, 3)),
        "429-retry-after": lambda: _rule("status", status=429, retryAfter=1, count=rng.randint(1, 2)),
        "500": lambda: _rule("status", status=500, probability=0.08),
        "502": lambda: _rule("status", status=502, probability=0.08),
        "503": lambda: _rule("status", status=503, probability=0.08),
        "drop": lambda: _rule("drop", probability=0.05),
        "dropMidResponse": lambda: _rule("dropMidResponse", probability=0.05),
        "stall": lambda: _rule("stall", delayMs=timeout_ms + 1000, count=1),
        "truncate": lambda: _rule("truncate", probability=0.04),
        "garbage": lambda: _rule("garbage", probability=0.04),
        "rejectRows": lambda: _rule("rejectRows", fraction=0.01, probability=0.5),
        # Yespo sends a single failure as an object rather than a one-element array.
        "failedObject": lambda: _rule("failedObject", probability=1.0,
                                      match=[_email(seed, rng.randint(1, rows))]),
        "importError": lambda: _rule("importError", count=1),
    }
    kinds = rng.sample(sorted(candidates), k=rng.randint(0, 4))
    if "importError" in kinds and not wait:
        wait = True  # without waiting, an import failing after acceptance is invisible to anyone
    rules = [candidates[k]() for k in kinds]
    return RunPlan(seed=seed, front=front, rows=rows, bad_rows=bad, chunk=chunk,
                   concurrency=concurrency, rate=rate, timeout_ms=timeout_ms, wait=wait,
                   import_delay_ms=rng.choice([0, 50, 400]) if wait else 0,
                   faults={"seed": seed, "rules": rules}, fault_kinds=kinds)


def contact_for(plan: RunPlan, row: int) -> dict:
    """The input contact of a row; bad rows break one validation rule each."""
    email = _email(plan.seed, row)
    contact = {"firstName": f"F{row}", "lastName": f"L{plan.seed}",
               "channels": [{"type": "email", "value": email}]}
    if row in plan.bad_rows:
        kind = row % 3
        if kind == 0:
            contact["channels"] = [{"type": "email", "value": f"not-an-email-{row}"}]
        elif kind == 1:
            contact["channels"] = []
        else:
            contact["firstName"] = "x" * 41
    return contact
