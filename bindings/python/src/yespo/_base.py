"""What the method groups of :class:`yespo.Client` share: the handle, the lock, JSON helpers."""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator, Optional

import orjson

from ._job import JobRun
from ._rows import encode_one
from .errors import ValidationError

PAGE_MAX = 500


def json_arg(value: Any, what: str) -> bytes:
    """An argument as compact JSON, or a ValidationError saying which argument."""
    try:
        return encode_one(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what} cannot be encoded as JSON: {exc}") from None


def id_of(text: str) -> int:
    value = orjson.loads(text).get("id")
    return int(value)


def iter_pages(fetch: Callable[[bytes], str], query: dict[str, Any], page_size: int,
               limit: Optional[int]) -> Iterator[dict[str, Any]]:
    """Fetches pages (``startindex`` from 1) only as the caller iterates."""
    start, yielded = 1, 0
    while limit is None or yielded < limit:
        contacts, last = read_page(fetch(page_request(query, start, page_size)), start, page_size)
        for contact in contacts:
            if limit is not None and yielded >= limit:
                return
            yield contact
            yielded += 1
        start += len(contacts)
        if last:
            return


def page_request(query: dict[str, Any], start: int, page_size: int) -> bytes:
    """The query of one page (``startindex`` from 1)."""
    return orjson.dumps({**query, "startindex": start, "maxrows": page_size})


def read_page(text: str, start: int, page_size: int) -> "tuple[list[dict[str, Any]], bool]":
    """A page's contacts, and whether it is the last one (short, or past ``totalCount``)."""
    page = orjson.loads(text)
    contacts = page.get("contacts") or []
    total = page.get("totalCount")
    return contacts, len(contacts) < page_size or (isinstance(total, int) and start + len(contacts) > total)


class ClientBase:
    """State every method group uses; :class:`yespo.Client` fills it in."""

    _lock: threading.Lock
    _idle: threading.Condition
    _jobs: set[JobRun]
    _closing: bool
    _import_timeout_ms: int

    def _handle(self) -> int:
        raise NotImplementedError
