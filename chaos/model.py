"""A reference model of the emulator's bulk import (POST /api/v1/contacts), for the chaos oracle.

Plain and slow on purpose: it mirrors emulator/Sources/EmulatorCore/Model/BulkMatching.swift,
ContactStore.swift and ContactInput.swift rule by rule, so that it can be read next to them.
The oracle applies the rows a job reports `accepted` one at a time, in input order, and compares
the model's final state with the emulator's (`GET /_emulator/contacts`).

Covered (everything a bulk import does to contacts):
  - input parsing and normalisation: emails trimmed and lower-cased, phones reduced to digits
    (spaces, `-`, `(`, `)`, `.`, tabs and one leading `+` removed), other channel values trimmed,
    externalCustomerId as string (an integer becomes its digits, "" is absent), custom field ids
    as integers and values as strings, `null` members ignored;
  - matching: a known externalCustomerId is that contact (deleted: skipped, or restored with
    restoreDeleted); an unknown one falls back to dedupeOn, onto contacts without their own
    externalCustomerId only, most recently updated first, else a new contact; no
    externalCustomerId: dedupeOn, most recently updated live contact (restoreDeleted: else the
    most recently updated deleted one); dedupeOn email, sms, email_or_sms (email candidates, sms
    only when no contact has the email), id, externalCustomerId, fieldId, push, webpush;
  - writing: without contactFields every standard field is written and missing ones become
    empty; with it only the listed ones (a new contact takes everything); channels of a type the
    row sends replace that type (in the emulator's order: removed, then appended), other types are
    kept; externalCustomerId is set when the row has one and never cleared; custom fields merge
    (limited to customFieldsIDs); groupNames join (segments created), groupNamesExclude leave;
  - "most recently updated": a clock that ticks on every create and every write, like the
    emulator's `updatedAt` counter;
  - source "import" and confirmed true for created contacts.
Not modelled (chaos never does it): file imports, single add/subscribe/PUT merges, deletion
through the API (`delete()` exists for the unit tests), eventKeyForNewContacts events, erase,
contact ids and updatedAt values (the oracle ignores them: they depend on arrival order, which the
contract does not fix).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

CHANNEL_KINDS = ("email", "sms", "mobilepush", "webpush", "viber")   # the emulator's enum order
STANDARD_FIELDS = ("firstName", "lastName", "languageCode", "timeZone", "contactKey")
ADDRESS_PARTS = ("address", "town", "region", "postcode")            # contactFields names
FIRST_ID = 100_000_001


class Invalid(Exception):
    """A row the emulator would list in failedContacts."""


# ---------------------------------------------------------------- normalisation (ContactInput.swift)

def normalise_email(raw: str) -> Optional[str]:
    e = raw.strip().lower()
    if not e or len(e.encode()) > 254 or any(ord(ch) <= 0x20 or ord(ch) == 0x7F or ch.isspace() for ch in e):
        return None
    parts = e.split("@")
    if len(parts) != 2 or not parts[0]:
        return None
    domain = parts[1]
    dot = domain.rfind(".")
    if dot <= 0 or dot == len(domain) - 1 or domain.startswith(".") or ".." in domain:
        return None
    return e


def normalise_phone(raw: str) -> Optional[str]:
    digits = []
    for i, ch in enumerate(raw):
        if ch.isdigit() and ch.isascii():
            digits.append(ch)
        elif ch in " -().\t":
            continue
        elif ch == "+" and not digits and "+" not in raw[:i]:
            continue
        else:
            return None
    return "".join(digits) if 7 <= len(digits) <= 15 else None


@dataclass
class Row:
    """One contact as a request sends it, validated and normalised (None = not in the request)."""
    id: Optional[int] = None
    externalCustomerId: Optional[str] = None
    firstName: Optional[str] = None
    lastName: Optional[str] = None
    languageCode: Optional[str] = None
    timeZone: Optional[str] = None
    contactKey: Optional[str] = None
    channels: List[Tuple[str, str]] = field(default_factory=list)
    address: Optional[Dict[str, str]] = None
    fields: List[Tuple[int, str]] = field(default_factory=list)

    def values(self, kind: str) -> List[str]:
        return [v for k, v in self.channels if k == kind]


def parse_row(obj: dict) -> Row:
    """ContactValidation.parse for the JSON a client sends; raises Invalid."""
    if not isinstance(obj, dict):
        raise Invalid("contact must be a JSON object")
    r = Row()
    for key, v in obj.items():
        if v is None:
            continue
        if key == "id":
            if not isinstance(v, int) or isinstance(v, bool):
                raise Invalid("id must be an integer")
            r.id = v
        elif key == "externalCustomerId":
            if isinstance(v, str):
                r.externalCustomerId = v or None
            elif isinstance(v, int) and not isinstance(v, bool):
                r.externalCustomerId = str(v)
            else:
                raise Invalid("externalCustomerId must be a string or an integer")
        elif key in ("firstName", "lastName"):
            if not isinstance(v, str):
                raise Invalid(f"{key} must be a string")
            if len(v) > 40:
                raise Invalid(f"{key} is longer than 40 characters")
            setattr(r, key, v)
        elif key in ("languageCode", "timeZone", "contactKey"):
            if not isinstance(v, str):
                raise Invalid(f"{key} must be a string")
            setattr(r, key, v)
        elif key == "channels":
            if not isinstance(v, list):
                raise Invalid("channels must be an array")
            per_kind: Dict[str, int] = {}
            for ch in v:
                if not isinstance(ch, dict) or not isinstance(ch.get("type"), str) \
                        or ch["type"] not in CHANNEL_KINDS or not isinstance(ch.get("value"), str):
                    raise Invalid(f"bad channel {ch!r}")
                kind, raw = ch["type"], ch["value"]
                if kind == "email":
                    value = normalise_email(raw)
                elif kind == "sms":
                    value = normalise_phone(raw)
                else:
                    value = raw.strip() or None
                if value is None:
                    raise Invalid(f"invalid {kind} {raw!r}")
                per_kind[kind] = per_kind.get(kind, 0) + 1
                if per_kind[kind] > 2:
                    raise Invalid(f"more than two {kind} channels")
                r.channels.append((kind, value))
        elif key == "address":
            if not isinstance(v, dict):
                raise Invalid("address must be an object")
            a = {}
            for k, s in v.items():
                if s is None:
                    continue
                if not isinstance(s, str):
                    raise Invalid(f"address.{k} must be a string")
                if k in ADDRESS_PARTS:
                    a[k] = s
            r.address = a
        elif key == "fields":
            if not isinstance(v, list):
                raise Invalid("fields must be an array")
            for f in v:
                if not isinstance(f, dict) or "id" not in f:
                    raise Invalid("bad field")
                fid = f["id"]
                if isinstance(fid, str) and fid.isascii() and fid.isdigit():
                    fid = int(fid)
                if not isinstance(fid, int) or isinstance(fid, bool):
                    raise Invalid("field id must be an integer")
                val = f.get("value")
                if val is None:
                    val = ""
                elif isinstance(val, bool):
                    val = "true" if val else "false"
                elif isinstance(val, (int, str)):
                    val = str(val)
                elif isinstance(val, float):
                    raise NotImplementedError("float field values are not modelled (the emulator writes its own JSON text)")
                else:
                    raise Invalid("field value must be a string, number or boolean")
                r.fields.append((fid, val))
    if not r.channels:
        raise Invalid("contact has no channel")
    return r


# ---------------------------------------------------------------- options (ImportOptions.swift)

@dataclass
class Options:
    dedupeOn: str = "email"
    fieldId: Optional[int] = None
    contactFields: Optional[Iterable[str]] = None
    customFieldsIDs: Optional[Iterable[int]] = None
    groupNames: List[str] = field(default_factory=list)
    groupNamesExclude: List[str] = field(default_factory=list)
    restoreDeleted: bool = False

    def dedupe_value(self, r: Row) -> Optional[str]:
        d = self.dedupeOn
        if d == "email":
            return (r.values("email") or [None])[0]
        if d == "sms":
            return (r.values("sms") or [None])[0]
        if d == "email_or_sms":
            return (r.values("email") or r.values("sms") or [None])[0]
        if d == "id":
            return None if r.id is None else str(r.id)
        if d == "fieldId":
            vals = [v for i, v in r.fields if i == self.fieldId]
            return vals[-1] if vals else None
        if d == "externalCustomerId":
            return r.externalCustomerId
        if d == "push":
            return (r.values("mobilepush") or [None])[0]
        if d == "webpush":
            return (r.values("webpush") or [None])[0]
        raise ValueError(d)

    def missing_key(self, r: Row) -> bool:
        return r.externalCustomerId is None and self.dedupe_value(r) is None


# ---------------------------------------------------------------- the store

@dataclass
class Contact:
    id: int
    updatedAt: int
    externalCustomerId: Optional[str] = None
    firstName: Optional[str] = None
    lastName: Optional[str] = None
    languageCode: Optional[str] = None
    timeZone: Optional[str] = None
    contactKey: Optional[str] = None
    channels: List[Tuple[str, str]] = field(default_factory=list)
    address: Optional[Dict[str, str]] = None
    fields: List[Tuple[int, str]] = field(default_factory=list)
    deleted: bool = False
    source: str = "import"
    confirmed: bool = True
    rows: List[int] = field(default_factory=list)   # input rows applied to it (for messages)


class Model:
    """The emulator's contacts after a sequence of bulk-imported rows."""

    def __init__(self) -> None:
        self.contacts: List[Contact] = []            # in creation order; id = FIRST_ID + position
        self.segments: Dict[str, set] = {}           # name -> contact ids, in creation order
        self.clock = 0
        self._by: Dict[Tuple[str, str], List[Contact]] = {}
        self._ext: Dict[str, Contact] = {}

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    # Indexes (channel -> contacts, externalCustomerId -> contact) are kept like the emulator's:
    # a contact is taken out before it is written and put back after, deleted ones included.
    def _index(self, c: Contact) -> None:
        for ch in c.channels:
            self._by.setdefault(ch, []).append(c)
        if c.externalCustomerId is not None:
            self._ext[c.externalCustomerId] = c

    def _unindex(self, c: Contact) -> None:
        for ch in c.channels:
            self._by[ch] = [x for x in self._by.get(ch, []) if x is not c]
        if c.externalCustomerId is not None and self._ext.get(c.externalCustomerId) is c:
            del self._ext[c.externalCustomerId]

    def _having(self, kind: str, values: List[str]) -> List[Contact]:
        return [c for v in values for c in self._by.get((kind, v), [])]

    def _candidates(self, r: Row, o: Options) -> List[Contact]:
        d = o.dedupeOn
        if d == "email":
            return self._having("email", r.values("email"))
        if d == "sms":
            return self._having("sms", r.values("sms"))
        if d == "email_or_sms":
            return self._having("email", r.values("email")) or self._having("sms", r.values("sms"))
        if d == "id":
            c = self.get(r.id) if r.id is not None else None
            return [c] if c is not None else []
        if d == "fieldId":
            v = o.dedupe_value(r)
            return [] if v is None else [c for c in self.contacts if (o.fieldId, v) in c.fields]
        if d == "externalCustomerId":
            return []
        if d == "push":
            return self._having("mobilepush", r.values("mobilepush"))
        if d == "webpush":
            return self._having("webpush", r.values("webpush"))
        raise ValueError(d)

    def get(self, id: int) -> Optional[Contact]:
        i = id - FIRST_ID
        return self.contacts[i] if 0 <= i < len(self.contacts) else None

    @staticmethod
    def _most_recent(cands: List[Contact], ok) -> Optional[Contact]:
        best = None
        for c in cands:
            if ok(c) and (best is None or c.updatedAt > best.updatedAt):
                best = c
        return best

    def resolve(self, r: Row, o: Options):
        """("update", contact, restore) | ("create",) | ("skip", reason) — BulkMatching.resolve."""
        if r.externalCustomerId is not None:
            known = self._ext.get(r.externalCustomerId)
            if known is not None:
                if known.deleted:
                    return ("update", known, True) if o.restoreDeleted else ("skip", "deleted")
                return ("update", known, False)
            best = self._most_recent(self._candidates(r, o),
                                     lambda c: not c.deleted and c.externalCustomerId is None)
            return ("update", best, False) if best else ("create",)
        cands = self._candidates(r, o)
        best = self._most_recent(cands, lambda c: not c.deleted)
        if best:
            return ("update", best, False)
        if o.restoreDeleted:
            best = self._most_recent(cands, lambda c: c.deleted)
            if best:
                return ("update", best, True)
        return ("create",)

    def apply(self, obj: dict, o: Options, row: int = 0) -> Optional[Contact]:
        """Imports one row as the emulator would; None when it is skipped. Raises Invalid for a
        row the emulator would refuse (failedContacts)."""
        r = parse_row(obj)
        if o.missing_key(r):
            raise Invalid(f"no value for dedupeOn {o.dedupeOn}")
        res = self.resolve(r, o)
        if res[0] == "skip":
            return None
        if res[0] == "create":
            c = Contact(id=FIRST_ID + len(self.contacts), updatedAt=self.tick())
            self.contacts.append(c)
            is_new = True
        else:
            c, is_new = res[1], False
            self._unindex(c)
            if res[2]:
                c.deleted = False
        self._write(r, c, o, is_new)
        c.updatedAt = self.tick()
        self._index(c)
        c.rows.append(row)
        for name in o.groupNames:
            self.segments.setdefault(name, set()).add(c.id)
        for name in o.groupNamesExclude:
            if name in self.segments:
                self.segments[name].discard(c.id)
        return c

    @staticmethod
    def _write(r: Row, c: Contact, o: Options, is_new: bool) -> None:
        limit = None if o.contactFields is None else set(o.contactFields)

        def written(name: str) -> bool:
            return is_new or limit is None or name in limit
        for name in STANDARD_FIELDS:
            if written(name):
                setattr(c, name, getattr(r, name))
        address = dict(c.address or {})
        for part in ADDRESS_PARTS:
            if written(part):
                v = (r.address or {}).get(part)
                if v is None:
                    address.pop(part, None)
                else:
                    address[part] = v
        c.address = address or None
        if r.externalCustomerId is not None:
            c.externalCustomerId = r.externalCustomerId
        for kind in CHANNEL_KINDS:
            if not written(kind):
                continue
            sent = r.values(kind)
            if not sent:
                continue
            c.channels = [ch for ch in c.channels if ch[0] != kind] + [(kind, v) for v in sent]
        only = None if o.customFieldsIDs is None else set(o.customFieldsIDs)
        for fid, val in r.fields:
            if only is not None and fid not in only:
                continue
            for i, (have, _) in enumerate(c.fields):
                if have == fid:
                    c.fields[i] = (fid, val)
                    break
            else:
                c.fields.append((fid, val))

    def delete(self, id: int) -> None:
        """Marks a contact deleted (DELETE /contact/{id}); for the unit tests."""
        c = self.get(id)
        assert c is not None and not c.deleted
        c.deleted = True
        c.updatedAt = self.tick()

    def groups_of(self, c: Contact) -> List[str]:
        return [name for name, ids in self.segments.items() if c.id in ids]

    def normalised(self) -> List[dict]:
        """Every contact in the comparison form (see `normalise`)."""
        out = []
        for c in self.contacts:
            out.append(normalise({
                "externalCustomerId": c.externalCustomerId, "firstName": c.firstName, "lastName": c.lastName,
                "channels": [{"type": k, "value": v} for k, v in c.channels], "address": c.address,
                "fields": [{"id": i, "value": v} for i, v in c.fields], "languageCode": c.languageCode,
                "timeZone": c.timeZone, "contactKey": c.contactKey,
                "groups": [{"name": g} for g in self.groups_of(c)], "source": c.source,
                "confirmed": c.confirmed, "deleted": c.deleted}))
        return out


def normalise(stored: dict) -> dict:
    """A contact as the oracle compares it: what the contract fixes, nothing that depends on
    arrival order (id, updatedAt) and no order inside lists (channels, fields, groups)."""
    return {
        "externalCustomerId": stored.get("externalCustomerId"),
        "firstName": stored.get("firstName"),
        "lastName": stored.get("lastName"),
        "channels": sorted((ch["type"], ch["value"]) for ch in stored.get("channels") or []),
        "address": {k: v for k, v in sorted((stored.get("address") or {}).items())} or None,
        "fields": sorted((int(f["id"]), f["value"]) for f in stored.get("fields") or []),
        "languageCode": stored.get("languageCode"),
        "timeZone": stored.get("timeZone"),
        "contactKey": stored.get("contactKey"),
        "groups": sorted(g["name"] for g in stored.get("groups") or []),
        "source": stored.get("source"),
        "confirmed": stored.get("confirmed"),
        "deleted": bool(stored.get("deleted", False)),
    }


def canonical(c: dict) -> str:
    return json.dumps(c, sort_keys=True, separators=(",", ":"))


def keys_of(c: dict) -> List[str]:
    """The identities of a normalised contact: its externalCustomerId and channel values."""
    out = [f"{k}:{v}" for k, v in c["channels"]]
    if c["externalCustomerId"] is not None:
        out.append("ext:" + c["externalCustomerId"])
    return out


# ================================================================ orders (issue 13)
# Mirrors emulator/Sources/EmulatorCore/Model/OrderInput.swift (OrderValidation.parse),
# OrderStore.swift (OrderStore.upsert, EmulatorWorld.applyOrder) and SideEffectContacts.swift
# (ContactStore.contactForChannels), rule by rule:
#   - required: externalOrderId, externalCustomerId (non-empty string, or an integer: its
#     digits), totalCost (a number), status (one of five), date (ISO-8601; the text is kept as
#     sent), currency (non-empty string); optional numbers taxes/shipping/discount, optional
#     strings deliveryAddress/firstName/lastName (names ≤ 40 characters; "" is no name); email
#     and phone: absent, null or blank is none, else valid by the contact rules (normalised);
#     one of them is required; items: an array of objects with externalItemId and name;
#   - a valid order is stored at once (no session), upserted by externalOrderId: last write wins;
#   - its contact: the most recently updated live contact with its email, else with its phone;
#     none: a new contact (confirmed, source "orders", no externalCustomerId, no segment) with
#     the order's email and phone channels and its first/last name. An existing contact is never
#     written.
# Not modelled: deletion of orders, the events each order records, dates beyond "a string the
# emulator accepts" (chaos sends only valid ISO dates or none).

ORDER_STATUSES = ("INITIALIZED", "IN_PROGRESS", "DELIVERED", "CANCELLED", "ABANDONED_SHOPPING_CART")


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and v not in (float("inf"), float("-inf"))


@dataclass
class OrderRow:
    externalOrderId: str
    externalCustomerId: str
    totalCost: float
    status: str
    date: str
    currency: str
    email: Optional[str]
    phone: Optional[str]
    firstName: Optional[str]
    lastName: Optional[str]
    sent: dict


def parse_order(obj) -> OrderRow:
    """OrderValidation.parse; raises Invalid."""
    if not isinstance(obj, dict):
        raise Invalid("order must be a JSON object")

    def present(key):
        return obj.get(key)

    def ident(key) -> str:
        v = present(key)
        if isinstance(v, str) and v:
            return v
        if isinstance(v, int) and not isinstance(v, bool):
            return str(v)
        raise Invalid(f"{key} is required" if v is None else f"{key} must be a non-empty string")

    oid, cid = ident("externalOrderId"), ident("externalCustomerId")
    cost = present("totalCost")
    if cost is None or not _is_number(cost):
        raise Invalid("totalCost must be a number")
    status = present("status")
    if status not in ORDER_STATUSES:
        raise Invalid("status must be one of " + ", ".join(ORDER_STATUSES))
    date = present("date")
    if not isinstance(date, str) or not date:
        raise Invalid("date must be an ISO-8601 date-time string")
    currency = present("currency")
    if not isinstance(currency, str) or not currency:
        raise Invalid("currency must be a non-empty string")
    for key in ("taxes", "shipping", "discount"):
        if present(key) is not None and not _is_number(present(key)):
            raise Invalid(f"{key} must be a number")
    for key in ("deliveryAddress", "firstName", "lastName"):
        if present(key) is not None and not isinstance(present(key), str):
            raise Invalid(f"{key} must be a string")
    for key in ("firstName", "lastName"):
        if present(key) is not None and len(present(key)) > 40:
            raise Invalid(f"{key} is longer than 40 characters")

    def channel(key, norm) -> Optional[str]:
        v = present(key)
        if v is None:
            return None
        if not isinstance(v, str):
            raise Invalid(f"{key} must be a string")
        if not v.strip():
            return None
        n = norm(v)
        if n is None:
            raise Invalid(f"invalid {key} {v!r}")
        return n
    email, phone = channel("email", normalise_email), channel("phone", normalise_phone)
    if email is None and phone is None:
        raise Invalid("an email or a phone is required")
    items = present("items")
    if items is not None:
        if not isinstance(items, list):
            raise Invalid("items must be an array")
        for it in items:
            if not isinstance(it, dict) or not it.get("externalItemId") or not isinstance(it.get("name"), str) \
                    or not it["name"]:
                raise Invalid(f"bad item {it!r}")
            for key in ("quantity", "cost"):
                if it.get(key) is not None and not _is_number(it[key]):
                    raise Invalid(f"item {key} must be a number")
    return OrderRow(oid, cid, float(cost), status, date, currency, email, phone,
                    present("firstName") or None, present("lastName") or None, obj)


@dataclass
class OrderContact:
    """A contact an order created (the only contacts an orders run makes)."""
    id: int
    updatedAt: int
    channels: List[Tuple[str, str]]
    firstName: Optional[str]
    lastName: Optional[str]
    rows: List[int] = field(default_factory=list)      # orders linked to it (for messages)
    deleted: bool = False


@dataclass
class StoredOrderModel:
    order: OrderRow
    contact: OrderContact
    row: int


class OrdersModel:
    """The emulator's orders and the contacts they created, after a sequence of accepted orders."""

    def __init__(self) -> None:
        self.orders: Dict[str, StoredOrderModel] = {}     # by externalOrderId, first-write order
        self.contacts: List[OrderContact] = []
        self.clock = 0

    def _most_recent(self, kind: str, value: str) -> Optional[OrderContact]:
        best = None
        for c in self.contacts:
            if (kind, value) in c.channels and not c.deleted and (best is None or c.updatedAt > best.updatedAt):
                best = c
        return best

    def contact_for(self, o: OrderRow) -> OrderContact:
        """ContactStore.contactForChannels: email first, then phone, else a new contact."""
        if o.email is not None:
            c = self._most_recent("email", o.email)
            if c is not None:
                return c
        if o.phone is not None:
            c = self._most_recent("sms", o.phone)
            if c is not None:
                return c
        self.clock += 1
        chans = ([("email", o.email)] if o.email else []) + ([("sms", o.phone)] if o.phone else [])
        c = OrderContact(id=FIRST_ID + len(self.contacts), updatedAt=self.clock, channels=chans,
                         firstName=o.firstName, lastName=o.lastName)
        self.contacts.append(c)
        return c

    def apply(self, obj: dict, row: int = 0) -> StoredOrderModel:
        """Stores one order as the emulator would; raises Invalid for one it would refuse."""
        o = parse_order(obj)
        c = self.contact_for(o)
        c.rows.append(row)
        s = StoredOrderModel(o, c, row)
        self.orders[o.externalOrderId] = s      # a dict keeps the first write's place, as OrderStore
        return s

    def normalised_contacts(self) -> List[dict]:
        return [normalise({"firstName": c.firstName, "lastName": c.lastName,
                           "channels": [{"type": k, "value": v} for k, v in c.channels],
                           "source": "orders", "confirmed": True, "deleted": c.deleted}) for c in self.contacts]

    def normalised_orders(self) -> Dict[str, dict]:
        return {oid: normalise_order_fields(s.order.externalOrderId, s.order.externalCustomerId, s.order.status,
                                            s.order.date, s.order.totalCost, s.order.currency, s.order.email,
                                            s.order.phone, s.order.sent, sorted(s.contact.channels))
                for oid, s in self.orders.items()}


def _floats(v):
    """JSON numbers compared as floats (the emulator keeps totalCost as a double; an item's 2 and
    2.0 are the same number)."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, list):
        return [_floats(x) for x in v]
    if isinstance(v, dict):
        return {k: _floats(x) for k, x in v.items() if x is not None}
    return v


def normalise_order_fields(oid, cid, status, date, total, currency, email, phone, sent: dict,
                           contact_channels) -> dict:
    return {"externalOrderId": oid, "externalCustomerId": cid, "status": status, "date": date,
            "totalCost": float(total), "currency": currency, "email": email, "phone": phone,
            "firstName": sent.get("firstName") or None, "lastName": sent.get("lastName") or None,
            "items": _floats(sent.get("items") or []),
            "contact": [list(ch) for ch in contact_channels]}


def normalise_stored_order(stored: dict, contacts_by_id: Dict[int, dict]) -> dict:
    """An entry of GET /_emulator/orders in the comparison form: the order's fields, its names
    and items as sent, and the channels of the contact it is linked to."""
    c = contacts_by_id.get(stored.get("contactId"))
    chans = sorted((ch["type"], ch["value"]) for ch in (c or {}).get("channels") or [])
    return normalise_order_fields(stored["externalOrderId"], stored["externalCustomerId"], stored["status"],
                                  stored["date"], stored["totalCost"], stored["currency"], stored.get("email"),
                                  stored.get("phone"), stored.get("order") or {}, chans)
