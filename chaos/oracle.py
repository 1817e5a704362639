"""The state oracle (issue 12): after a job, the emulator's contacts must be what sending the
input's rows one at a time, in input order, gives — where the rows the report calls `duplicate`,
`invalid`, `rejected` and `notSent` are not applied. The reference is chaos/model.py.

Compared: every contact field the contract fixes (externalCustomerId, names, channels, address,
custom fields, languageCode, timeZone, contactKey, segments, source, confirmed, deleted), as a
multiset of normalised contacts. Not compared: ids and updatedAt (they follow arrival order, which
the contract leaves free), the order of channels, fields and segments.

Rows whose effect the client cannot know ("uncertain") are set aside, together with every contact
they could have touched. A row can only ever reach a contact through a shared key (email, phone,
externalCustomerId), so the rows that may have been applied split into components of rows linked
by shared keys, and rows of different components never influence each other. A component holding
an uncertain row is left out of the comparison on both sides (either outcome, at any moment, is
accepted there); every other component is compared exactly. Uncertain rows are:
  - `notSent`: a transport failure after retries; a request that was sent may still have been
    applied (its answer lost), at some unknown moment;
  - `rejected` on a chunk that took more than one attempt (or was bisected): an earlier attempt
    may have been processed (dropMidResponse, truncate, garbage, a timeout) before a later one was
    refused; and every `rejected` row of a killed-and-resumed CLI run (the killed process may have
    sent it);
  - in a killed-and-resumed CLI run, rows its journal did not record when the kill came (read
    right after the kill): the killed process may have had them applied — at a moment nobody
    recorded, possibly after later rows of the same contact — before the resumed run sent them
    again. (A resumed run that sends a row again fixes what the row itself writes, but not what
    its earlier landing did to matching: a contact it created early can catch an earlier row.)
  - `accepted` on a "Duplicated request" answer in runs with the injected `duplicated` fault,
    which answers so WITHOUT processing anything (a genuine duplicate — a retry of a processed
    request inside duplicateWindowMs — is strict: its first attempt was applied). A resumed CLI
    run cannot say which of the rows the killed run journalled were accepted that way (the
    journal keeps neither acceptedBy nor session ids), so there all of them count;
  - with failedShape "message", rows a reject rule names: the client cannot tie such a failure to
    a row and reports it accepted (unmapped), so whether the row was applied is unknown. Those
    runs reject only named rows (plan.py sets `fraction` to 0), so nothing else is uncertain;
  - rows of a chunk the report lists in `unmappedFailures` (any other shape), for the same reason;
  - only when the emulator has no duplicate window (an older build; chaos turns it on otherwise):
    rows of a chunk sent more than once in a run with faults that process a request and then
    lose its answer, and every row a resumed CLI run sent (the killed one may have sent it too) —
    such a chunk may have been applied twice, and applying twice is not idempotent when rows of
    one chunk interact (row 1 creates a contact by email, row 2 gives it an externalCustomerId,
    row 3 with another externalCustomerId creates a second one; a second pass sends row 1 to the
    newest of them).
"""
from __future__ import annotations

import bisect
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Set, Tuple

from model import (Invalid, Model, Options, OrdersModel, canonical, keys_of, normalise, normalise_email,
                   normalise_phone, normalise_stored_order, parse_row)
from plan import PROCESSED_THEN_FAILED, RunPlan


@dataclass
class StateVerdict:
    problems: List[str] = field(default_factory=list)
    mismatches: int = 0                     # contacts that differ (max of missing, unexpected)
    lost: int = 0                           # accepted rows whose contact is missing altogether
    compared: int = 0
    uncertain: Dict[int, str] = field(default_factory=dict)   # row -> why its effect is unknown


def row_keys(contact: dict) -> Set[str]:
    """The keys a row can match or write: its normalised channels and externalCustomerId."""
    try:
        r = parse_row(contact)
    except Invalid:
        return set()
    out = {f"{k}:{v}" for k, v in r.channels}
    if r.externalCustomerId is not None:
        out.add("ext:" + r.externalCustomerId)
    return out


class _Components:
    def __init__(self) -> None:
        self.parent: Dict[str, str] = {}

    def find(self, k: str) -> str:
        self.parent.setdefault(k, k)
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def join(self, keys: Set[str]) -> None:
        keys = sorted(keys)
        for k in keys[1:]:
            a, b = self.find(keys[0]), self.find(k)
            if a != b:
                self.parent[b] = a


def uncertain_rows(plan: RunPlan, summary: dict, outcome: Dict[int, str], records: Dict[int, dict],
                   journalled_before_kill: Optional[Set[int]] = None) -> Dict[int, str]:
    chunks = sorted(summary.get("chunks") or [], key=lambda c: c.get("firstRow") or 0)
    starts = [c.get("firstRow") or 0 for c in chunks]

    def chunk_of(n: int) -> Optional[dict]:
        i = bisect.bisect_right(starts, n) - 1
        if i >= 0 and chunks[i].get("firstRow", 0) <= n <= chunks[i].get("lastRow", -1):
            return chunks[i]
        return None

    actions = {r["action"] for r in plan.faults.get("rules", [])}
    named: Set[str] = set()
    if plan.failed_shape == "message":
        for r in plan.faults.get("rules", []):
            if r["action"] in ("rejectRows", "failedObject"):
                named |= {m.lower() for m in r.get("match", [])}
    unmapped_chunks = {int(u["chunk"]) for u in summary.get("unmappedFailures") or [] if "chunk" in u}
    twice = not plan.duplicate_window_ms and (
        plan.front == "cli-kill" or bool(actions & set(PROCESSED_THEN_FAILED)))
    out: Dict[int, str] = {}
    for n in range(1, plan.rows + 1):
        o = outcome.get(n)
        rec = records.get(n, {})
        ch = chunk_of(n)
        if twice and o in ("accepted", "rejected") and ch is not None and (
                plan.front == "cli-kill" or int(ch.get("attempts") or 0) > 1):
            out[n] = "its chunk may have been applied twice (no duplicate window in this emulator)"
        elif journalled_before_kill is not None and o in ("accepted", "rejected") and n not in journalled_before_kill:
            out[n] = "not journalled when the CLI was killed: the killed process may have had it applied then"
        elif o == "notSent":
            out[n] = "notSent: its request may have been applied though no answer came"
        elif o == "rejected":
            if plan.front == "cli-kill":
                out[n] = "rejected in a resumed run: the killed process may have sent it"
            elif ch is not None and (int(ch.get("attempts") or 0) > 1 or ch.get("status") == "rejected"):
                out[n] = f"rejected after {ch.get('attempts')} attempts: an earlier one may have been applied"
        elif o == "accepted":
            # (a resumed CLI run announces rows the killed one journalled without acceptedBy: the
            # journal keeps no session ids, so there every session-less accepted row is suspect)
            by_dup = rec.get("acceptedBy") == "duplicatedRequest" or (
                plan.front == "cli-kill" and not rec.get("asyncSessionId"))
            if by_dup and "duplicated" in actions:
                out[n] = "accepted on a 'Duplicated request' answer, and this run injects that answer unprocessed"
            elif named and set(plan.row_channel_values(n)) & named:
                out[n] = "named by a reject rule whose failures the client cannot map (failedShape message)"
            elif ch is not None and int(ch.get("index", -1)) in unmapped_chunks:
                out[n] = "in a chunk with a failure the client could not map to a row"
    return out


class _Taint:
    """The components of rows that may have been applied, joined by their keys; a component
    holding an uncertain row is tainted (set aside)."""

    def __init__(self, rows: Iterable[int], uncertain: Iterable[int], keys_of: Callable[[int], Set[str]]) -> None:
        self.comp = _Components()
        self.keys_by_row: Dict[int, Set[str]] = {}
        for n in rows:
            self.keys_by_row[n] = keys_of(n)
            self.comp.join(self.keys_by_row[n])
        self.roots = {self.comp.find(k) for n in uncertain for k in self.keys_by_row.get(n, ())}

    def tainted(self, keys: Iterable[str]) -> bool:
        return any(k in self.comp.parent and self.comp.find(k) in self.roots for k in keys)

    def linked(self, keys: Set[str], n: int) -> bool:
        """Row n reaches one of `keys` through keys that rows carried together."""
        roots = {self.comp.find(k) for k in keys if k in self.comp.parent}
        return any(k in self.comp.parent and self.comp.find(k) in roots for k in self.keys_by_row.get(n, ()))


def _outcomes_and_taint(plan: RunPlan, summary: dict, records: Dict[int, dict], complete: bool,
                        journalled_before_kill, keys_of: Callable[[int], Set[str]]
                        ) -> Tuple["StateVerdict", Dict[int, str], _Taint]:
    """Every row's outcome (a front end that lists failed rows only: every other row was
    accepted), the uncertain rows, and the taint of their components."""
    v = StateVerdict()
    outcome: Dict[int, str] = {n: r["outcome"] for n, r in records.items()}
    if not complete:
        for n in range(1, plan.rows + 1):
            outcome.setdefault(n, "accepted")
    v.uncertain = uncertain_rows(plan, summary, outcome, records, journalled_before_kill)
    applied = [n for n in range(1, plan.rows + 1) if outcome.get(n) == "accepted" or n in v.uncertain]
    return v, outcome, _Taint(applied, v.uncertain, keys_of)


def check_state(plan: RunPlan, summary: dict, records: Dict[int, dict], complete: bool,
                stored: List[dict], journalled_before_kill: Optional[Set[int]] = None,
                stored_orders: Optional[List[dict]] = None) -> StateVerdict:
    if plan.kind == "orders":
        return check_orders_state(plan, summary, records, complete, stored_orders or [], stored,
                                  journalled_before_kill)
    v, outcome, taint = _outcomes_and_taint(plan, summary, records, complete, journalled_before_kill,
                                              lambda n: row_keys(plan.contacts[n - 1]))

    model = Model()
    opts = Options(dedupeOn=plan.dedupe_on, groupNames=list(plan.group_names))
    for n in range(1, plan.rows + 1):
        if outcome.get(n) != "accepted" or n in v.uncertain:
            continue
        try:
            model.apply(plan.contacts[n - 1], opts, row=n)
        except Invalid as e:
            v.problems.append(f"row {n} is reported accepted, but the emulator would refuse it: {e}")

    expected = [(c, n) for c, n in zip(model.contacts, model.normalised()) if not taint.tainted(keys_of(n))]
    got = [normalise(s) for s in stored]
    got = [g for g in got if not taint.tainted(keys_of(g))]
    v.compared = len(expected)
    want = Counter(canonical(n) for _, n in expected)
    have = Counter(canonical(g) for g in got)
    missing, extra = want - have, have - want
    v.mismatches = max(sum(missing.values()), sum(extra.values()))
    if not v.mismatches:
        return v

    got_by_key: Dict[str, List[dict]] = {}
    for g in got:
        for k in keys_of(g):
            got_by_key.setdefault(k, []).append(g)
    for c, n in expected:
        if canonical(n) in missing and not any(got_by_key.get(k) for k in keys_of(n)):
            v.lost += len(c.rows)
    # The first differing contact: the one the earliest input row touched.
    first_missing = min(((c.rows[0], n) for c, n in expected if canonical(n) in missing),
                        key=lambda t: t[0]) if missing else None
    if first_missing is not None:
        want_c = first_missing[1]
        near = {canonical(g): g for k in keys_of(want_c) for g in got_by_key.get(k, [])}
        shown_got = list(near.values())[:3]
        keys = set(keys_of(want_c)) | {k for g in shown_got for k in keys_of(g)}
    else:
        extra_c = [g for g in got if canonical(g) in extra]
        shown_got = extra_c[:1]
        want_c = None
        keys = set(keys_of(extra_c[0]))
    # every input row linked to those keys through shared keys (a row can reach a contact
    # through a key the contact no longer has)
    touching = [n for n in range(1, plan.rows + 1)
                if row_keys(plan.contacts[n - 1]) & keys or taint.linked(keys, n)]
    lines = [f"state: {v.mismatches} of {v.compared} contacts differ from applying the accepted rows in input "
             f"order ({sum(missing.values())} expected not found, {sum(extra.values())} found not expected; "
             f"{len(v.uncertain)} uncertain rows set aside)",
             "  first differing contact:",
             f"    expected {_show(want_c) if want_c else '(none: the emulator has a contact the model does not)'}"]
    if shown_got:
        for g in shown_got:
            lines.append(f"    got      {_show(g)}")
    else:
        lines.append("    got      (no contact with any of its keys)")
    lines.append("  input rows with its keys (row outcome contact):")
    for n in touching[:12]:
        why = f" [{v.uncertain[n]}]" if n in v.uncertain else ""
        lines.append(f"    {n:5} {outcome.get(n, '?'):9} {json.dumps(plan.contacts[n - 1], ensure_ascii=False)}{why}")
    if len(touching) > 12:
        lines.append(f"    … {len(touching) - 12} more")
    v.problems.append("\n".join(lines))
    return v


def _show(c: dict) -> str:
    """A normalised contact on one line, without the fields every chaos contact shares."""
    d = {k: val for k, val in c.items() if val not in (None, [], False) and k not in ("source", "confirmed")}
    d["channels"] = [f"{t}:{x}" for t, x in c["channels"]]
    if c.get("source") != "import" or c.get("confirmed") is not True:
        d["source"], d["confirmed"] = c.get("source"), c.get("confirmed")
    return json.dumps(d, ensure_ascii=False)


# ---------------------------------------------------------------- orders (issue 13)

def order_row_keys(order: dict) -> Set[str]:
    """The keys an order can match or write: its externalOrderId (the order it replaces) and its
    normalised email and phone (the contact it links to or creates). Invalid orders have none."""
    out: Set[str] = set()
    if not isinstance(order, dict):
        return out
    oid = order.get("externalOrderId")
    if isinstance(oid, (str, int)) and not isinstance(oid, bool) and oid != "":
        out.add(f"order:{oid}")
    for key, kind, norm in (("email", "email", normalise_email), ("phone", "sms", normalise_phone)):
        v = order.get(key)
        if isinstance(v, str) and v.strip() and norm(v):
            out.add(f"{kind}:{norm(v)}")
    return out


def check_orders_state(plan: RunPlan, summary: dict, records: Dict[int, dict], complete: bool,
                       stored_orders: List[dict], stored_contacts: List[dict],
                       journalled_before_kill: Optional[Set[int]] = None) -> StateVerdict:
    """The orders run's state oracle: applying the accepted orders one at a time, in input order,
    to chaos/model.py's OrdersModel must give the emulator's orders (by externalOrderId: status,
    totalCost, date, currency, email, phone, externalCustomerId, names and items as sent, and the
    channels of the contact it is linked to) and the contacts the orders created (channels, names,
    source "orders", confirmed). Uncertain rows are set aside with their components, as for
    contacts; components are linked by externalOrderId, email and phone."""
    v, outcome, taint = _outcomes_and_taint(plan, summary, records, complete, journalled_before_kill,
                                              lambda n: order_row_keys(plan.orders[n - 1]))

    model = OrdersModel()
    for n in range(1, plan.rows + 1):
        if outcome.get(n) != "accepted" or n in v.uncertain:
            continue
        try:
            model.apply(plan.orders[n - 1], row=n)
        except Invalid as e:
            v.problems.append(f"row {n} is reported accepted, but the emulator would refuse it: {e}")

    def order_keys(o: dict) -> List[str]:
        ks = [f"order:{o['externalOrderId']}"]
        if o.get("email"):
            ks.append("email:" + o["email"])
        if o.get("phone"):
            ks.append("sms:" + o["phone"])
        return ks + [f"{t}:{x}" for t, x in o["contact"]]

    # orders, by externalOrderId
    contacts_by_id = {c.get("id"): c for c in stored_contacts}
    want_o = {oid: o for oid, o in model.normalised_orders().items() if not taint.tainted(order_keys(o))}
    have_o = {}
    for s in stored_orders:
        o = normalise_stored_order(s, contacts_by_id)
        if not taint.tainted(order_keys(o)):
            have_o[o["externalOrderId"]] = o
    bad_orders = sorted(oid for oid in set(want_o) | set(have_o)
                        if canonical(want_o.get(oid) or {}) != canonical(have_o.get(oid) or {}))
    lost_orders = [oid for oid in want_o if oid not in have_o]
    lost_ids = set(lost_orders)
    v.lost = sum(1 for n in range(1, plan.rows + 1) if outcome.get(n) == "accepted" and n not in v.uncertain
                 and plan.orders[n - 1].get("externalOrderId") in lost_ids)

    # contacts the orders created, as a multiset
    expected = [(c, n) for c, n in zip(model.contacts, model.normalised_contacts()) if not taint.tainted(keys_of(n))]
    got = [g for g in (normalise(s) for s in stored_contacts) if not taint.tainted(keys_of(g))]
    want_c = Counter(canonical(n) for _, n in expected)
    have_c = Counter(canonical(g) for g in got)
    missing, extra = want_c - have_c, have_c - want_c
    bad_contacts = max(sum(missing.values()), sum(extra.values()))
    v.compared = len(want_o) + len(expected)
    v.mismatches = len(bad_orders) + bad_contacts
    if not v.mismatches:
        return v

    lines = [f"state: {len(bad_orders)} of {len(want_o)} orders and {bad_contacts} of {len(expected)} contacts "
             f"differ from applying the accepted orders in input order ({len(lost_orders)} orders missing; "
             f"{len(v.uncertain)} uncertain rows set aside)"]
    if bad_orders:
        oid = min(bad_orders, key=lambda x: min([n for n in range(1, plan.rows + 1)
                                                 if plan.orders[n - 1].get("externalOrderId") == x] or [0]))
        lines += ["  first differing order:",
                  f"    expected {json.dumps(want_o.get(oid), ensure_ascii=False)}",
                  f"    got      {json.dumps(have_o.get(oid), ensure_ascii=False)}"]
        keys = set(order_keys(want_o.get(oid) or have_o[oid]))
    else:
        first = min(((c.rows[0] if c.rows else 0, n) for c, n in expected if canonical(n) in missing),
                    key=lambda t: t[0], default=None)
        want = first[1] if first else None
        ks = set(keys_of(want)) if want else set(keys_of(next(g for g in got if canonical(g) in extra)))
        near = [g for g in got if set(keys_of(g)) & ks]
        lines += ["  first differing contact:",
                  f"    expected {_show(want) if want else '(none: the emulator has a contact the model does not)'}"]
        lines += [f"    got      {_show(g)}" for g in near[:3]] or ["    got      (no contact with any of its keys)"]
        keys = ks | {k for g in near for k in keys_of(g)}
    touching = [n for n in range(1, plan.rows + 1)
                if order_row_keys(plan.orders[n - 1]) & keys or taint.linked(keys, n)]
    lines.append("  input rows with its keys (row outcome order):")
    for n in touching[:12]:
        why = f" [{v.uncertain[n]}]" if n in v.uncertain else ""
        lines.append(f"    {n:5} {outcome.get(n, '?'):9} {json.dumps(plan.orders[n - 1], ensure_ascii=False)}{why}")
    if len(touching) > 12:
        lines.append(f"    … {len(touching) - 12} more")
    v.problems.append("\n".join(lines))
    return v
