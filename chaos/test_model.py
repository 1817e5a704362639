"""Unit tests of chaos/model.py: the five matching rules of Yespo's guide, the write rules, and
normalisation. Plain functions with asserts: `python chaos/test_model.py` or `pytest chaos/`.
Runs in well under a second.

`test_model_agrees_with_emulator` also replays random row sequences through a real emulator and
compares its whole state with the model's; it runs when YESPO_EMULATOR (or dist/bin) has one."""
from __future__ import annotations

import json
import os
import random
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import (Invalid, Model, Options, OrdersModel, canonical, normalise, normalise_email,  # noqa: E402
                   normalise_phone, normalise_stored_order)

E = Options()                       # dedupeOn email, no contactFields


def email(v):
    return {"type": "email", "value": v}


def sms(v):
    return {"type": "sms", "value": v}


def one(m: Model, **kw):
    found = [c for c in m.contacts if all(getattr(c, k) == v for k, v in kw.items())]
    assert len(found) == 1, (kw, found)
    return found[0]


# ---------------------------------------------------------------- the five matching rules

def test_rule1_unknown_ext_with_known_email_updates_that_contact_and_sets_ext():
    m = Model()
    m.apply({"firstName": "A", "channels": [email("a@x.io")]}, E)
    m.apply({"externalCustomerId": "crm-1", "firstName": "B", "channels": [email("a@x.io")]}, E)
    assert len(m.contacts) == 1
    assert m.contacts[0].externalCustomerId == "crm-1" and m.contacts[0].firstName == "B"


def test_rule2_several_with_same_email_most_recently_updated_is_used():
    m = Model()
    m.apply({"externalCustomerId": "e1", "firstName": "one", "channels": [email("a@x.io")]}, E)
    m.apply({"externalCustomerId": "e2", "firstName": "two", "channels": [email("a@x.io")]}, E)
    assert len(m.contacts) == 2
    m.apply({"firstName": "three", "channels": [email("a@x.io")]}, E)       # no ext: dedupeOn
    assert one(m, externalCustomerId="e2").firstName == "three"
    m.apply({"externalCustomerId": "e1", "firstName": "four", "channels": [email("a@x.io")]}, E)
    m.apply({"firstName": "five", "channels": [email("a@x.io")]}, E)        # e1 is newer now
    assert one(m, externalCustomerId="e1").firstName == "five"
    assert one(m, externalCustomerId="e2").firstName == "three"


def test_rule3_same_email_one_with_other_ext_one_without_the_one_without_gets_the_new_ext():
    m = Model()
    m.apply({"firstName": "N", "channels": [email("a@x.io")]}, E)                          # no ext
    m.apply({"externalCustomerId": "other", "firstName": "O", "channels": [email("z@x.io")]}, E)
    m.apply({"externalCustomerId": "other", "firstName": "O2", "channels": [email("a@x.io")]}, E)
    assert len(m.contacts) == 2            # both carry a@ now; "other" is the most recent
    m.apply({"externalCustomerId": "new", "firstName": "X", "channels": [email("a@x.io")]}, E)
    assert len(m.contacts) == 2
    assert m.contacts[0].externalCustomerId == "new" and m.contacts[0].firstName == "X"
    assert one(m, externalCustomerId="other").firstName == "O2"


def test_rule4_same_email_all_with_other_ext_creates_a_new_contact():
    m = Model()
    m.apply({"externalCustomerId": "e1", "channels": [email("a@x.io")]}, E)
    m.apply({"externalCustomerId": "e2", "channels": [email("a@x.io")]}, E)
    m.apply({"externalCustomerId": "e3", "firstName": "C", "channels": [email("a@x.io")]}, E)
    assert len(m.contacts) == 3
    assert one(m, externalCustomerId="e3").firstName == "C"


def test_rule5_deleted_ext_is_skipped_or_restored():
    m = Model()
    c = m.apply({"externalCustomerId": "e1", "firstName": "A", "channels": [email("a@x.io")]}, E)
    m.delete(c.id)
    assert m.apply({"externalCustomerId": "e1", "firstName": "B", "channels": [email("a@x.io")]}, E) is None
    assert c.deleted and c.firstName == "A"
    m.apply({"externalCustomerId": "e1", "firstName": "C", "channels": [email("a@x.io")]},
            Options(restoreDeleted=True))
    assert not c.deleted and c.firstName == "C" and len(m.contacts) == 1


def test_deleted_without_ext_dedupe_skips_it_unless_restore():
    m = Model()
    c = m.apply({"firstName": "A", "channels": [email("a@x.io")]}, E)
    m.delete(c.id)
    m.apply({"firstName": "B", "channels": [email("a@x.io")]}, E)
    assert len(m.contacts) == 2 and c.firstName == "A"
    m2 = Model()
    c2 = m2.apply({"firstName": "A", "channels": [email("a@x.io")]}, E)
    m2.delete(c2.id)
    m2.apply({"firstName": "B", "channels": [email("a@x.io")]}, Options(restoreDeleted=True))
    assert len(m2.contacts) == 1 and c2.firstName == "B" and not c2.deleted


# ---------------------------------------------------------------- dedupeOn variants

def test_email_or_sms_uses_sms_only_when_no_contact_has_the_email():
    m = Model()
    o = Options(dedupeOn="email_or_sms")
    m.apply({"firstName": "P", "channels": [sms("+380 50 111-22-33")]}, o)
    m.apply({"firstName": "Q", "channels": [email("q@x.io"), sms("380501112233")]}, o)
    assert len(m.contacts) == 1
    assert sorted(m.contacts[0].channels) == [("email", "q@x.io"), ("sms", "380501112233")]
    m.apply({"firstName": "R", "channels": [email("r@x.io")]}, o)
    m.apply({"firstName": "S", "channels": [email("r@x.io"), sms("380501112233")]}, o)
    assert one(m, firstName="S").channels == [("email", "r@x.io"), ("sms", "380501112233")]
    assert one(m, firstName="Q").channels == [("email", "q@x.io"), ("sms", "380501112233")]


def test_sms_dedupe_and_missing_key():
    m = Model()
    o = Options(dedupeOn="sms")
    m.apply({"firstName": "A", "channels": [sms("380501112233")]}, o)
    m.apply({"firstName": "B", "channels": [sms("(380) 50.111.22.33"), email("b@x.io")]}, o)
    assert len(m.contacts) == 1 and m.contacts[0].firstName == "B"
    try:
        m.apply({"channels": [email("c@x.io")]}, o)
        raise AssertionError("a row without the dedupe key is refused")
    except Invalid:
        pass
    m.apply({"externalCustomerId": "e9", "channels": [email("c@x.io")]}, o)   # ext always suffices
    assert len(m.contacts) == 2


# ---------------------------------------------------------------- writing

def test_full_write_empties_missing_standard_fields_and_keeps_ext_and_other_channels():
    m = Model()
    m.apply({"externalCustomerId": "e1", "firstName": "A", "lastName": "L", "languageCode": "en",
             "address": {"town": "Kyiv"}, "channels": [email("a@x.io"), sms("380501112233")],
             "fields": [{"id": 7, "value": "x"}, {"id": 8, "value": 1}]}, E)
    m.apply({"firstName": "B", "channels": [email("A@X.IO")], "fields": [{"id": 8, "value": "y"}]}, E)
    c = m.contacts[0]
    assert len(m.contacts) == 1
    assert (c.firstName, c.lastName, c.languageCode, c.address) == ("B", None, None, None)
    assert c.externalCustomerId == "e1"
    assert c.channels == [("sms", "380501112233"), ("email", "a@x.io")]   # email replaced (moved last)
    assert c.fields == [(7, "x"), (8, "y")]                                # merged


def test_channels_of_a_sent_type_are_replaced():
    m = Model()
    m.apply({"externalCustomerId": "e1", "channels": [email("a@x.io")]}, E)
    m.apply({"externalCustomerId": "e1", "channels": [email("b@x.io")]}, E)
    c = m.contacts[0]
    assert c.channels == [("email", "b@x.io")]
    m.apply({"firstName": "by-a", "channels": [email("a@x.io")]}, E)     # a@ is free again: new contact
    assert len(m.contacts) == 2


def test_contact_fields_limit_the_write_but_new_contacts_take_everything():
    m = Model()
    o = Options(contactFields=["firstName"], customFieldsIDs=[7])
    m.apply({"firstName": "A", "lastName": "L", "channels": [email("a@x.io")],
             "fields": [{"id": 7, "value": "x"}, {"id": 8, "value": "z"}]}, o)
    c = m.contacts[0]
    assert (c.firstName, c.lastName, c.fields) == ("A", "L", [(7, "x")])
    m.apply({"firstName": "B", "channels": [email("a@x.io"), sms("380501112233")]}, o)
    assert (c.firstName, c.lastName) == ("B", "L")
    assert c.channels == [("email", "a@x.io")]        # "sms" not in contactFields: not written


def test_groups():
    m = Model()
    m.apply({"channels": [email("a@x.io")]}, Options(groupNames=["G1", "G2"]))
    m.apply({"channels": [email("a@x.io")]}, Options(groupNamesExclude=["G1", "nope"]))
    assert m.groups_of(m.contacts[0]) == ["G2"] and "nope" not in m.segments


def test_normalisation():
    assert normalise_email("  Mail@Example.COM ") == "mail@example.com"
    assert normalise_email("a@b") is None and normalise_email("a@b..c") is None and normalise_email("a b@c.d") is None
    assert normalise_phone("+380 (50) 111-22.33") == "380501112233"
    assert normalise_phone("12345") is None and normalise_phone("+-+1234567") is None
    assert normalise_phone("1234567+") is None
    m = Model()
    for bad in ({"channels": []}, {"firstName": "x" * 41, "channels": [email("a@x.io")]},
                {"channels": [email("not-an-email")]}, {"channels": [email("a@x.io")] * 3}):
        try:
            m.apply(bad, E)
            raise AssertionError(f"{bad} should be invalid")
        except Invalid:
            pass
    m.apply({"externalCustomerId": 42, "firstName": "é" * 40, "channels": [email("a@x.io")]}, E)
    assert m.contacts[0].externalCustomerId == "42"


def test_normalised_form_ignores_ids_and_order():
    a = normalise({"id": 1, "updatedAt": 9, "firstName": "A", "channels": [email("a@x.io"), sms("1234567")],
                   "fields": [{"id": 2, "value": "b"}, {"id": 1, "value": "a"}], "groups": [],
                   "source": "import", "confirmed": True, "deleted": False})
    b = normalise({"id": 7, "updatedAt": 3, "firstName": "A", "channels": [sms("1234567"), email("a@x.io")],
                   "fields": [{"id": 1, "value": "a"}, {"id": 2, "value": "b"}],
                   "source": "import", "confirmed": True})
    assert canonical(a) == canonical(b)


# ---------------------------------------------------------------- against the real emulator

def _emulator_binary():
    b = os.environ.get("YESPO_EMULATOR") or str(Path(__file__).resolve().parents[1] / "dist/bin/yespo-emulator")
    return b if os.access(b, os.X_OK) else None


def random_rows(rng: random.Random, n: int):
    """Rows over a small key space, so that every matching rule fires often."""
    rows = []
    for i in range(n):
        c = {"firstName": f"F{i}"}
        chans = []
        if rng.random() < 0.8:
            chans.append(email(rng.choice(["a", "b", "c", "d", "A"]) + "@x.io"))
        if rng.random() < 0.5:
            chans.append(sms("38050111223" + str(rng.randint(0, 3))))
        if not chans:
            chans.append(email("e@x.io"))
        c["channels"] = chans
        if rng.random() < 0.4:
            c["externalCustomerId"] = "e" + str(rng.randint(0, 4))
        if rng.random() < 0.5:
            c["lastName"] = "L" + str(i)
        if rng.random() < 0.3:
            c["fields"] = [{"id": rng.randint(1, 2), "value": f"v{i}"}]
        rows.append(c)
    return rows


def test_model_agrees_with_emulator():
    binary = _emulator_binary()
    if binary is None:
        return                                   # no emulator binary: skipped
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from harness.emulator import Emulator
    with Emulator("test-key") as emu:
        emu.configure({"rateLimitBulk": 0, "importDelayMs": 0})
        for seed in range(40):
            rng = random.Random(seed)
            dedupe = rng.choice(["email", "sms", "email_or_sms"])
            opts = Options(dedupeOn=dedupe, groupNames=["G"] if seed % 3 == 0 else [])
            emu.reset()
            m = Model()
            rows = random_rows(rng, 60)
            sent = []
            for i, row in enumerate(rows):
                try:
                    m.apply(row, opts, row=i)
                    sent.append(row)
                except Invalid:
                    continue
            # requests of 1..8 rows, in order: the emulator applies a request's rows in order and
            # requests in arrival order
            batches, i = [], 0
            while i < len(sent):
                k = rng.randint(1, 8)
                batches.append(sent[i:i + k])
                i += k
            for batch in batches:
                body = {"contacts": batch, "dedupeOn": dedupe}
                if opts.groupNames:
                    body["groupNames"] = opts.groupNames
                req = urllib.request.Request(emu.api_url + "/contacts", data=json.dumps(body).encode(),
                                             method="POST", headers={"Content-Type": "application/json",
                                                                     "Authorization": "Basic OnRlc3Qta2V5"})
                with urllib.request.urlopen(req) as r:
                    ans = json.loads(r.read())
                assert "failedContacts" not in ans, ans
                emu.flush_imports()
            with urllib.request.urlopen(emu.url + "/_emulator/contacts") as r:
                got = sorted(canonical(normalise(json.loads(x))) for x in r.read().decode().splitlines() if x.strip())
            want = sorted(canonical(c) for c in m.normalised())
            assert got == want, f"seed {seed} ({dedupe}): model and emulator differ:\n" + \
                "\n".join(sorted(set(want) ^ set(got))[:6])


# ---------------------------------------------------------------- orders (issue 13)

def order(oid, email=None, phone=None, **kw):
    o = {"externalOrderId": oid, "externalCustomerId": f"c-{oid}", "totalCost": 10, "status": "DELIVERED",
         "date": "2025-06-01T12:00:00", "currency": "UAH"}
    if email is not None:
        o["email"] = email
    if phone is not None:
        o["phone"] = phone
    o.update(kw)
    return o


def test_orders_last_write_wins_and_keeps_its_place():
    m = OrdersModel()
    m.apply(order("o1", "a@x.io", status="INITIALIZED"))
    m.apply(order("o2", "b@x.io"))
    m.apply(order("o1", "a@x.io", status="CANCELLED", totalCost=12.5, items=[{"externalItemId": "i", "name": "N"}]))
    assert list(m.orders) == ["o1", "o2"]
    o = m.normalised_orders()["o1"]
    assert (o["status"], o["totalCost"], o["items"]) == ("CANCELLED", 12.5, [{"externalItemId": "i", "name": "N"}])


def test_orders_create_a_contact_once_and_never_update_it():
    m = OrdersModel()
    m.apply(order("o1", " A@X.io ", firstName="First", lastName="L"))
    m.apply(order("o2", "a@x.io", firstName="Second"))
    m.apply(order("o3", phone="+380 50 111-22-33", firstName="P"))
    m.apply(order("o4", "new@x.io", "380501112233", firstName="ByPhone"))   # email unknown: the phone's contact
    assert [(c.firstName, c.lastName, c.channels) for c in m.contacts] == [
        ("First", "L", [("email", "a@x.io")]), ("P", None, [("sms", "380501112233")])]
    assert m.orders["o4"].contact is m.contacts[1] and m.orders["o2"].contact is m.contacts[0]
    assert all(c["source"] == "orders" and c["confirmed"] for c in m.normalised_contacts())


def test_orders_validation():
    m = OrdersModel()
    for bad in (order("o1", "a@x.io", status="LOST"), order("o1"), order("o1", "a@x.io", totalCost="abc"),
                order("o1", "not-an-email"), order("", "a@x.io"), order("o1", "a@x.io", currency=""),
                order("o1", "a@x.io", items=[{"name": "no id"}]), order("o1", "a@x.io", firstName="x" * 41),
                order("o1", "a@x.io", taxes="1"), order("o1", email="  ", phone=None)):
        try:
            m.apply(bad)
            raise AssertionError(f"{bad} should be invalid")
        except Invalid:
            pass
    m.apply(order(7, email="", phone="380501112233", firstName=""))     # blank email is none, "" no name
    assert "7" in m.orders and m.contacts[0].firstName is None


def random_orders(rng: random.Random, n: int):
    """Orders over a small key space: ids repeat, emails and phones are shared."""
    out = []
    for i in range(n):
        o = order("o" + str(rng.randint(0, 9)), status=rng.choice(["INITIALIZED", "DELIVERED", "CANCELLED"]),
                  totalCost=rng.choice([1, 2.5, 30, 99.99]), firstName=f"F{i}")
        if rng.random() < 0.8:
            o["email"] = rng.choice(["a", "b", "c", "A"]) + "@x.io"
        if rng.random() < 0.5 or "email" not in o:
            o["phone"] = "38050111223" + str(rng.randint(0, 3))
        if rng.random() < 0.5:
            o["items"] = [{"externalItemId": f"i{i}", "name": "N", "quantity": rng.randint(1, 3), "cost": 1.5}]
        if rng.random() < 0.3:
            o["lastName"] = "L" + str(i)
        out.append(o)
    return out


def test_orders_model_agrees_with_emulator():
    binary = _emulator_binary()
    if binary is None:
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from harness.emulator import Emulator
    with Emulator("test-key") as emu:
        emu.configure({"rateLimitBulk": 0, "importDelayMs": 0})
        for seed in range(12):
            rng = random.Random(seed)
            emu.reset()
            m = OrdersModel()
            rows = random_orders(rng, 40)
            for r in rows:
                m.apply(r)
            i = 0
            while i < len(rows):
                k = rng.randint(1, 8)
                req = urllib.request.Request(emu.api_url + "/orders", data=json.dumps({"orders": rows[i:i + k]}).encode(),
                                             method="POST", headers={"Content-Type": "application/json",
                                                                     "Authorization": "Basic OnRlc3Qta2V5"})
                with urllib.request.urlopen(req) as r:
                    ans = json.loads(r.read())
                assert "failedOrders" not in ans, ans
                i += k
            contacts = emu.contacts()
            by_id = {c["id"]: c for c in contacts}
            got_c = sorted(canonical(normalise(c)) for c in contacts)
            want_c = sorted(canonical(c) for c in m.normalised_contacts())
            assert got_c == want_c, f"seed {seed}: contacts differ:\n" + "\n".join(sorted(set(got_c) ^ set(want_c)))
            stored = emu._call("GET", "/orders")
            got_o = [canonical(normalise_stored_order(o, by_id)) for o in stored]
            want_o = [canonical(o) for o in m.normalised_orders().values()]
            assert got_o == want_o, f"seed {seed}: orders differ:\n" + "\n".join(sorted(set(got_o) ^ set(want_o)))


if __name__ == "__main__":
    tests = [(k, v) for k, v in sorted(globals().items()) if k.startswith("test_") and callable(v)]
    for name, fn in tests:
        fn()
        print(f"ok {name}")
    print(f"{len(tests)} passed")
