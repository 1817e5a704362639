"""Typed shapes of the Yespo API, for type checkers (rows may be plain dicts of the same shape)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Union

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # pragma: no cover - Python 3.9/3.10
    from typing_extensions import NotRequired, TypedDict


class Channel(TypedDict):
    type: str  # "email" | "sms" | "mobilepush" | "webpush" | "viber"
    value: str


class Address(TypedDict, total=False):
    region: str
    town: str
    address: str
    postcode: str


class Field(TypedDict):
    id: Union[int, str]
    value: Union[str, int, float, bool]


class Contact(TypedDict, total=False):
    """A contact in the API's JSON shape (every key optional; at least one channel is required)."""

    id: int
    externalCustomerId: str
    firstName: str
    lastName: str
    channels: list[Channel]
    address: Address
    fields: list[Field]
    languageCode: str
    timeZone: str
    contactKey: str
    groups: NotRequired[list[dict[str, Any]]]  # in answers only


@dataclass(frozen=True)
class ImportStatus:
    """The state of one asynchronous import session (``GET /importstatus/{id}``)."""

    status: str  # "IMPORTING", "FINISHED", "ERROR", ...
    mapping: dict[str, int] = field(default_factory=dict)  # dedupeValue -> contactId
    description: Optional[str] = None

    @property
    def finished(self) -> bool:
        return self.status == "FINISHED"

    @property
    def failed(self) -> bool:
        return self.status == "ERROR"

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "ImportStatus":
        mapping: dict[str, int] = {}
        entries = obj.get("mapping") or []
        if isinstance(entries, Mapping):
            entries = [entries]
        for entry in entries:
            if isinstance(entry, Mapping) and "dedupeValue" in entry and "contactId" in entry:
                mapping[str(entry["dedupeValue"])] = int(entry["contactId"])
        desc = obj.get("description")
        return cls(status=str(obj.get("status", "")), mapping=mapping,
                   description=None if desc is None else str(desc))


@dataclass(frozen=True)
class Segment:
    """A segment (group) of contacts."""

    id: int
    name: str
    type: str


def _param_text(value: Any) -> Any:
    """Event parameter values travel as strings (the bulk path requires them so): numbers as
    written, booleans as true/false; anything else is left for the core to refuse."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return value


@dataclass(frozen=True)
class EventParam:
    """One parameter of an event (``{"name","value"}``); values are sent as strings."""

    name: str
    value: Union[str, int, float, bool]


@dataclass(frozen=True)
class Event:
    """An event for :meth:`yespo.Client.send_event` (``POST /api/v2/event``).

    ``event_type_key``: at most 100 characters, none of ``‹ ; ’ \\ / | " ' ^ ? ! , >``. The event
    needs a key: ``key_value``, or a param named contactId, externalCustomerId, email, phone or
    pushToken. ``params`` may be a mapping (name → value) or a sequence of :class:`EventParam`.
    """

    event_type_key: str
    key_value: Optional[str] = None
    params: Union[Mapping[str, Any], "list[EventParam]", "tuple[EventParam, ...]", None] = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"eventTypeKey": self.event_type_key}
        if self.key_value is not None:
            body["keyValue"] = self.key_value
        if self.params is not None:
            items = self.params.items() if isinstance(self.params, Mapping) else (
                (p.name, p.value) if isinstance(p, EventParam) else tuple(p) for p in self.params)
            body["params"] = [{"name": name, "value": _param_text(value)} for name, value in items]
        return body
