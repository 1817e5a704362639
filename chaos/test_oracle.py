"""Tests of the state oracle (chaos/oracle.py): it must fail a run whose final state is not the
input-order one, and set aside exactly what it cannot know. `python chaos/test_oracle.py` or
pytest. The last test drives a real emulator (YESPO_EMULATOR or dist/bin) with a naive sender —
parallel chunks, each retried on its own, as the engine did before issue 12 — and checks that the
oracle catches the stale overwrite that a dropped-then-retried chunk causes."""
from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import Model, Options, OrdersModel  # noqa: E402
from oracle import check_state  # noqa: E402
from plan import RunPlan  # noqa: E402


def plan_of(contacts, **kw) -> RunPlan:
    p = RunPlan(seed=0, front=kw.pop("front", "python"), rows=len(contacts), bad_rows=[], chunk=2,
                concurrency=2, rate=0, timeout_ms=1500, wait=False, import_delay_ms=0,
                faults={"seed": 0, "rules": kw.pop("rules", [])}, fault_kinds=[])
    p.contacts = contacts
    for k, v in kw.items():
        setattr(p, k, v)
    return p


def stored_after(contacts, order, opts=Options()):
    """What the emulator holds after applying these rows (1-based) in this order, as NDJSON dicts."""
    m = Model()
    for n in order:
        m.apply(contacts[n - 1], opts, row=n)
    out = []
    for c, norm in zip(m.contacts, m.normalised()):
        out.append({"id": c.id, "externalCustomerId": c.externalCustomerId, "firstName": c.firstName,
                    "lastName": c.lastName, "channels": [{"type": t, "value": v} for t, v in c.channels],
                    "fields": [{"id": i, "value": v} for i, v in c.fields], "groups": [],
                    "source": "import", "confirmed": True, "deleted": False, "updatedAt": c.updatedAt})
    return out


ROWS = [
    {"firstName": "F1", "externalCustomerId": "X", "channels": [{"type": "email", "value": "a@x.io"}]},
    {"firstName": "F2", "channels": [{"type": "email", "value": "b@x.io"}]},
    {"firstName": "F3", "externalCustomerId": "X", "channels": [{"type": "email", "value": "a@x.io"}]},
    {"firstName": "F4", "channels": [{"type": "email", "value": "c@x.io"}]},
]
ALL_ACCEPTED = {n: {"row": n, "outcome": "accepted"} for n in range(1, 5)}
SUMMARY = {"chunks": [{"index": 0, "firstRow": 1, "lastRow": 2, "attempts": 1, "status": "accepted"},
                      {"index": 1, "firstRow": 3, "lastRow": 4, "attempts": 1, "status": "accepted"}]}


def test_input_order_passes():
    v = check_state(plan_of(ROWS), SUMMARY, ALL_ACCEPTED, True, stored_after(ROWS, [1, 2, 3, 4]))
    assert v.mismatches == 0 and not v.problems and v.compared == 3


def test_parallel_but_independent_order_passes():
    # rows of different contacts may land in any order; only rows 1 and 3 (both X) must not swap
    v = check_state(plan_of(ROWS), SUMMARY, ALL_ACCEPTED, True, stored_after(ROWS, [4, 2, 1, 3]))
    assert v.mismatches == 0, v.problems


def test_stale_overwrite_is_caught_with_the_rows_that_touched_it():
    v = check_state(plan_of(ROWS), SUMMARY, ALL_ACCEPTED, True, stored_after(ROWS, [3, 4, 1, 2]))
    assert v.mismatches == 1
    text = v.problems[0]
    assert '"firstName": "F3"' in text and '"firstName": "F1"' in text, text
    assert "    1 accepted" in text and "    3 accepted" in text, text


def test_a_lost_and_an_unexpected_contact_are_caught():
    v = check_state(plan_of(ROWS), SUMMARY, ALL_ACCEPTED, True, stored_after(ROWS, [1, 2, 3]))
    assert v.mismatches == 1 and v.lost == 1
    recs = {**ALL_ACCEPTED, 4: {"row": 4, "outcome": "rejected"}}
    v = check_state(plan_of(ROWS), SUMMARY, recs, True, stored_after(ROWS, [1, 2, 3, 4]))
    assert v.mismatches == 1 and "found not expected" in v.problems[0]


def test_not_sent_rows_are_uncertain_and_only_their_contacts_set_aside():
    recs = {**ALL_ACCEPTED, 1: {"row": 1, "outcome": "notSent"}}
    for order in ([1, 2, 3, 4], [3, 1, 2, 4], [2, 3, 4]):
        v = check_state(plan_of(ROWS), SUMMARY, recs, True, stored_after(ROWS, order))
        assert v.mismatches == 0, (order, v.problems)
        assert v.compared == 2                    # b@ and c@; the X contact is set aside
    v = check_state(plan_of(ROWS), SUMMARY, recs, True, stored_after(ROWS, [1, 3]))
    assert v.mismatches == 2                      # but b@ and c@ are still checked


def test_rejected_rows_are_strict_unless_retried():
    recs = {**ALL_ACCEPTED, 3: {"row": 3, "outcome": "rejected"}}
    v = check_state(plan_of(ROWS), SUMMARY, recs, True, stored_after(ROWS, [1, 2, 3, 4]))
    assert v.mismatches == 1
    retried = {"chunks": [SUMMARY["chunks"][0], dict(SUMMARY["chunks"][1], attempts=2)]}
    v = check_state(plan_of(ROWS), retried, recs, True, stored_after(ROWS, [1, 2, 3, 4]))
    assert v.mismatches == 0 and 3 in v.uncertain


def test_duplicated_answers_are_strict_unless_injected():
    recs = {**ALL_ACCEPTED, 3: {"row": 3, "outcome": "accepted", "acceptedBy": "duplicatedRequest"}}
    v = check_state(plan_of(ROWS), SUMMARY, recs, True, stored_after(ROWS, [1, 2, 4]))
    assert v.mismatches == 1
    v = check_state(plan_of(ROWS, rules=[{"action": "duplicated"}]), SUMMARY, recs, True,
                    stored_after(ROWS, [1, 2, 4]))
    assert v.mismatches == 0


def test_message_shape_sets_aside_rows_a_rule_names():
    rules = [{"action": "rejectRows", "match": ["b@x.io"]}]
    v = check_state(plan_of(ROWS, rules=rules, failed_shape="message"), SUMMARY, ALL_ACCEPTED, True,
                    stored_after(ROWS, [1, 3, 4]))
    assert v.mismatches == 0 and list(v.uncertain) == [2]
    v = check_state(plan_of(ROWS, rules=rules), SUMMARY, ALL_ACCEPTED, True, stored_after(ROWS, [1, 3, 4]))
    assert v.mismatches == 1


# ---------------------------------------------------------------- a naive sender against the emulator

def _emulator_binary():
    b = os.environ.get("YESPO_EMULATOR") or str(Path(__file__).resolve().parents[1] / "dist/bin/yespo-emulator")
    return b if os.access(b, os.X_OK) else None


def naive_upsert(api_url: str, key: str, contacts, chunk: int, gap_s: float, path: str = "/contacts",
                 body_of=lambda rows: {"contacts": rows, "dedupeOn": "email"}):
    """Chunks sent in parallel (one thread each, started `gap_s` apart), each retried on its own
    after a transport failure: no ordering between chunks. Returns every row accepted."""
    auth = "Basic " + base64.b64encode(f":{key}".encode()).decode()

    def send(rows):
        body = json.dumps(body_of(rows)).encode()
        for attempt in range(5):
            req = urllib.request.Request(api_url + path, data=body, method="POST",
                                         headers={"Content-Type": "application/json", "Authorization": auth})
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    json.loads(r.read())
                return
            except (urllib.error.URLError, ConnectionError, ValueError):
                time.sleep(0.4)        # back off, then resend the same body
        raise RuntimeError("retries ran out")

    threads = []
    for i in range(0, len(contacts), chunk):
        t = threading.Thread(target=send, args=(contacts[i:i + chunk],))
        t.start()
        threads.append(t)
        time.sleep(gap_s)
    for t in threads:
        t.join()
    return {n: {"row": n, "outcome": "accepted"} for n in range(1, len(contacts) + 1)}


CAUGHT: list = []


def test_oracle_catches_a_naive_sender_after_a_dropped_request():
    binary = _emulator_binary()
    if binary is None:
        return                                   # no emulator binary: skipped
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from harness.emulator import Emulator
    with Emulator("test-key") as emu:
        emu.configure({"rateLimitBulk": 0, "importDelayMs": 0})
        # the first request is dropped unanswered (nothing processed); its retry lands after chunk 2
        emu.set_faults({"seed": 1, "rules": [{"method": "POST", "path": "/api/v1/contacts", "action": "drop", "count": 1}]})
        plan = plan_of(ROWS)
        recs = naive_upsert(emu.api_url, "test-key", ROWS, chunk=2, gap_s=0.1)
        emu.flush_imports()
        v = check_state(plan, SUMMARY, recs, True, emu.contacts())
        assert v.mismatches == 1, v.problems
        assert '"firstName": "F3"' in v.problems[0] and '"firstName": "F1"' in v.problems[0]
        CAUGHT.append(v.problems[0])


# ---------------------------------------------------------------- orders (issue 13)

def _order(oid, email, first, status="DELIVERED", cost=10, phone=None):
    o = {"externalOrderId": oid, "externalCustomerId": "c-" + oid, "totalCost": cost, "status": status,
         "date": "2025-06-01T12:00:00", "currency": "UAH", "email": email, "firstName": first}
    if phone:
        o["phone"] = phone
    return o


ORDERS = [
    _order("X", "a@x.io", "N1", status="INITIALIZED", cost=10),
    _order("Y", "b@x.io", "N2"),
    _order("X", "a@x.io", "N1", status="DELIVERED", cost=15),      # the later version of X
    _order("Z", "b@x.io", "N4"),                                    # b@'s contact is N2's
]


def orders_plan(orders, **kw) -> RunPlan:
    p = plan_of([], **kw)
    p.kind, p.orders, p.rows = "orders", orders, len(orders)
    return p


def stored_orders_after(orders, order):
    """(orders, contacts) as GET /_emulator/orders and /_emulator/contacts give them after applying
    these rows (1-based) in this order."""
    m = OrdersModel()
    for n in order:
        m.apply(orders[n - 1], row=n)
    contacts = [{"id": c.id, "firstName": c.firstName, "lastName": c.lastName,
                 "channels": [{"type": t, "value": v} for t, v in c.channels], "groups": [],
                 "source": "orders", "confirmed": True, "deleted": False} for c in m.contacts]
    stored = [{"externalOrderId": s.order.externalOrderId, "externalCustomerId": s.order.externalCustomerId,
               "status": s.order.status, "date": s.order.date, "totalCost": s.order.totalCost,
               "currency": s.order.currency, "email": s.order.email, "contactId": s.contact.id,
               "order": s.order.sent} for s in m.orders.values()]
    return stored, contacts


def check_orders(order, recs=ALL_ACCEPTED, summary=SUMMARY, **kw):
    o, c = stored_orders_after(ORDERS, order)
    return check_state(orders_plan(ORDERS, **kw), summary, recs, True, c, stored_orders=o)


def test_orders_input_order_and_independent_reorders_pass():
    for order in ([1, 2, 3, 4], [1, 3, 2, 4], [2, 4, 1, 3]):
        v = check_orders(order)
        assert v.mismatches == 0 and not v.problems, (order, v.problems)
        assert v.compared == 3 + 2


def test_orders_stale_version_is_caught():
    v = check_orders([3, 2, 1, 4])          # X's first version lands last
    assert v.mismatches == 1, v.problems
    assert '"status": "INITIALIZED"' in v.problems[0] and "first differing order" in v.problems[0], v.problems


def test_orders_contact_created_by_a_later_order_is_caught():
    v = check_orders([1, 4, 2, 3])          # Z creates b@'s contact with N4's name
    assert v.mismatches == 1 and "first differing contact" in v.problems[0], v.problems
    assert '"firstName": "N4"' in v.problems[0] and '"firstName": "N2"' in v.problems[0]


def test_orders_contact_by_phone_landing_first_is_caught():
    orders = [_order("P", "p@x.io", "A", phone="380501112233"), _order("Q", "q@x.io", "B", phone="380501112233")]
    recs = {1: {"row": 1, "outcome": "accepted"}, 2: {"row": 2, "outcome": "accepted"}}
    o, c = stored_orders_after(orders, [2, 1])       # q@'s contact exists, p@'s does not
    v = check_state(orders_plan(orders), SUMMARY, recs, True, c, stored_orders=o)
    assert v.mismatches >= 2, v.problems               # both orders link elsewhere, contacts differ


def test_orders_lost_and_uncertain():
    v = check_orders([1, 2, 3])               # Z never stored
    assert v.mismatches == 1 and v.lost == 1, v.problems
    recs = {**ALL_ACCEPTED, 4: {"row": 4, "outcome": "notSent"}}
    for order in ([1, 2, 3], [1, 4, 2, 3], [1, 2, 3, 4]):
        v = check_orders(order, recs)
        assert v.mismatches == 0 and v.compared == 2, (order, v.problems)   # only X (order + contact) compared
    recs = {**ALL_ACCEPTED, 2: {"row": 2, "outcome": "rejected"}}
    v = check_orders([1, 3, 4], recs)         # rejected on the first attempt: strict, Z makes b@'s contact
    assert v.mismatches == 0, v.problems
    v = check_orders([1, 2, 3, 4], recs)
    assert v.mismatches >= 1


def test_orders_duplicated_answers_are_strict_unless_injected():
    recs = {**ALL_ACCEPTED, 3: {"row": 3, "outcome": "accepted", "acceptedBy": "duplicatedRequest"}}
    assert check_orders([1, 2, 4], recs).mismatches == 1
    assert check_orders([1, 2, 4], recs, rules=[{"action": "duplicated"}]).mismatches == 0


def naive_upsert_orders(api_url: str, key: str, orders, chunk: int, gap_s: float):
    """naive_upsert for POST /orders: parallel chunks, each retried on its own."""
    return naive_upsert(api_url, key, orders, chunk, gap_s, path="/orders", body_of=lambda rows: {"orders": rows})


def test_oracle_catches_a_naive_orders_sender_after_a_dropped_request():
    if _emulator_binary() is None:
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from harness.emulator import Emulator
    with Emulator("test-key") as emu:
        emu.configure({"rateLimitBulk": 0, "importDelayMs": 0})
        emu.set_faults({"seed": 1, "rules": [{"method": "POST", "path": "/api/v1/orders", "action": "drop", "count": 1}]})
        recs = naive_upsert_orders(emu.api_url, "test-key", ORDERS, chunk=2, gap_s=0.1)
        v = check_state(orders_plan(ORDERS), SUMMARY, recs, True, emu.contacts(), stored_orders=emu._call("GET", "/orders"))
        # X's first version overwrote the later one, and Z created b@'s contact with its name
        assert v.mismatches == 2, v.problems
        assert '"status": "INITIALIZED"' in v.problems[0], v.problems[0]
        CAUGHT.append(v.problems[0])


if __name__ == "__main__":
    tests = [(k, fn) for k, fn in sorted(globals().items()) if k.startswith("test_") and callable(fn)]
    for name, fn in tests:
        fn()
        print(f"ok {name}")
    for text in CAUGHT:
        print("naive sender, as the oracle reports it:\n  " + text.replace("\n", "\n  "))
    print(f"{len(tests)} passed")
