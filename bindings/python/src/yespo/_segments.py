"""Segments (groups): listing, members, attach and detach."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional

import orjson

from . import _args
from ._base import PAGE_MAX, ClientBase, iter_pages
from ._ffi import call_no_out, call_out_string
from ._native import lib
from .errors import ValidationError
from .types import Segment


class SegmentMethods(ClientBase):
    def list_segments(self, *, name: Optional[str] = None, page_size: int = PAGE_MAX) -> list[Segment]:
        """``GET /groups``: every segment (optionally only those matching ``name``)."""
        _args.integer("page_size", page_size, 1, PAGE_MAX)
        query: dict[str, Any] = {} if name is None else {"name": _args.text("name", name)}
        found: list[Segment] = []
        start = 1
        while True:
            text = call_out_string(lib.yespo_segments_list, self._handle(),
                                   orjson.dumps({**query, "startindex": start, "maxrows": page_size}),
                                   context="list_segments")
            page = orjson.loads(text)
            found.extend(Segment(id=int(g["id"]), name=str(g.get("name", "")), type=str(g.get("type", "")))
                         for g in page)
            if len(page) < page_size:
                return found
            start += len(page)

    def attach_to_segment(self, segment_id: int, *, contact_ids: Optional[Iterable[int]] = None,
                          external_customer_ids: Optional[Iterable[str]] = None) -> None:
        """Adds contacts (by id or by external customer id) to a static segment."""
        body = self._segment_ids(contact_ids, external_customer_ids, allow_none=False)
        call_no_out(lib.yespo_segment_attach, self._handle(), _args.integer("segment_id", segment_id, 1),
                    body, context=f"attach_to_segment({segment_id})")

    def detach_from_segment(self, segment_id: int, *, contact_ids: Optional[Iterable[int]] = None,
                            external_customer_ids: Optional[Iterable[str]] = None,
                            all_contacts: bool = False) -> None:
        """Removes contacts from a static segment; ``all_contacts=True`` (and no ids) empties it."""
        if all_contacts and (contact_ids is not None or external_customer_ids is not None):
            raise ValidationError("all_contacts=True cannot be combined with ids")
        body = b"{}" if all_contacts else self._segment_ids(contact_ids, external_customer_ids, allow_none=False)
        call_no_out(lib.yespo_segment_detach, self._handle(), _args.integer("segment_id", segment_id, 1),
                    body, context=f"detach_from_segment({segment_id})")

    @staticmethod
    def _segment_ids(contact_ids: Optional[Iterable[int]], external_ids: Optional[Iterable[str]],
                     allow_none: bool) -> bytes:
        if contact_ids is not None and external_ids is not None:
            raise ValidationError("pass contact_ids or external_customer_ids, not both")
        if contact_ids is not None:
            return orjson.dumps({"contactIds": _args.int_list("contact_ids", contact_ids)})
        if external_ids is not None:
            return orjson.dumps({"externalCustomerIds": _args.string_list("external_customer_ids", external_ids)})
        if allow_none:
            return b"{}"
        raise ValidationError("pass contact_ids or external_customer_ids (or all_contacts=True to detach all)")

    def segment_contacts(self, segment_id: int, *, page_size: int = PAGE_MAX,
                         limit: Optional[int] = None) -> Iterator[dict[str, Any]]:
        """``GET /group/{id}/contacts``: a lazy iterator over the segment's contacts."""
        _args.integer("segment_id", segment_id, 1)
        _args.integer("page_size", page_size, 1, PAGE_MAX)
        return iter_pages(lambda q: call_out_string(lib.yespo_segment_contacts, self._handle(), segment_id,
                                                     q, context=f"segment_contacts({segment_id})"),
                           {}, page_size, limit)
