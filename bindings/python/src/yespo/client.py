"""``yespo.Client``: the Yespo contacts API over the libyespo core."""

from __future__ import annotations

import ctypes
import os
import threading
import time
import weakref
from typing import Any, Iterable, Iterator, Mapping, Optional, Union

import orjson

from . import _args
from ._ffi import ErrorSlot, call_no_out, call_out_string
from ._job import JobRun, ProgressCallback
from ._log import LOG_CALLBACK, core_max_level, logger
from ._native import lib
from ._rows import encode_one
from .errors import (
    E_CANCELLED,
    AuthenticationError,
    StateError,
    ValidationError,
    YespoError,
    YespoTimeoutError,
)
from .report import UpsertReport
from .types import ImportStatus, Segment

# Integer and string options of include/yespo.h (yespo_option).
_OPT_CONCURRENCY = 1
_OPT_RATE_LIMIT = 2
_OPT_CONNECT_TIMEOUT_MS = 3
_OPT_TIMEOUT_MS = 4
_OPT_STALL_TIMEOUT_MS = 5
_OPT_MAX_RETRIES = 6
_OPT_RETRY_BASE_MS = 7
_OPT_RETRY_MAX_MS = 8
_OPT_CHUNK_SIZE = 9
_OPT_CHUNK_BYTES = 10
_OPT_ALLOW_INSECURE_HTTP = 11
_OPT_VERIFY_TLS = 12
_OPT_MAX_QUEUED_CHUNKS = 13
_OPT_IMPORT_POLL_MS = 14
_OPT_IMPORT_TIMEOUT_MS = 15
_OPT_ADAPTIVE_CONCURRENCY = 16
_OPT_BASE_URL = 100
_OPT_USER_AGENT = 101
_OPT_CA_FILE = 102

DEFAULT_BASE_URL = "https://api.yespo.io/api/v1"
_PAGE_MAX = 500
# close() waits this long for running upserts to wind down after cancelling them.
_CLOSE_WAIT = 30.0
# Long waits run in slices so that Ctrl-C is seen between them (a ctypes call cannot be interrupted).
_WAIT_SLICE_MS = 5000

PathLike = Union[str, "os.PathLike[str]"]


def _json(value: Any, what: str) -> bytes:
    try:
        return encode_one(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what} cannot be encoded as JSON: {exc}") from None


class Client:
    """A client of the Yespo API. Safe to share between threads; use it as a context manager or
    call :meth:`close`.

    ``api_key`` defaults to the ``YESPO_API_KEY`` environment variable. Times are in seconds.
    Options left as ``None`` keep the library's defaults (see ``include/yespo.h``).
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        concurrency: Optional[int] = None,
        rate_limit: Optional[int] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        stall_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        retry_base: Optional[float] = None,
        retry_max: Optional[float] = None,
        chunk_size: Optional[int] = None,
        chunk_bytes: Optional[int] = None,
        max_queued_chunks: Optional[int] = None,
        adaptive_concurrency: Optional[bool] = None,
        import_poll_interval: Optional[float] = None,
        import_timeout: Optional[float] = None,
        allow_insecure_http: Optional[bool] = None,
        verify_tls: Optional[bool] = None,
        ca_file: Optional[PathLike] = None,
        user_agent: Optional[str] = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("YESPO_API_KEY")
        if key is None or (isinstance(key, str) and not key.strip()):
            raise AuthenticationError("no API key: pass api_key=... or set YESPO_API_KEY", -5, 0)
        _args.text("api_key", key)
        ptr = ctypes.c_void_p(None)
        err = ErrorSlot()
        rc = int(lib.yespo_client_new(key.encode("utf-8"), ctypes.byref(ptr), err.ref))
        del key, api_key  # keep the key out of frames and tracebacks
        if rc != 0:
            raise err.exception(rc, "creating the client")
        self._ptr: Optional[int] = ptr.value
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._jobs: set[JobRun] = set()
        self._closing = False
        self._finalizer = weakref.finalize(self, lib.yespo_client_free, ptr.value)
        self._log_level = 0
        self._base_url = DEFAULT_BASE_URL
        self._concurrency: Optional[int] = None
        self._import_timeout_ms = 1_200_000
        try:
            self._configure(
                base_url=base_url, concurrency=concurrency, rate_limit=rate_limit, timeout=timeout,
                connect_timeout=connect_timeout, stall_timeout=stall_timeout,
                max_retries=max_retries, retry_base=retry_base, retry_max=retry_max,
                chunk_size=chunk_size, chunk_bytes=chunk_bytes, max_queued_chunks=max_queued_chunks,
                adaptive_concurrency=adaptive_concurrency,
                import_poll_interval=import_poll_interval, import_timeout=import_timeout,
                allow_insecure_http=allow_insecure_http, verify_tls=verify_tls, ca_file=ca_file,
                user_agent=user_agent,
            )
            self._handle()  # installs the log callback
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def _handle(self) -> int:
        ptr = self._ptr
        if ptr is None:
            raise StateError("the client is closed", -13, 0)
        if core_max_level() != self._log_level:  # the app changed the yespo logger's level
            self._sync_log_level(ptr)
        return ptr

    def close(self) -> None:
        """Cancels running upserts (they still return their report, ``cancelled=True``), closes
        connections and frees the client. Idempotent; safe from any thread except a progress
        callback."""
        me = threading.get_ident()
        with self._idle:
            if self._ptr is None:
                return
            self._closing = True
            for run in self._jobs:
                run.cancel()
            # Let each upsert build its report before the client (and its jobs) go away.
            deadline = time.monotonic() + _CLOSE_WAIT
            while any(run.owner != me for run in self._jobs) and time.monotonic() < deadline:
                self._idle.wait(timeout=0.1)
            self._ptr = None
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else "open"
        extra = f", concurrency={self._concurrency}" if self._concurrency is not None else ""
        return f"<yespo.Client {state} base_url={self._base_url!r}{extra}>"

    def __reduce__(self) -> Any:
        raise TypeError("a yespo.Client cannot be pickled: create one in each process")

    # ------------------------------------------------------------------ settings

    def configure(self, **options: Any) -> None:
        """Changes settings (same names as the constructor) for requests and jobs started later."""
        self._configure(**options)

    def _configure(self, **options: Any) -> None:
        ints = {
            "concurrency": (_OPT_CONCURRENCY, 1, 256),
            "rate_limit": (_OPT_RATE_LIMIT, 0, 1_000_000),
            "max_retries": (_OPT_MAX_RETRIES, 0, 100),
            "chunk_size": (_OPT_CHUNK_SIZE, 1, 3000),
            "chunk_bytes": (_OPT_CHUNK_BYTES, 64 * 1024, _args.INT64_MAX),
            "max_queued_chunks": (_OPT_MAX_QUEUED_CHUNKS, 1, 1_000_000),
        }
        seconds = {
            "timeout": _OPT_TIMEOUT_MS,
            "connect_timeout": _OPT_CONNECT_TIMEOUT_MS,
            "stall_timeout": _OPT_STALL_TIMEOUT_MS,
            "retry_base": _OPT_RETRY_BASE_MS,
            "retry_max": _OPT_RETRY_MAX_MS,
            "import_poll_interval": _OPT_IMPORT_POLL_MS,
            "import_timeout": _OPT_IMPORT_TIMEOUT_MS,
        }
        bools = {
            "adaptive_concurrency": _OPT_ADAPTIVE_CONCURRENCY,
            "allow_insecure_http": _OPT_ALLOW_INSECURE_HTTP,
            "verify_tls": _OPT_VERIFY_TLS,
        }
        strings = {"base_url": _OPT_BASE_URL, "user_agent": _OPT_USER_AGENT, "ca_file": _OPT_CA_FILE}
        handle = self._handle()
        for name, value in options.items():
            if value is None:
                continue
            if name in ints:
                opt, lo, hi = ints[name]
                number = _args.integer(name, value, lo, hi)
            elif name in seconds:
                opt, number = seconds[name], _args.seconds_to_ms(name, value)
            elif name in bools:
                opt, number = bools[name], int(_args.boolean(name, value))
            elif name in strings:
                raw = _args.path(name, value) if name == "ca_file" else _args.text(name, value)
                call_no_out(lib.yespo_client_set_option_str, handle, strings[name], raw.encode("utf-8"),
                            context=f"setting {name}")
                if name == "base_url":
                    self._base_url = raw
                continue
            else:
                raise ValidationError(f"unknown client option {name!r}")
            call_no_out(lib.yespo_client_set_option, handle, opt, number, context=f"setting {name}")
            if name == "concurrency":
                self._concurrency = number
            elif name == "import_timeout":
                self._import_timeout_ms = number

    def _sync_log_level(self, ptr: int) -> None:
        """Asks the core for exactly the lines the ``yespo`` logger would emit now."""
        level = core_max_level()
        call_no_out(lib.yespo_client_set_log_callback, ptr, LOG_CALLBACK, level, None,
                    context="installing the log callback")
        self._log_level = level

    def stats(self) -> dict[str, int]:
        """Cumulative transport statistics: requests, retries, throttled, bytesSent, ..."""
        text = call_out_string(lib.yespo_client_stats, self._handle(), context="reading stats")
        result: dict[str, int] = orjson.loads(text)
        return result

    # ------------------------------------------------------------------ bulk upsert

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
        seconds and once at the end; ``p.cancel()`` or setting ``cancel`` stops the job.

        Ctrl-C cancels the job, waits for a clean report and re-raises ``KeyboardInterrupt`` with
        the report as its ``yespo_report`` attribute. A fatal error (the key refused, ...) is raised
        with the report as its ``report`` attribute.
        """
        rows = _args.contacts_iterable(contacts)
        _args.integer("batch_size", batch_size, 1, 1_000_000)
        if total is None and hasattr(contacts, "__len__"):
            try:
                total = len(contacts)  # type: ignore[arg-type]
            except TypeError:
                total = None
        options = self._upsert_options(
            dedupe_on=dedupe_on, field_id=field_id, contact_fields=contact_fields,
            custom_field_ids=custom_field_ids, group_names=group_names,
            group_names_exclude=group_names_exclude, restore_deleted=restore_deleted,
            event_key_for_new_contacts=event_key_for_new_contacts, wait=wait, validate=validate,
            dry_run=dry_run,
        )
        return self._run_job(options, progress, progress_interval, total, cancel,
                             lambda run: run.feed_rows(rows, batch_size))

    def upsert_file(
        self,
        path: PathLike,
        *,
        format: Optional[str] = None,
        columns: Optional[Mapping[str, str]] = None,
        delimiter: Optional[str] = None,
        dedupe_on: str = "email",
        field_id: Optional[int] = None,
        contact_fields: Optional[Iterable[str]] = None,
        custom_field_ids: Optional[Iterable[int]] = None,
        group_names: Optional[Iterable[str]] = None,
        group_names_exclude: Optional[Iterable[str]] = None,
        restore_deleted: Optional[bool] = None,
        event_key_for_new_contacts: Optional[str] = None,
        wait: bool = False,
        validate: bool = True,
        dry_run: bool = False,
        progress: Optional[ProgressCallback] = None,
        progress_interval: float = 0.5,
        cancel: Optional[threading.Event] = None,
    ) -> UpsertReport:
        """Upserts a CSV, NDJSON or JSON-array file, streamed by the core in bounded memory.

        ``format``: "csv" | "ndjson" | "json" (default: from the extension, else sniffed).
        ``columns``: extra CSV header → field mapping, e.g. ``{"E-mail": "email", "Score": "12345"}``.
        Other arguments as in :meth:`upsert_contacts`.
        """
        file_path = _args.path("path", path)
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
        options = self._upsert_options(
            dedupe_on=dedupe_on, field_id=field_id, contact_fields=contact_fields,
            custom_field_ids=custom_field_ids, group_names=group_names,
            group_names_exclude=group_names_exclude, restore_deleted=restore_deleted,
            event_key_for_new_contacts=event_key_for_new_contacts, wait=wait, validate=validate,
            dry_run=dry_run,
        )
        file_json = orjson.dumps(file_options) if file_options else None
        return self._run_job(options, progress, progress_interval, None, cancel,
                             lambda run: run.feed_file(file_path.encode("utf-8"), file_json))

    @staticmethod
    def _upsert_options(**kw: Any) -> bytes:
        opts: dict[str, Any] = {"dedupeOn": _args.dedupe_key(kw["dedupe_on"])}
        if kw["field_id"] is not None:
            opts["fieldId"] = _args.integer("field_id", kw["field_id"])
        if kw["contact_fields"] is not None:
            opts["contactFields"] = _args.string_list("contact_fields", kw["contact_fields"])
        if kw["custom_field_ids"] is not None:
            opts["customFieldsIDs"] = _args.int_list("custom_field_ids", kw["custom_field_ids"])
        if kw["group_names"] is not None:
            opts["groupNames"] = _args.string_list("group_names", kw["group_names"])
        if kw["group_names_exclude"] is not None:
            opts["groupNamesExclude"] = _args.string_list("group_names_exclude", kw["group_names_exclude"])
        if kw["restore_deleted"] is not None:
            opts["restoreDeleted"] = _args.boolean("restore_deleted", kw["restore_deleted"])
        if kw["event_key_for_new_contacts"] is not None:
            opts["eventKeyForNewContacts"] = _args.text("event_key_for_new_contacts",
                                                        kw["event_key_for_new_contacts"])
        opts["wait"] = _args.boolean("wait", kw["wait"])
        opts["validate"] = _args.boolean("validate", kw["validate"])
        opts["dryRun"] = _args.boolean("dry_run", kw["dry_run"])
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
                _attach(exc, report)
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

    # ------------------------------------------------------------------ single contacts

    def subscribe(self, contact: Any, *, groups: Optional[Iterable[str]] = None,
                  form_type: Optional[str] = None) -> int:
        """``POST /contact/subscribe``: a sign-up from a form (created unconfirmed). Returns its id."""
        request: dict[str, Any] = {"contact": _args.contact_object("contact", contact)}
        if groups is not None:
            request["groups"] = _args.string_list("groups", groups)
        if form_type is not None:
            request["formType"] = _args.text("form_type", form_type)
        text = call_out_string(lib.yespo_subscribe, self._handle(), _json(request, "the request"),
                               context="subscribe")
        return _id_of(text)

    def add_contact(self, contact: Any) -> int:
        """``POST /contact``: adds (or updates the matching) contact. Returns its id."""
        body = _json(_args.contact_object("contact", contact), "the contact")
        return _id_of(call_out_string(lib.yespo_contact_add, self._handle(), body, context="add_contact"))

    def update_contact(self, contact_id: int, contact: Any) -> None:
        """``PUT /contact/{id}``: updates an existing contact; :class:`NotFoundError` if none."""
        _args.integer("contact_id", contact_id, 1)
        body = _json(_args.contact_object("contact", contact), "the contact")
        call_no_out(lib.yespo_contact_update, self._handle(), contact_id, body,
                    context=f"update_contact({contact_id})")

    def get_contact(self, contact_id: int) -> dict[str, Any]:
        """``GET /contact/{id}``; :class:`NotFoundError` if there is none."""
        _args.integer("contact_id", contact_id, 1)
        text = call_out_string(lib.yespo_contact_get, self._handle(), contact_id,
                               context=f"get_contact({contact_id})")
        result: dict[str, Any] = orjson.loads(text)
        return result

    def delete_contact(self, contact_id: Optional[int] = None, *,
                       external_customer_id: Optional[str] = None, erase: bool = False) -> None:
        """Deletes a contact by Yespo id, or by ``external_customer_id`` (``erase=True``: GDPR
        erase, no restore possible)."""
        if (contact_id is None) == (external_customer_id is None):
            raise ValidationError("pass exactly one of contact_id or external_customer_id")
        if contact_id is not None:
            if erase:
                raise ValidationError("erase applies only to external_customer_id")
            _args.integer("contact_id", contact_id, 1)
            call_no_out(lib.yespo_contact_delete, self._handle(), contact_id,
                        context=f"delete_contact({contact_id})")
            return
        ext = _args.text("external_customer_id", external_customer_id)
        call_no_out(lib.yespo_contact_delete_external, self._handle(), ext.encode("utf-8"),
                    int(_args.boolean("erase", erase)), context="delete_contact(external_customer_id)")

    def search_contacts(
        self,
        *,
        email: Optional[str] = None,
        sms: Optional[str] = None,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        external_customer_id: Optional[str] = None,
        page_size: int = _PAGE_MAX,
        limit: Optional[int] = None,
    ) -> Iterator[dict[str, Any]]:
        """``GET /contacts``: a lazy iterator over every match, fetching ``page_size`` at a time."""
        query: dict[str, Any] = {}
        for key, value in (("email", email), ("sms", sms), ("firstname", first_name),
                           ("lastname", last_name), ("externalCustomerId", external_customer_id)):
            if value is not None:
                query[key] = _args.text(key, value)
        _args.integer("page_size", page_size, 1, _PAGE_MAX)
        if limit is not None:
            _args.integer("limit", limit, 0)
        return self._pages(lambda q: call_out_string(lib.yespo_contacts_search, self._handle(), q,
                                                     context="search_contacts"),
                           query, page_size, limit)

    def segment_contacts(self, segment_id: int, *, page_size: int = _PAGE_MAX,
                         limit: Optional[int] = None) -> Iterator[dict[str, Any]]:
        """``GET /group/{id}/contacts``: a lazy iterator over the segment's contacts."""
        _args.integer("segment_id", segment_id, 1)
        _args.integer("page_size", page_size, 1, _PAGE_MAX)
        return self._pages(lambda q: call_out_string(lib.yespo_segment_contacts, self._handle(), segment_id,
                                                     q, context=f"segment_contacts({segment_id})"),
                           {}, page_size, limit)

    @staticmethod
    def _pages(fetch: Any, query: dict[str, Any], page_size: int,
               limit: Optional[int]) -> Iterator[dict[str, Any]]:
        start, yielded = 1, 0
        while limit is None or yielded < limit:
            page = orjson.loads(fetch(orjson.dumps({**query, "startindex": start, "maxrows": page_size})))
            contacts = page.get("contacts") or []
            for contact in contacts:
                if limit is not None and yielded >= limit:
                    return
                yield contact
                yielded += 1
            start += len(contacts)
            total = page.get("totalCount")
            if len(contacts) < page_size or (isinstance(total, int) and start > total):
                return

    # ------------------------------------------------------------------ imports

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

    # ------------------------------------------------------------------ segments

    def list_segments(self, *, name: Optional[str] = None, page_size: int = _PAGE_MAX) -> list[Segment]:
        """``GET /groups``: every segment (optionally only those matching ``name``)."""
        _args.integer("page_size", page_size, 1, _PAGE_MAX)
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

    # ------------------------------------------------------------------ unsubscribed list

    def unsubscribe_emails(self, emails: Iterable[str]) -> None:
        """Adds emails to the account's unsubscribed list."""
        body = orjson.dumps(_args.string_list("emails", emails))
        call_no_out(lib.yespo_emails_unsubscribed, self._handle(), body, 1, context="unsubscribe_emails")

    def resubscribe_emails(self, emails: Iterable[str]) -> None:
        """Removes emails from the account's unsubscribed list."""
        body = orjson.dumps(_args.string_list("emails", emails))
        call_no_out(lib.yespo_emails_unsubscribed, self._handle(), body, 0, context="resubscribe_emails")


def _id_of(text: str) -> int:
    value = orjson.loads(text).get("id")
    return int(value)


def _attach(exc: BaseException, report: UpsertReport) -> None:
    try:
        if isinstance(exc, YespoError):
            exc.report = report
        else:
            setattr(exc, "yespo_report", report)
    except (AttributeError, TypeError):  # exceptions with __slots__ cannot carry it
        pass
