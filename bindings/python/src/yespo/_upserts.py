"""Bulk upserts: :meth:`Client.upsert_contacts` and :meth:`Client.upsert_file`."""

from __future__ import annotations

import ctypes
import functools
import inspect
import os
import threading
from typing import Any, Iterable, Mapping, Optional, Union

import orjson

from . import _args
from ._options import upsert_options
from ._base import ClientBase
from ._ffi import ErrorSlot
from ._job import JobRun, ProgressCallback
from ._log import logger
from ._native import lib
from .errors import E_CANCELLED, StateError, ValidationError, YespoError
from .report import UpsertReport

PathLike = Union[str, "os.PathLike[str]"]


class UpsertMethods(ClientBase):
    def upsert_contacts(
        self,
        contacts: Iterable[Any],
        *,
        dedupe_on: str = "email",
        field_id: Optional[int] = None,
        contact_fields: Optional[Iterable[str]] = None,
        custom_field_ids: Optional[Iterable[int]] = None,
        group_names: Optional[Iterable[str]] = None,
        group_names_exclude: Optional[Iterable[str]] = None,
        restore_deleted: Optional[bool] = None,
        event_key_for_new_contacts: Optional[str] = None,
        wait: bool = False,
        ack_on: str = "accepted",
        validate: bool = True,
        dry_run: bool = False,
        progress: Optional[ProgressCallback] = None,
        progress_interval: float = 0.5,
        cancel: Optional[threading.Event] = None,
        batch_size: int = 5000,
        total: Optional[int] = None,
    ) -> UpsertReport:
        """Adds or updates contacts in bulk (``POST /contacts`` in parallel chunks of ≤ 3000).

        ``contacts`` is any iterable of dicts (or dataclasses / TypedDicts) in the API's contact
        shape, read lazily ``batch_size`` rows at a time. Every row gets exactly one outcome in the
        returned report. ``progress(p)`` is called in this thread every ``progress_interval``
        seconds and once at the end; ``p.cancel()`` or setting ``cancel`` stops the job (no
        further row is read from ``contacts`` after the stop is seen).

        Rows of the same contact (sharing an email, phone or externalCustomerId) end as if
        imported one by one in input order: a later row waits until the earlier one is done.
        ``ack_on`` says when that is: ``"accepted"`` (default) when its request got HTTP 200,
        ``"finished"`` when its import session reported FINISHED (this waits for the imports
        like ``wait=True`` and attaches contact ids).

        Ctrl-C cancels the job, waits for a clean report and re-raises ``KeyboardInterrupt`` with
        the report as its ``yespo_report`` attribute. A fatal error (the key refused, ...) is raised
        with the report as its ``report`` attribute.
        """
        rows = _args.contacts_iterable(contacts)
        _args.integer("batch_size", batch_size, 1, 1_000_000)
        # A list or tuple is given whole: if the job stops early, its unread rows are reported
        # (unfed, not sent) as well. Other iterables count only the rows read from them.
        input_len = len(contacts) if isinstance(contacts, (list, tuple)) else None
        if total is None and hasattr(contacts, "__len__"):
            try:
                total = len(contacts)  # type: ignore[arg-type]
            except TypeError:
                total = None
        options = self._upsert_options(
            dedupe_on=dedupe_on, field_id=field_id, contact_fields=contact_fields,
            custom_field_ids=custom_field_ids, group_names=group_names,
            group_names_exclude=group_names_exclude, restore_deleted=restore_deleted,
            event_key_for_new_contacts=event_key_for_new_contacts, wait=wait, ack_on=ack_on,
            validate=validate, dry_run=dry_run,
        )
        return self._run_job(options, progress, progress_interval, total, cancel,
                             lambda run: run.feed_rows(rows, batch_size, input_len))

    def upsert_file(
        self,
        path: PathLike,
        *,
        format: Optional[str] = None,
        columns: Optional[Mapping[str, str]] = None,
        delimiter: Optional[str] = None,
        encoding: Optional[str] = None,
        dedupe_on: str = "email",
        field_id: Optional[int] = None,
        contact_fields: Optional[Iterable[str]] = None,
        custom_field_ids: Optional[Iterable[int]] = None,
        group_names: Optional[Iterable[str]] = None,
        group_names_exclude: Optional[Iterable[str]] = None,
        restore_deleted: Optional[bool] = None,
        event_key_for_new_contacts: Optional[str] = None,
        wait: bool = False,
        ack_on: str = "accepted",
        validate: bool = True,
        dry_run: bool = False,
        progress: Optional[ProgressCallback] = None,
        progress_interval: float = 0.5,
        cancel: Optional[threading.Event] = None,
    ) -> UpsertReport:
        """Upserts a CSV, NDJSON or JSON-array file, streamed by the core in bounded memory.

        ``format``: "csv" | "ndjson" | "json" (default: from the extension, else sniffed).
        ``columns``: extra CSV header → field mapping, e.g. ``{"Tier": "12345"}`` (common headers such
        as "E-mail address", "Mobile" or "Surname" are recognised without one).
        ``delimiter``: default sniffed from the header line (``,`` ``;`` tab ``|``).
        ``encoding``: for files that are not UTF-8: "windows-1251", "windows-1252", "latin-1",
        "utf-16" (converted while streaming; a byte order mark always wins).
        Other arguments as in :meth:`upsert_contacts`.
        """
        file_path = _args.path("path", path)
        file_json = file_options_json(format, columns, delimiter, encoding)
        options = self._upsert_options(
            dedupe_on=dedupe_on, field_id=field_id, contact_fields=contact_fields,
            custom_field_ids=custom_field_ids, group_names=group_names,
            group_names_exclude=group_names_exclude, restore_deleted=restore_deleted,
            event_key_for_new_contacts=event_key_for_new_contacts, wait=wait, ack_on=ack_on,
            validate=validate, dry_run=dry_run,
        )
        return self._run_job(options, progress, progress_interval, None, cancel,
                             lambda run: run.feed_file(file_path.encode("utf-8"), file_json))

    @staticmethod
    def _upsert_options(**kw: Any) -> bytes:
        """The job's options JSON: each keyword goes under its key of the library's bulk option
        table, checked by the table's type — so a new bulk option needs only its keyword here."""
        opts: dict[str, Any] = {}
        for name, row in upsert_options().items():
            value = kw.get(name)
            # "kind" is chosen by the method (upsert_orders, upsert_events), never a keyword here.
            if name == "kind" or (value is None and name in _optional_keywords()):
                continue
            kind = row["type"]
            if kind == "enum":
                value = _args.dedupe_key(value) if name == "dedupe_on" else (
                    _args.ack_on(value) if name == "ack_on" else _args.text(name, value))
            elif kind == "boolean":
                value = _args.boolean(name, value)
            elif kind == "integer":
                value = _args.integer(name, value)
            elif kind == "strings":
                value = _args.string_list(name, value)
            elif kind == "integers":
                value = _args.int_list(name, value)
            else:
                value = _args.text(name, value)
            opts[row["key"]] = value
        unknown = set(kw) - set(upsert_options()) | ({"kind"} & set(kw))
        if unknown:
            raise ValidationError(f"unknown upsert option(s): {', '.join(sorted(unknown))}")
        return orjson.dumps(opts)

    def _run_job(
        self,
        options: bytes,
        progress: Optional[ProgressCallback],
        progress_interval: float,
        total: Optional[int],
        cancel: Optional[threading.Event],
        feed: Any,
    ) -> UpsertReport:
        if progress is not None and not callable(progress):
            raise ValidationError("progress must be callable (it gets a yespo.Progress)")
        _args.seconds_to_ms("progress_interval", progress_interval, 10)
        job = ctypes.c_void_p(None)
        err = ErrorSlot()
        with self._lock:
            if self._closing:
                raise StateError("the client is closed", -13, 0)
            rc = int(lib.yespo_upsert_begin(self._handle(), options, ctypes.byref(job), err.ref))
        if rc != 0:
            raise err.exception(rc, "starting the upsert")
        assert job.value is not None
        run: Optional[JobRun] = None
        try:
            run = JobRun(job.value, progress, progress_interval, total, cancel)
            with self._lock:
                self._jobs.add(run)
                if self._closing:  # close() ran between begin and here
                    run.cancel()
            try:
                feed(run)
                report = run.finish()
            except BaseException as exc:
                report = run.abort()
                attach_report(exc, report)
                if isinstance(exc, KeyboardInterrupt):
                    logger.warning("upsert interrupted: %r", report)
                raise
            run.final_progress(report)
        finally:
            if run is not None:
                run.join_quietly()
                with self._idle:
                    self._jobs.discard(run)
                    self._idle.notify_all()
            lib.yespo_job_free(job.value)
        fatal = report.fatal
        if fatal is not None and fatal.code != E_CANCELLED:
            fatal.report = report
            raise fatal
        return report


def file_options_json(format: Optional[str], columns: Optional[Mapping[str, str]], delimiter: Optional[str],
                      encoding: Optional[str]) -> Optional[bytes]:
    """The file options of ``yespo_job_feed_file`` (None when all are defaults)."""
    file_options: dict[str, Any] = {}
    if format is not None:
        if format not in ("csv", "ndjson", "json"):
            raise ValidationError(f"format must be 'csv', 'ndjson' or 'json', got {format!r}")
        file_options["format"] = format
    if columns is not None:
        if not isinstance(columns, Mapping):
            raise ValidationError(f"columns must be a dict of CSV header -> field, not {type(columns).__name__}")
        file_options["columns"] = {_args.text("columns key", k): _args.text(f"columns[{k!r}]", v)
                                   for k, v in columns.items()}
    if delimiter is not None:
        if not isinstance(delimiter, str) or len(delimiter) != 1:
            raise ValidationError("delimiter must be a single character")
        file_options["delimiter"] = delimiter
    if encoding is not None:
        file_options["encoding"] = _args.text("encoding", encoding)
    return orjson.dumps(file_options) if file_options else None


def attach_report(exc: BaseException, report: UpsertReport) -> None:
    try:
        if isinstance(exc, YespoError):
            exc.report = report
        else:
            setattr(exc, "yespo_report", report)
    except (AttributeError, TypeError):  # exceptions with __slots__ cannot carry it
        pass


@functools.lru_cache(maxsize=1)
def _optional_keywords() -> frozenset[str]:
    """Keywords whose default is None ("not given"): the others are checked even when None."""
    params = inspect.signature(UpsertMethods.upsert_contacts).parameters
    return frozenset(name for name, p in params.items() if p.default is None)
