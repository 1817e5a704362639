"""Incremental sync: :meth:`Client.sync_file`, :meth:`Client.sync_contacts` and :func:`sync_status`.

Every run reads the whole source and sends only the contacts that are new or changed since the
last successful run against the same state (a SQLite file, or a ``postgres://`` URL). The
comparing, committing and removing happen in libyespo (``yespo_sync_*``); see docs/sync.md.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from typing import Any, Iterable, Iterator, Mapping, Optional, Union

import orjson

from . import _args
from ._base import ClientBase
from ._ffi import ErrorSlot, call_out_string
from ._native import lib, take_string
from ._options import option_tables
from .errors import E_CANCELLED, StateError, ValidationError, make_error

PathLike = Union[str, "os.PathLike[str]"]


class SyncReport:
    """What one sync run did. Counts by reason add up to ``rows``; ``data`` is the full report
    (the JSON of ``yespo_sync_finish``)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _n(self, key: str) -> int:
        value = self.data.get(key)
        return int(value) if isinstance(value, int) else 0

    @property
    def rows(self) -> int:
        return self._n("rows")

    @property
    def new(self) -> int:
        return self._n("new")

    @property
    def changed(self) -> int:
        return self._n("changed")

    @property
    def unchanged(self) -> int:
        return self._n("unchanged")

    @property
    def invalid(self) -> int:
        return self._n("invalid")

    @property
    def sent(self) -> int:
        """Rows handed to the upsert (in a dry run: that would be)."""
        return self._n("sent")

    @property
    def accepted(self) -> int:
        return self._n("accepted")

    @property
    def rejected(self) -> int:
        return self._n("rejected")

    @property
    def not_sent(self) -> int:
        return self._n("notSent")

    @property
    def committed(self) -> int:
        """Keys whose new hash the state stored."""
        return self._n("committed")

    @property
    def missing(self) -> Optional[dict[str, Any]]:
        """``None`` when missing contacts were not looked for; else count, action, acted, refused..."""
        value = self.data.get("missing")
        return value if isinstance(value, dict) else None

    @property
    def refused(self) -> Optional[str]:
        """Why the missing contacts were left alone (the ``max_deletes`` cap), or ``None``."""
        m = self.missing
        value = m.get("refused") if m else None
        return value if isinstance(value, str) else None

    @property
    def failures(self) -> list[dict[str, Any]]:
        """Source rows not taken (row, outcome, reason); they are sent again next run."""
        value = self.data.get("failures")
        return value if isinstance(value, list) else []

    @property
    def clean(self) -> bool:
        return self.data.get("clean") is True

    @property
    def state_entries(self) -> Optional[int]:
        value = self.data.get("stateEntries")
        return value if isinstance(value, int) else None

    def __repr__(self) -> str:
        return (f"SyncReport(rows={self.rows}, new={self.new}, changed={self.changed}, "
                f"unchanged={self.unchanged}, sent={self.sent}, committed={self.committed}, "
                f"missing={(self.missing or {}).get('count')}, clean={self.clean})")


@functools.lru_cache(maxsize=1)
def sync_option_keys() -> dict[str, str]:
    """Python keyword → JSON key of the sync-only options (the library's option table)."""
    return {row["python"]: row["key"] for row in option_tables().get("sync", [])}


def sync_status(state: str) -> dict[str, Any]:
    """The state and its last runs (``yespo_sync_status``), without starting a run."""
    text = call_out_string(lib.yespo_sync_status, _args.text("state", state).encode("utf-8"),
                           context="reading the sync state")
    status: dict[str, Any] = orjson.loads(text)
    return status


class SyncMethods(ClientBase):
    def sync_file(
        self,
        path: PathLike,
        *,
        state: str,
        format: Optional[str] = None,
        columns: Optional[Mapping[str, str]] = None,
        delimiter: Optional[str] = None,
        full: bool = False,
        missing: Optional[str] = None,
        max_deletes: Optional[Union[int, str]] = None,
        allow_invalid: bool = False,
        cancel: Optional[threading.Event] = None,
        **bulk: Any,
    ) -> SyncReport:
        """Syncs a CSV, NDJSON or JSON-array file against ``state``.

        ``missing``: ``"delete"``, ``"detach:SEGMENT"`` or ``"unsubscribe"`` for contacts gone from
        the source (default: counted only when ``dry_run``, never touched); at most ``max_deletes``
        of them (a count, or ``"5%"`` of the state) are acted on, else none (``report.refused``).
        ``bulk``: the keywords of :meth:`upsert_file` (``dedupe_on``, ``group_names``, ``wait``,
        ``dry_run``, ...). A fatal error (the key refused, the state unusable) is raised with the
        report as its ``report`` attribute.
        """
        file_path = _args.path("path", path)
        file_options: dict[str, Any] = {}
        if format is not None:
            file_options["format"] = _args.text("format", format)
        if columns is not None:
            file_options["columns"] = {_args.text("columns key", k): _args.text(f"columns[{k!r}]", v)
                                       for k, v in columns.items()}
        if delimiter is not None:
            file_options["delimiter"] = _args.text("delimiter", delimiter)
        file_json = orjson.dumps(file_options) if file_options else None
        options = self._sync_options(full, missing, max_deletes, allow_invalid, bulk)

        def feed(sync: int, err: ErrorSlot) -> int:
            return int(lib.yespo_sync_feed_file(sync, file_path.encode("utf-8"), file_json, err.ref))

        return self._run_sync(state, options, [feed], cancel)

    def sync_contacts(
        self,
        contacts: Iterable[Any],
        *,
        state: str,
        full: bool = False,
        missing: Optional[str] = None,
        max_deletes: Optional[Union[int, str]] = None,
        allow_invalid: bool = False,
        batch_size: int = 5000,
        cancel: Optional[threading.Event] = None,
        **bulk: Any,
    ) -> SyncReport:
        """Syncs an iterable of contact dicts (read ``batch_size`` at a time); as :meth:`sync_file`."""
        rows = _args.contacts_iterable(contacts)
        _args.integer("batch_size", batch_size, 1, 1_000_000)
        options = self._sync_options(full, missing, max_deletes, allow_invalid, bulk)

        def batches() -> Iterator[bytes]:
            batch: list[bytes] = []
            for contact in rows:
                batch.append(orjson.dumps(contact))
                if len(batch) >= batch_size:
                    yield b"\n".join(batch) + b"\n"
                    batch = []
            if batch:
                yield b"\n".join(batch) + b"\n"

        def feeds() -> Iterator[Any]:
            for data in batches():
                def feed(sync: int, err: ErrorSlot, data: bytes = data) -> int:
                    return int(lib.yespo_sync_feed_ndjson(sync, data, len(data), err.ref))
                yield feed

        return self._run_sync(state, options, feeds(), cancel)

    def _sync_options(self, full: bool, missing: Optional[str], max_deletes: Optional[Union[int, str]],
                      allow_invalid: bool, bulk: dict[str, Any]) -> bytes:
        from ._upserts import UpsertMethods  # the bulk keywords' one builder

        known = set(option_tables_upsert_keywords())
        unknown = set(bulk) - known
        if unknown:
            raise ValidationError(f"unknown sync option(s): {', '.join(sorted(unknown))}")
        defaults: dict[str, Any] = {"dedupe_on": "email", "wait": False, "ack_on": "accepted",
                                    "validate": True, "dry_run": False}
        merged = {**defaults, **bulk}
        opts: dict[str, Any] = orjson.loads(UpsertMethods._upsert_options(**merged))
        keys = sync_option_keys()
        opts[keys["full"]] = _args.boolean("full", full)
        opts[keys["allow_invalid"]] = _args.boolean("allow_invalid", allow_invalid)
        if missing is not None:
            opts[keys["missing"]] = _args.text("missing", missing)
        if max_deletes is not None:
            if isinstance(max_deletes, bool) or not isinstance(max_deletes, (int, str)):
                raise ValidationError("max_deletes must be a count (int) or a percentage like '5%'")
            opts[keys["max_deletes"]] = max_deletes
        return orjson.dumps(opts)

    def _run_sync(self, state: str, options: bytes, feeds: Iterable[Any],
                  cancel: Optional[threading.Event]) -> SyncReport:
        sync = ctypes.c_void_p(None)
        err = ErrorSlot()
        with self._lock:
            if self._closing:
                raise StateError("the client is closed", -13, 0)
            rc = int(lib.yespo_sync_begin(self._handle(), _args.text("state", state).encode("utf-8"),
                                          options, ctypes.byref(sync), err.ref))
        if rc != 0:
            raise err.exception(rc, "starting the sync")
        handle = sync.value
        assert handle is not None
        done = threading.Event()
        watcher: Optional[threading.Thread] = None
        if cancel is not None:
            def watch() -> None:
                while not done.is_set():
                    if cancel.wait(0.05):
                        lib.yespo_sync_cancel(handle)
                        return
            watcher = threading.Thread(target=watch, name="yespo-sync-cancel", daemon=True)
            watcher.start()
        try:
            for feed in feeds:
                if cancel is not None and cancel.is_set():
                    break
                ferr = ErrorSlot()
                frc = feed(handle, ferr)
                if frc != 0:
                    exc = ferr.exception(frc, "feeding the sync")
                    if exc.code != E_CANCELLED:
                        lib.yespo_sync_cancel(handle)
                        raise exc
                    break
            out = ctypes.c_void_p(None)
            ferr = ErrorSlot()
            frc = int(lib.yespo_sync_finish(handle, ctypes.byref(out), ferr.ref))
            if frc != 0:
                raise ferr.exception(frc, "finishing the sync")
            report = SyncReport(orjson.loads(take_string(out.value)))
        finally:
            done.set()
            if watcher is not None:
                watcher.join()
            lib.yespo_sync_free(handle)
        fatal = report.data.get("fatal")
        if isinstance(fatal, dict) and int(fatal.get("code", 0)) != E_CANCELLED:
            error = make_error(int(fatal.get("code", -15)), str(fatal.get("message", "")), int(fatal.get("status", 0)))
            setattr(error, "report", report)
            raise error
        return report


def option_tables_upsert_keywords() -> list[str]:
    return [row["python"] for row in option_tables()["upsert"] if row.get("python")]
