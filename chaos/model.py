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
