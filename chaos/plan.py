"""Draws one chaos run from its seed: input size, chunking, concurrency, budget, front end, a
random fault schedule, the emulator's ordering settings, and the input rows themselves. The same
seed always draws the same run.

Draw order matters for replays: the plan's draws come from `random.Random(seed)` in a fixed order
(the original draws first, the issue-12 ones after them); the input rows come from their own
generator (`random.Random("chaos-input-<seed>")`), so adding a field to the rows never shifts the
plan, nor the other way round.

Issue 13: whether a seed is a contacts run or an orders run is drawn first, from its own generator
(`random.Random("chaos-kind-<seed>")`), so a seed that stays a contacts run keeps its exact plan.
An orders run draws everything from `random.Random("chaos-orders-<seed>")` and its input from
`random.Random("chaos-orders-input-<seed>")` (see `draw_orders_plan`)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

BULK = "/api/v1/contacts"
ORDERS = "/api/v1/orders"
# Share of seeds that are orders runs (issue 13); `--kind` in run.py forces one kind.
ORDERS_SHARE = 0.35
ORDER_STATUSES = ("INITIALIZED", "IN_PROGRESS", "DELIVERED", "CANCELLED", "ABANDONED_SHOPPING_CART")

# Emulator config keys of issue 12 (set only when the emulator lists them in GET /_emulator/config).
ORDER_KEYS = ("duplicateWindowMs", "duplicateStatus", "duplicateBody", "failedShape", "importOrder",
              "importDelayJitterMs")
# Faults whose request is processed by the server although the client sees a failure: a retry of
# it applies its rows a second time, later.
PROCESSED_THEN_FAILED = ("dropMidResponse", "truncate", "garbage", "delay")


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
    # issue 12: the state oracle's runs
    dedupe_on: str = "email"
    group_names: List[str] = field(default_factory=list)
    duplicate_window_ms: int = 0         # emulator answers a byte-identical repeat "Duplicated request"
    failed_shape: str = "indexed"        # how failedContacts entries look
    import_order: str = "arrival"        # in which order the emulator applies due imports
    import_jitter_ms: int = 0
    ack_on: Optional[str] = None         # "finished": the client counts a chunk done when its import is
    collision_rate: float = 0.0          # share of rows reusing an earlier row's email/phone/ext
    contacts: List[dict] = field(default_factory=list, repr=False)
    notes: List[str] = field(default_factory=list)   # what this run could not do (missing features)
    # issue 13: orders runs
    kind: str = "contacts"               # "contacts" | "orders"
    orders: List[dict] = field(default_factory=list, repr=False)
    repeat_rate: float = 0.0             # orders: share of rows repeating an earlier externalOrderId

    @property
    def input_rows(self) -> List[dict]:
        """The run's input, one JSON object a row: contacts or orders."""
        return self.orders if self.kind == "orders" else self.contacts

    def row_channel_values(self, n: int) -> List[str]:
        """Row n's email and phone values as sent (what a fault rule's `match` compares, lower-cased)."""
        obj = self.input_rows[n - 1]
        if self.kind == "orders":
            return [str(obj[k]).lower() for k in ("email", "phone") if isinstance(obj.get(k), str)]
        return [ch["value"].lower() for ch in obj.get("channels", [])]

    def emulator_config(self) -> Dict[str, object]:
        """The issue-12 emulator settings of this run (the caller drops keys the emulator lacks)."""
        return {"duplicateWindowMs": self.duplicate_window_ms, "duplicateStatus": 400,
                "duplicateBody": "Duplicated request", "failedShape": self.failed_shape,
                "importOrder": self.import_order, "importDelayJitterMs": self.import_jitter_ms}

    def describe(self) -> str:
        if self.kind == "orders":
            bits = [f"orders, repeats {self.repeat_rate:.1%}, shared emails {self.collision_rate:.1%}"]
        else:
            bits = [f"dedupe {self.dedupe_on}", f"collisions {self.collision_rate:.1%}"]
        if self.import_order != "arrival":
            bits.append(f"importOrder {self.import_order}")
        if self.failed_shape != "indexed":
            bits.append(f"failedShape {self.failed_shape}")
        if self.duplicate_window_ms:
            bits.append("dupWindow")
        return ", ".join(bits) + "; faults " + (",".join(self.fault_kinds) or "none")


def _rule(action: str, path: str = BULK, **kw: object) -> dict:
    rule = {"method": "POST", "path": path, "action": action}
    rule.update(kw)
    return rule


def draw_kind(seed: int) -> str:
    """Contacts or orders, from the seed's own generator (so contact plans never shift)."""
    return "orders" if random.Random(f"chaos-kind-{seed}").random() < ORDERS_SHARE else "contacts"


def draw_plan(seed: int, forced_front: Optional[str] = None, forced_kind: Optional[str] = None) -> RunPlan:
    if (forced_kind or draw_kind(seed)) == "orders":
        return draw_orders_plan(seed, forced_front)
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
        # Yespo sends a single failure as an object rather than a one-element array. The row is
        # drawn here; its (unique) email is filled in once the input is drawn.
        "failedObject": lambda: _rule("failedObject", probability=1.0, match=[f"@row:{rng.randint(1, rows)}"]),
        "importError": lambda: _rule("importError", count=1),
    }
    kinds = rng.sample(sorted(candidates), k=rng.randint(0, 4))
    if "importError" in kinds and not wait:
        wait = True  # without waiting, an import failing after acceptance is invisible to anyone
    rules = [candidates[k]() for k in kinds]
    plan = RunPlan(seed=seed, front=front, rows=rows, bad_rows=bad, chunk=chunk,
                   concurrency=concurrency, rate=rate, timeout_ms=timeout_ms, wait=wait,
                   import_delay_ms=rng.choice([0, 50, 400]) if wait else 0,
                   faults={"seed": seed, "rules": rules}, fault_kinds=kinds)

    # ---- issue 12 draws: keep them after the ones above, in this order.
    plan.dedupe_on = rng.choices(["email", "email_or_sms", "sms"], weights=[6, 3, 1])[0]
    if rng.random() < 0.3:
        plan.group_names = [f"chaos-{rng.randint(1, 3)}"]
    # Faults that make a request's rows land late (a retry after a later chunk went through), by
    # count so that small inputs meet them too.
    reorder = {
        "drop-early": lambda: _rule("drop", count=1, after=rng.randint(0, 3)),
        "dropMidResponse-early": lambda: _rule("dropMidResponse", count=1, after=rng.randint(0, 3)),
        "503-retry-after": lambda: _rule("status", status=503, retryAfter=1, count=rng.randint(1, 2),
                                         after=rng.randint(0, 2)),
        "503-burst": lambda: _rule("status", status=503, count=2, after=rng.randint(0, 3)),
        "stall-late": lambda: _rule("stall", delayMs=timeout_ms + 500, count=1, after=rng.randint(1, 4)),
        "duplicated": lambda: _rule("duplicated", probability=0.05),
    }
    extra = rng.sample(sorted(reorder), k=rng.choice([0, 1, 1, 2]))
    # first in the list: a rule that applies to every request (failedObject) would hide them
    plan.faults["rules"] = [reorder[k]() for k in extra] + plan.faults["rules"]
    plan.fault_kinds = kinds + extra
    # Always on, as Yespo itself refuses a repeat: a retry of a request that was processed but
    # whose answer was lost is then answered "Duplicated request" instead of being applied twice.
    # (Without it, replaying a chunk whose rows interact — a row, then a later row of the same
    # email with an externalCustomerId — is not idempotent, and no client can prevent that.)
    rng.random()     # was the window's on/off draw; kept so that the draws after it stay put
    plan.duplicate_window_ms = 60000
    plan.failed_shape = rng.choice(["indexed", "indexed", "contact", "errors", "message", "object", "mixed"])
    plan.import_order = rng.choice(["arrival", "arrival", "arrival", "reverse", "shuffle"])
    if plan.import_order != "arrival":
        # imports must queue up for their order to matter; the client then acknowledges a chunk
        # only once its import finished
        plan.import_delay_ms = max(plan.import_delay_ms, rng.choice([30, 80]))
        plan.import_jitter_ms = rng.choice([0, 30, 100])
        plan.ack_on = "finished"
    if plan.failed_shape == "message":
        # Failures the client cannot map to a row: keep them to rows we can name (a `fraction`
        # would refuse rows nobody can identify afterwards), so the oracle can set them aside.
        for r in plan.faults["rules"]:
            if r["action"] == "rejectRows":
                r["fraction"] = 0.0
                r["match"] = [f"@row:{rng.randint(1, rows)}" for _ in range(3)]

    plan.contacts = make_contacts(plan)
    _name_matched_rows(plan)
    return plan


# ---------------------------------------------------------------- the input rows

def _email(seed: int, row: int) -> str:
    return f"chaos{seed}-{row}@example.com"


def _phone(seed: int, row: int) -> str:
    return f"38{seed % 100000:05d}{row:05d}"          # 12 digits, unique per (seed, row)


def _ext(seed: int, row: int) -> str:
    return f"x{seed}-{row}"


def make_contacts(plan: RunPlan) -> List[dict]:
    """The run's input. Each row has a distinct firstName (`F<row>`) so that a stale write shows.
    About `collision_rate` of the rows reuse an earlier row's email, phone or externalCustomerId
    in mixed ways (same email with another or no externalCustomerId, same externalCustomerId with
    another email, same phone, a full repeat, the same email in other letter case); most of them
    pick a row a few chunks back, so that the two rows are in flight around the same time. The
    bad rows break one validation rule each."""
    seed = plan.seed
    rng = random.Random(f"chaos-input-{seed}")
    plan.collision_rate = rng.uniform(0.01, 0.05)
    window = plan.chunk * (plan.concurrency + 2)
    keys: List[dict] = []
    out: List[dict] = []
    for n in range(1, plan.rows + 1):
        shape = rng.random()
        email: Optional[str] = _email(seed, n) if shape < 0.85 else None
        phone: Optional[str] = _phone(seed, n) if shape >= 0.6 else None
        ext: Optional[str] = _ext(seed, n) if rng.random() < 0.3 else None
        if keys and rng.random() < plan.collision_rate:
            if rng.random() < 0.7:
                j = rng.randrange(max(0, len(keys) - window), len(keys))
            else:
                j = rng.randrange(len(keys))
            src = keys[j]
            kind = rng.choice(["email-other-ext", "email-no-ext", "ext-other-email", "repeat", "phone",
                               "email-case"])
            if kind == "ext-other-email" and src["ext"] is None:
                kind = "email-no-ext"
            if kind == "phone" and src["phone"] is None:
                kind = "email-other-ext"
            if kind in ("email-other-ext", "email-no-ext", "email-case") and src["email"] is None:
                kind = "phone"
            if kind == "email-other-ext":
                email, ext = src["email"], _ext(seed, n)
            elif kind == "email-no-ext":
                email, ext = src["email"], None
            elif kind == "email-case":
                email = src["email"].upper() if rng.random() < 0.5 else src["email"].capitalize()
            elif kind == "ext-other-email":
                ext, email = src["ext"], _email(seed, n)
            elif kind == "repeat":
                email, phone, ext = src["email"], src["phone"], src["ext"]
            elif kind == "phone":
                p = src["phone"]
                phone = rng.choice([p, "+" + p, f"+{p[:2]} {p[2:5]} {p[5:8]}-{p[8:]}"])
        # every good row carries what the job's dedupeOn needs (an externalCustomerId also does)
        if ext is None and plan.dedupe_on == "email" and email is None:
            email = _email(seed, n)
        if ext is None and plan.dedupe_on == "sms" and phone is None:
            phone = _phone(seed, n)
        if email is None and phone is None:
            email = _email(seed, n)
        contact: dict = {"firstName": f"F{n}"}
        if rng.random() < 0.85:
            contact["lastName"] = f"L{seed}-{n}"       # absent: a full write empties it
        if ext is not None:
            contact["externalCustomerId"] = ext
        contact["channels"] = ([{"type": "email", "value": email}] if email else []) + \
                              ([{"type": "sms", "value": phone}] if phone else [])
        if rng.random() < 0.3:
            contact["fields"] = [{"id": 7001, "value": f"r{n}"}]
            if rng.random() < 0.5:
                contact["fields"].append({"id": 7002, "value": f"s{n}"})
        if rng.random() < 0.1:
            contact["languageCode"] = rng.choice(["en", "uk", "pl"])
        keys.append({"email": email.lower() if email else None,
                     "phone": "".join(ch for ch in phone if ch.isdigit()) if phone else None, "ext": ext})
        if n in plan.bad_rows:
            kind = n % 3
            if kind == 0:
                contact["channels"] = [{"type": "email", "value": f"not-an-email-{n}"}]
            elif kind == 1:
                contact["channels"] = []
            else:
                contact["firstName"] = "x" * 41
        out.append(contact)
    return out


def _resolve_row_matches(plan: RunPlan, email_of: Callable[[int], Optional[str]]) -> None:
    """Turns `@row:N` in fault rules' `match` into `email_of(n)` for row N, or for the next row
    for which it gives one (so that the rule refuses exactly one row wherever it fires;
    `failedObject` answers only the first failure of a request)."""
    for rule in plan.faults["rules"]:
        if "match" not in rule:
            continue
        named = []
        for m in rule["match"]:
            if not m.startswith("@row:"):
                named.append(m)
                continue
            start = int(m[5:])
            for k in range(plan.rows):
                n = (start - 1 + k) % plan.rows + 1
                email = email_of(n) if n not in plan.bad_rows else None
                if email:
                    named.append(email)
                    break
        rule["match"] = named


def _name_matched_rows(plan: RunPlan) -> None:
    """`@row:N` becomes the email of row N or of the next good row with one channel, an email
    that no other row uses."""
    counts: Dict[str, int] = {}
    for c in plan.contacts:
        for ch in c["channels"]:
            counts[ch["value"].lower()] = counts.get(ch["value"].lower(), 0) + 1

    def email_of(n: int) -> Optional[str]:
        c = plan.contacts[n - 1]
        emails = [ch["value"] for ch in c["channels"] if ch["type"] == "email"]
        return emails[0] if len(c["channels"]) == 1 and emails and counts[emails[0].lower()] == 1 else None
    _resolve_row_matches(plan, email_of)


# ---------------------------------------------------------------- orders runs (issue 13)

def draw_orders_plan(seed: int, forced_front: Optional[str] = None) -> RunPlan:
    """An orders run: POST /api/v1/orders under the fault kinds the emulator applies there (5xx,
    429, drops, timeouts/stalls, cut or garbled answers, rejectRows/failedObject/badRequestRows by
    email, "Duplicated request"). No import-wait faults: orders have no import session, and the
    job refuses wait/ackOn and the contact options for them."""
    rng = random.Random(f"chaos-orders-{seed}")
    drawn = rng.choice(["cli", "cli-kill", "python", "go"])
    front = forced_front or drawn
    rows = rng.choice([1, 50, 400, 1500, 3000, 5000])
    bad = sorted(rng.sample(range(1, rows + 1), k=min(max(1, rows // 200), 5))) if rows >= 50 else []
    chunk = rng.choice([50, 100, 250, 500, 1000])
    concurrency = rng.choice([1, 2, 4, 8, 16])
    rate = rng.choice([0, 0, 25, 60])
    timeout_ms = 1500
    o = ORDERS
    candidates = {
        "429": lambda: _rule("status", o, status=429, count=rng.randint(1, 4), after=rng.randint(0, 3)),
        "429-retry-after": lambda: _rule("status", o, status=429, retryAfter=1, count=rng.randint(1, 2)),
        "500": lambda: _rule("status", o, status=500, probability=0.08),
        "502": lambda: _rule("status", o, status=502, probability=0.08),
        "503": lambda: _rule("status", o, status=503, probability=0.08),
        "drop": lambda: _rule("drop", o, probability=0.05),
        "dropMidResponse": lambda: _rule("dropMidResponse", o, probability=0.05),
        "stall": lambda: _rule("stall", o, delayMs=timeout_ms + 1000, count=1),
        "truncate": lambda: _rule("truncate", o, probability=0.04),
        "garbage": lambda: _rule("garbage", o, probability=0.04),
        "rejectRows": lambda: _rule("rejectRows", o, fraction=0.01, probability=0.5),
        "failedObject": lambda: _rule("failedObject", o, probability=1.0, match=[f"@row:{rng.randint(1, rows)}"]),
        "badRequestRows": lambda: _rule("badRequestRows", o, probability=1.0, match=[f"@row:{rng.randint(1, rows)}"]),
    }
    kinds = rng.sample(sorted(candidates), k=rng.randint(0, 4))
    # rules that fire on every request go last, so that the others still get their turn
    kinds.sort(key=lambda k: k in ("failedObject", "badRequestRows"))
    rules = [candidates[k]() for k in kinds]
    reorder = {
        "drop-early": lambda: _rule("drop", o, count=1, after=rng.randint(0, 3)),
        "dropMidResponse-early": lambda: _rule("dropMidResponse", o, count=1, after=rng.randint(0, 3)),
        "503-retry-after": lambda: _rule("status", o, status=503, retryAfter=1, count=rng.randint(1, 2),
                                         after=rng.randint(0, 2)),
        "503-burst": lambda: _rule("status", o, status=503, count=2, after=rng.randint(0, 3)),
        "stall-late": lambda: _rule("stall", o, delayMs=timeout_ms + 500, count=1, after=rng.randint(1, 4)),
        "duplicated": lambda: _rule("duplicated", o, probability=0.05),
    }
    extra = rng.sample(sorted(reorder), k=rng.choice([0, 1, 1, 2]))
    plan = RunPlan(seed=seed, front=front, rows=rows, bad_rows=bad, chunk=chunk, concurrency=concurrency,
                   rate=rate, timeout_ms=timeout_ms, wait=False, import_delay_ms=0,
                   faults={"seed": seed, "rules": [reorder[k]() for k in extra] + rules},
                   fault_kinds=kinds + extra, kind="orders")
    plan.duplicate_window_ms = 60000
    plan.failed_shape = rng.choice(["indexed", "indexed", "contact", "errors", "message", "object", "mixed"])
    if plan.failed_shape == "message":
        for r in plan.faults["rules"]:
            if r["action"] == "rejectRows":
                r["fraction"] = 0.0
                r["match"] = [f"@row:{rng.randint(1, rows)}" for _ in range(3)]
    plan.orders = make_orders(plan)
    _name_matched_orders(plan)
    return plan


def _items(rng: random.Random, n: int, version: int) -> List[dict]:
    out = []
    for i in range(rng.randint(1, 3)):
        item = {"externalItemId": f"i{n}-{version}-{i}", "name": f"Item {n}.{version}.{i}",
                "quantity": rng.randint(1, 5), "cost": round(rng.uniform(1, 200), 2)}
        if rng.random() < 0.3:
            item["category"] = rng.choice(["Kitchen", "Books", "Toys"])
        out.append(item)
    return out


def make_orders(plan: RunPlan) -> List[dict]:
    """The orders run's input. Each order has its own externalOrderId (`o<seed>-<row>`) and a
    distinct firstName (`N<row>`), except:
      - `repeat_rate` (1–5 %) of the rows repeat an earlier order's externalOrderId (mostly a few
        chunks back, so both are in flight together) with the same customer, email, phone and
        names but another status, totalCost and items: the later version must win;
      - `collision_rate` (1–5 %) of the rows are another order of an earlier order's email
        (sometimes in other letter case), with their own firstName: the contact is created by the
        first order of that email in input order, with that order's name;
      - a third of that again reuse an earlier order's phone with a new email: the order links
        to the contact of that phone (email first, then phone), and no contact of the new email
        is created — unless it lands first;
      - the bad rows break one rule each: a status Yespo does not know, no email and no phone, a
        non-numeric totalCost."""
    seed = plan.seed
    rng = random.Random(f"chaos-orders-input-{seed}")
    plan.repeat_rate = rng.uniform(0.01, 0.05)
    plan.collision_rate = rng.uniform(0.01, 0.05)
    window = plan.chunk * (plan.concurrency + 2)
    good: List[int] = []          # 0-based indexes of earlier good orders
    out: List[dict] = []

    def pick() -> dict:
        if rng.random() < 0.7:
            return out[good[rng.randrange(max(0, len(good) - window), len(good))]]
        return out[good[rng.randrange(len(good))]]

    for n in range(1, plan.rows + 1):
        shape = rng.random()
        email: Optional[str] = _email(seed, n) if shape < 0.8 else None
        phone: Optional[str] = _phone(seed, n) if shape >= 0.6 else None
        order: dict = {"externalOrderId": f"o{seed}-{n}", "externalCustomerId": f"c{seed}-{n}",
                       "totalCost": round(rng.uniform(1, 900), 2) if rng.random() < 0.7 else rng.randint(1, 900),
                       "status": rng.choice(ORDER_STATUSES),
                       "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
                               f"{rng.randint(0, 59):02d}:00",
                       "currency": rng.choice(["UAH", "USD", "EUR"])}
        first: Optional[str] = f"N{n}"
        last: Optional[str] = f"K{seed}-{n}" if rng.random() < 0.7 else None
        items = _items(rng, n, 1) if rng.random() < 0.6 else None
        roll = rng.random()
        if n not in plan.bad_rows and good and roll < plan.repeat_rate:
            src = pick()
            order = dict(src)
            order["status"] = rng.choice([s for s in ORDER_STATUSES if s != src["status"]])
            order["totalCost"] = round(float(src["totalCost"]) + rng.randint(1, 99) + 0.5, 2)
            order["items"] = _items(rng, n, 2)
            out.append(order)
            good.append(n - 1)
            continue
        if n not in plan.bad_rows and good and roll < plan.repeat_rate + plan.collision_rate:
            src = pick()
            if src.get("email"):
                e = src["email"]
                email = rng.choice([e, e, e.upper(), e.capitalize()])
                phone = _phone(seed, n) if rng.random() < 0.2 else None
        elif n not in plan.bad_rows and good and roll < plan.repeat_rate + plan.collision_rate * 4 / 3:
            src = pick()
            if src.get("phone"):
                email, phone = _email(seed, n), src["phone"]
        if email is None and phone is None:
            email = _email(seed, n)
        if email is not None:
            order["email"] = email
        if phone is not None:
            order["phone"] = phone
        if first is not None:
            order["firstName"] = first
        if last is not None:
            order["lastName"] = last
        if items is not None:
            order["items"] = items
        if n in plan.bad_rows:
            k = n % 3
            if k == 0:
                order["status"] = "LOST"
            elif k == 1:
                order.pop("email", None)
                order.pop("phone", None)
            else:
                order["totalCost"] = "abc"
        else:
            good.append(n - 1)
        out.append(order)
    return out


def _name_matched_orders(plan: RunPlan) -> None:
    """`@row:N` in a rule's `match` becomes the email of row N, or of the next good order whose
    email no other row uses (repeats of its id included), so the rule refuses exactly that row."""
    counts: Dict[str, int] = {}
    for o in plan.orders:
        for k in ("email", "phone"):
            if isinstance(o.get(k), str):
                counts[o[k].lower()] = counts.get(o[k].lower(), 0) + 1

    def email_of(n: int) -> Optional[str]:
        o = plan.orders[n - 1]
        e = o.get("email")
        if isinstance(e, str) and e == e.lower() and counts[e] == 1 \
                and (not o.get("phone") or counts[o["phone"].lower()] == 1):
            return e
        return None
    _resolve_row_matches(plan, email_of)
