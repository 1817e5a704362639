"""Bulk orders and events: :meth:`Client.upsert_orders`, :meth:`Client.upsert_orders_file`,
:meth:`Client.upsert_events` and :meth:`Client.upsert_events_file` — the contacts job of the core
with ``"kind": "orders"`` (``POST /orders``, ≤ 1000 a request) or ``"events"`` (``POST
/api/v2/event``, one a request). Rows may be the dataclasses below or plain dicts."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Optional, Union

import orjson

from . import _args
from ._job import ProgressCallback
from ._upserts import PathLike, UpsertMethods, file_options_json
from .errors import ValidationError
from .report import UpsertReport

Number = Union[int, float]


@dataclass
class OrderItem:
    external_item_id: str
    name: str
    quantity: Optional[Number] = None
    cost: Optional[Number] = None
    category: Optional[str] = None
    url: Optional[str] = None
    image_url: Optional[str] = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Order:
    """One order of ``POST /orders``; ``status`` is INITIALIZED, IN_PROGRESS, DELIVERED,
    CANCELLED or ABANDONED_SHOPPING_CART; ``email`` or ``phone`` is required. ``extra``: any
    other field, sent as given."""
    external_order_id: str
    external_customer_id: str
    total_cost: Number
    status: str
    date: str
    currency: str
    email: Optional[str] = None
    phone: Optional[str] = None
    first_name: Optional[str] = None
    last_name: Optional[str] = None
    taxes: Optional[Number] = None
    shipping: Optional[Number] = None
    discount: Optional[Number] = None
    delivery_address: Optional[str] = None
    items: list[OrderItem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class EventParam:
    name: str
    value: str


@dataclass
class Event:
    """One event of ``POST /api/v2/event``: its key is ``key_value``, or a parameter named
    contactId, externalCustomerId, email, phone or pushToken."""
    event_type_key: str
    key_value: Optional[str] = None
    params: list[EventParam] = field(default_factory=list)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def as_row(obj: Any) -> Any:
    """A dataclass row as the API's dict (camelCase keys, None left out, ``extra`` merged in);
    anything else as it is (the core checks it)."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return obj
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name == "extra":
            continue
        if value is None or (isinstance(value, list) and not value and f.name in ("items", "params")):
            continue
        if isinstance(value, list):
            value = [as_row(v) for v in value]
        out[_camel(f.name)] = value
    extra = getattr(obj, "extra", None)
    if isinstance(extra, Mapping):
        out.update(extra)
    return out


def kind_options(kind: str, validate: bool, dry_run: bool) -> bytes:
    """The job options of an orders or events job (the contact options do not apply)."""
    return orjson.dumps({"kind": kind, "validate": _args.boolean("validate", validate),
                         "dryRun": _args.boolean("dry_run", dry_run)})


def kind_rows(value: Any, what: str) -> Iterator[Any]:
    if isinstance(value, (Mapping, str, bytes, bytearray)) or dataclasses.is_dataclass(value):
        raise ValidationError(f"{what} must be an iterable of {what}, not a single {type(value).__name__}; wrap one in a list")
    if not isinstance(value, Iterable):
        raise ValidationError(f"{what} must be an iterable of {what}, not {type(value).__name__}")
    return (as_row(row) for row in value)


class KindUpsertMethods(UpsertMethods):
    def _kind_job(self, kind: str, rows: Any, what: str, validate: bool, dry_run: bool,
                  progress: Optional[ProgressCallback], progress_interval: float,
                  cancel: Optional[threading.Event], batch_size: int) -> UpsertReport:
        _args.integer("batch_size", batch_size, 1, 1_000_000)
        total = len(rows) if isinstance(rows, (list, tuple)) else None
        iterator = kind_rows(rows, what)
        return self._run_job(kind_options(kind, validate, dry_run), progress, progress_interval, total, cancel,
                             lambda run: run.feed_rows(iterator, batch_size, total))

    def _kind_file(self, kind: str, path: PathLike, format: Optional[str], columns: Optional[Mapping[str, str]],
                   delimiter: Optional[str], validate: bool, dry_run: bool,
                   progress: Optional[ProgressCallback], progress_interval: float,
                   cancel: Optional[threading.Event]) -> UpsertReport:
        file_path = _args.path("path", path)
        file_json = file_options_json(format, columns, delimiter, None)
        return self._run_job(kind_options(kind, validate, dry_run), progress, progress_interval, None, cancel,
                             lambda run: run.feed_file(file_path.encode("utf-8"), file_json))

    def upsert_orders(self, orders: Iterable[Union[Order, Mapping[str, Any]]], *, validate: bool = True,
                      dry_run: bool = False, progress: Optional[ProgressCallback] = None,
                      progress_interval: float = 0.5, cancel: Optional[threading.Event] = None,
                      batch_size: int = 5000) -> UpsertReport:
        """Adds or updates orders in bulk (``POST /orders``, ≤ 1000 a request). Each order gets one
        outcome (row = its position, from 1). The same ``externalOrderId`` twice: the later wins
        (in one request the earlier is reported ``duplicate``). Orders create missing contacts but
        never update existing ones."""
        return self._kind_job("orders", orders, "orders", validate, dry_run, progress, progress_interval,
                              cancel, batch_size)

    def upsert_orders_file(self, path: PathLike, *, format: Optional[str] = None,
                           columns: Optional[Mapping[str, str]] = None, delimiter: Optional[str] = None,
                           validate: bool = True, dry_run: bool = False,
                           progress: Optional[ProgressCallback] = None, progress_interval: float = 0.5,
                           cancel: Optional[threading.Event] = None) -> UpsertReport:
        """Orders from a CSV (one line per item, order columns repeated, item columns ``item.*``;
        consecutive lines of one externalOrderId are one order), NDJSON or JSON-array file."""
        return self._kind_file("orders", path, format, columns, delimiter, validate, dry_run, progress,
                               progress_interval, cancel)

    def upsert_events(self, events: Iterable[Union[Event, Mapping[str, Any]]], *, validate: bool = True,
                      dry_run: bool = False, progress: Optional[ProgressCallback] = None,
                      progress_interval: float = 0.5, cancel: Optional[threading.Event] = None,
                      batch_size: int = 5000) -> UpsertReport:
        """Generates events (``POST /api/v2/event``, one a request, in parallel). An event without a
        key or with a bad ``eventTypeKey`` is ``invalid`` before anything is sent; one the server
        refuses is ``rejected`` with its text."""
        return self._kind_job("events", events, "events", validate, dry_run, progress, progress_interval,
                              cancel, batch_size)

    def upsert_events_file(self, path: PathLike, *, format: Optional[str] = None,
                           columns: Optional[Mapping[str, str]] = None, delimiter: Optional[str] = None,
                           validate: bool = True, dry_run: bool = False,
                           progress: Optional[ProgressCallback] = None, progress_interval: float = 0.5,
                           cancel: Optional[threading.Event] = None) -> UpsertReport:
        """Events from a CSV (``eventTypeKey``, optional ``keyValue``, every other column a
        parameter), NDJSON or JSON-array file."""
        return self._kind_file("events", path, format, columns, delimiter, validate, dry_run, progress,
                               progress_interval, cancel)
