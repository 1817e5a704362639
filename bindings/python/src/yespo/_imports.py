"""Asynchronous imports: status, waiting, and imports Yespo fetches from a URL."""

from __future__ import annotations

import time
from typing import Any, Iterable, Optional

import orjson

from . import _args
from ._base import ClientBase
from ._ffi import call_out_string
from ._native import lib
from .errors import YespoTimeoutError
from .types import ImportStatus

# Long waits run in slices so that Ctrl-C is seen between them (a ctypes call cannot be interrupted).
_WAIT_SLICE_MS = 5000


class ImportMethods(ClientBase):
    def import_status(self, session_id: str) -> ImportStatus:
        """``GET /importstatus/{id}``."""
        sid = _args.text("session_id", session_id)
        text = call_out_string(lib.yespo_import_status, self._handle(), sid.encode("utf-8"),
                               context=f"import_status({sid})")
        return ImportStatus.from_json(orjson.loads(text))

    def wait_for_import(self, session_id: str, timeout: Optional[float] = None) -> ImportStatus:
        """Polls an import until FINISHED or ERROR; :class:`YespoTimeoutError` after ``timeout``
        seconds (default: the client's ``import_timeout``, 20 minutes unless configured)."""
        sid = _args.text("session_id", session_id).encode("utf-8")
        limit_ms = self._import_timeout_ms if timeout is None else _args.seconds_to_ms("timeout", timeout)
        deadline = time.monotonic() + limit_ms / 1000
        while True:
            left_ms = int((deadline - time.monotonic()) * 1000)
            slice_ms = max(1, min(_WAIT_SLICE_MS, left_ms))
            try:
                text = call_out_string(lib.yespo_import_wait, self._handle(), sid, slice_ms,
                                       context=f"wait_for_import({session_id})")
                return ImportStatus.from_json(orjson.loads(text))
            except YespoTimeoutError:
                if time.monotonic() >= deadline:
                    raise

    def upload_from_url(self, url: str, *, dedupe_on: str = "email",
                        group_names: Optional[Iterable[str]] = None,
                        group_names_exclude: Optional[Iterable[str]] = None,
                        restore_deleted: Optional[bool] = None,
                        event_key_for_new_contacts: Optional[str] = None) -> str:
        """``POST /contacts/upload``: Yespo fetches a CSV from ``url``. Returns the asyncSessionId."""
        request: dict[str, Any] = {"link": _args.text("url", url), "dedupeOn": _args.dedupe_key(dedupe_on)}
        if group_names is not None:
            request["groupNames"] = _args.string_list("group_names", group_names)
        if group_names_exclude is not None:
            request["groupNamesExclude"] = _args.string_list("group_names_exclude", group_names_exclude)
        if restore_deleted is not None:
            request["restoreDeleted"] = _args.boolean("restore_deleted", restore_deleted)
        if event_key_for_new_contacts is not None:
            request["eventKeyForNewContacts"] = _args.text("event_key_for_new_contacts",
                                                           event_key_for_new_contacts)
        text = call_out_string(lib.yespo_contacts_upload, self._handle(), orjson.dumps(request),
                               context="upload_from_url")
        sid = orjson.loads(text).get("asyncSessionId")
        return str(sid)
