"""``yespo.AsyncClient``: the methods of :class:`yespo.Client` as coroutines, for asyncio code.

    async with yespo.AsyncClient(concurrency=8) as client:
        report = await client.upsert_contacts(rows)          # rows: an iterable or async iterable
        contact = await client.get_contact(report.rows_with("accepted").__next__().contact_id)

Upserts wait on the library from the event loop (its progress callback wakes the loop; see
``_ajob``), so the loop stays free while the core sends; cancelling the task cancels the job and
re-raises ``asyncio.CancelledError`` carrying the report (``exc.yespo_report``) once the job is
cleanly finished. Calls the C ABI only offers as blocking (single-contact calls, a feed, the end of
a job) run on a small pool of ``max_threads`` threads owned by the client and shared by all its
calls — never a thread per call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._sync import SyncReport

import asyncio
import concurrent.futures
import ctypes
import functools
import os
from typing import Any, AsyncIterable, AsyncIterator, Callable, Iterable, Mapping, Optional, TypeVar, Union

import orjson

from . import _args
from ._ajob import AsyncJobRun, AsyncProgressCallback, QueueShape
from ._base import PAGE_MAX, page_request, read_page
from ._contacts import search_query
from ._ffi import ErrorSlot, call_out_string
from ._native import lib
from ._kinds import kind_options, kind_rows
from ._upserts import UpsertMethods, attach_report, file_options_json
from .client import Client
from .dataframes import DEFAULT_BATCH_ROWS, FrameUpsertReport, is_frame, prepare_frame
from .errors import E_CANCELLED, StateError, ValidationError, YespoError, YespoTimeoutError
from .report import UpsertReport
from .types import ImportStatus, Segment

T = TypeVar("T")
PathLike = Union[str, "os.PathLike[str]"]

DEFAULT_MAX_THREADS = 4
_DEFAULT_CONCURRENCY = 8
_DEFAULT_CHUNK = 3000
_DEFAULT_IMPORT_POLL = 2.0


class AsyncClient:
    """A Yespo client for asyncio. Same constructor arguments as :class:`yespo.Client`, plus
    ``max_threads`` (default 4): the most threads it uses for blocking library calls at once.
    Use ``async with`` or ``await client.aclose()``."""

    def __init__(self, api_key: Optional[str] = None, *, max_threads: int = DEFAULT_MAX_THREADS,
                 **options: Any) -> None:
        _args.integer("max_threads", max_threads, 1, 1024)
        self._sync = Client(api_key, **options)
        del api_key
        self._lanes = concurrent.futures.ThreadPoolExecutor(max_workers=max_threads,
                                                            thread_name_prefix="yespo-async")
        self._settings: dict[str, Any] = {}
        self._remember(options)
        self._jobs: set[AsyncJobRun] = set()
        self._busy: set["concurrent.futures.Future[Any]"] = set()  # calls on a lane now
        self._closing = False

    # ------------------------------------------------------------------ lifecycle

    @property
    def sync(self) -> Client:
        """The underlying :class:`yespo.Client` (same pool, budget and statistics)."""
        return self._sync

    @property
    def closed(self) -> bool:
        return self._sync.closed

    async def aclose(self) -> None:
        """Cancels running upserts (each still returns or raises with its report), waits for
        them and for calls in progress, then frees the client. Idempotent."""
        if self._sync.closed:
            return
        self._closing = True
        for run in list(self._jobs):
            run.cancel()
        while self._jobs:
            await asyncio.sleep(0.01)
        # Calls already on a lane finish first (their C call cannot be interrupted).
        if self._busy:
            await asyncio.wait([asyncio.wrap_future(f) for f in list(self._busy)])
        closing = self._lanes.submit(self._sync.close)
        self._lanes.shutdown(wait=False)
        await asyncio.wrap_future(closing)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return repr(self._sync).replace("<yespo.Client", "<yespo.AsyncClient", 1)

    def __reduce__(self) -> Any:
        raise TypeError("a yespo.AsyncClient cannot be pickled: create one in each process")

    def configure(self, **options: Any) -> None:
        """Changes settings (same names as the constructor) for requests and jobs started later."""
        self._sync.configure(**options)
        self._remember(options)

    def _remember(self, options: Mapping[str, Any]) -> None:
        for key in ("concurrency", "chunk_size", "max_queued_chunks", "import_poll_interval"):
            if options.get(key) is not None:
                self._settings[key] = options[key]

    def stats(self) -> dict[str, int]:
        """Cumulative transport statistics (a local read; no request)."""
        return self._sync.stats()

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Runs one blocking call on a lane; the loop awaits its completion."""
        if self._closing or self._sync.closed:
            raise StateError("the client is closed", -13, 0)
        return await asyncio.wrap_future(self._submit(functools.partial(fn, *args, **kwargs)))

    def _submit(self, fn: Callable[..., T], *args: Any) -> "concurrent.futures.Future[T]":
        call = self._lanes.submit(fn, *args)
        self._busy.add(call)
        call.add_done_callback(self._busy.discard)
        return call

    # ------------------------------------------------------------------ bulk upserts

    async def upsert_contacts(
        self,
        contacts: Union[Iterable[Any], AsyncIterable[Any]],
        *,
        columns: Optional[Mapping[Any, Any]] = None,
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
        progress: Optional[AsyncProgressCallback] = None,
        progress_interval: float = 0.5,
        batch_size: int = 5000,
        total: Optional[int] = None,
    ) -> UpsertReport:
        """:meth:`yespo.Client.upsert_contacts` for asyncio: ``contacts`` may also be an async
        iterable (read lazily, ``batch_size`` rows at a time) or a DataFrame / Arrow table (see
        :meth:`upsert_dataframe`). ``progress`` is called in the event loop. Cancel the task to
        stop the job: ``CancelledError`` is re-raised with ``yespo_report`` attached."""
        options: dict[str, Any] = dict(dedupe_on=dedupe_on, field_id=field_id, contact_fields=contact_fields,
                       custom_field_ids=custom_field_ids, group_names=group_names,
                       group_names_exclude=group_names_exclude, restore_deleted=restore_deleted,
                       event_key_for_new_contacts=event_key_for_new_contacts, wait=wait, ack_on=ack_on,
                       validate=validate, dry_run=dry_run)
        if is_frame(contacts):
            return await self.upsert_dataframe(contacts, columns=columns, progress=progress,
                                               progress_interval=progress_interval, **options)
        if columns is not None:
            raise ValidationError("columns= applies to DataFrames and Arrow tables only")
        _args.integer("batch_size", batch_size, 1, 1_000_000)
        input_len = len(contacts) if isinstance(contacts, (list, tuple)) else None
        if total is None and input_len is not None:
            total = input_len
        if isinstance(contacts, AsyncIterable):
            source: Any = contacts
        else:
            source = _args.contacts_iterable(contacts)

        return await self._run_job(UpsertMethods._upsert_options(**options), progress, progress_interval,
                                   total, _rows_feeder(source, batch_size, input_len))

    async def upsert_orders(self, orders: Iterable[Any], *, validate: bool = True, dry_run: bool = False,
                            progress: Optional[AsyncProgressCallback] = None, progress_interval: float = 0.5,
                            batch_size: int = 5000) -> UpsertReport:
        """:meth:`yespo.Client.upsert_orders` for asyncio."""
        return await self._kind_rows("orders", orders, validate, dry_run, progress, progress_interval, batch_size)

    async def upsert_events(self, events: Iterable[Any], *, validate: bool = True, dry_run: bool = False,
                            progress: Optional[AsyncProgressCallback] = None, progress_interval: float = 0.5,
                            batch_size: int = 5000) -> UpsertReport:
        """:meth:`yespo.Client.upsert_events` for asyncio."""
        return await self._kind_rows("events", events, validate, dry_run, progress, progress_interval, batch_size)

    async def upsert_orders_file(self, path: PathLike, *, format: Optional[str] = None,
                                 columns: Optional[Mapping[str, str]] = None, delimiter: Optional[str] = None,
                                 validate: bool = True, dry_run: bool = False,
                                 progress: Optional[AsyncProgressCallback] = None,
                                 progress_interval: float = 0.5) -> UpsertReport:
        """:meth:`yespo.Client.upsert_orders_file` for asyncio."""
        return await self._kind_file("orders", path, file_options_json(format, columns, delimiter, None),
                                     validate, dry_run, progress, progress_interval)

    async def upsert_events_file(self, path: PathLike, *, format: Optional[str] = None,
                                 columns: Optional[Mapping[str, str]] = None, delimiter: Optional[str] = None,
                                 validate: bool = True, dry_run: bool = False,
                                 progress: Optional[AsyncProgressCallback] = None,
                                 progress_interval: float = 0.5) -> UpsertReport:
        """:meth:`yespo.Client.upsert_events_file` for asyncio."""
        return await self._kind_file("events", path, file_options_json(format, columns, delimiter, None),
                                     validate, dry_run, progress, progress_interval)

    async def _kind_rows(self, kind: str, rows: Iterable[Any], validate: bool, dry_run: bool,
                         progress: Optional[AsyncProgressCallback], progress_interval: float,
                         batch_size: int) -> UpsertReport:
        _args.integer("batch_size", batch_size, 1, 1_000_000)
        total = len(rows) if isinstance(rows, (list, tuple)) else None
        source = kind_rows(rows, kind)
        return await self._run_job(kind_options(kind, validate, dry_run), progress, progress_interval, total,
                                   _rows_feeder(source, batch_size, total))

    async def _kind_file(self, kind: str, path: PathLike, file_json: Optional[bytes], validate: bool, dry_run: bool,
                         progress: Optional[AsyncProgressCallback], progress_interval: float) -> UpsertReport:
        file_path = _args.path("path", path)

        async def feed(run: AsyncJobRun) -> None:
            await run.feed("file", file_path.encode("utf-8"), 0, file_json)
            run.input_exhausted = True

        return await self._run_job(kind_options(kind, validate, dry_run), progress, progress_interval, None, feed)

    async def upsert_dataframe(
        self,
        frame: Any,
        *,
        columns: Optional[Mapping[Any, Any]] = None,
        progress: Optional[AsyncProgressCallback] = None,
        progress_interval: float = 0.5,
        batch_size: int = DEFAULT_BATCH_ROWS,
        **options: Any,
    ) -> FrameUpsertReport:
        """:meth:`yespo.Client.upsert_dataframe` for asyncio; each batch is converted on a lane,
        not in the event loop. Options as :meth:`upsert_contacts`."""
        _args.integer("batch_size", batch_size, 1, 100_000_000)
        prepared = prepare_frame(frame, columns)
        encoded = UpsertMethods._upsert_options(**_defaults(options))

        async def feed(run: AsyncJobRun) -> None:
            run.input_len = prepared.rows
            size = run.batch_rows(batch_size)
            for offset in range(0, prepared.rows, size):
                rows = min(size, prepared.rows - offset)
                await run.room(rows)
                if not run.accepting:
                    return
                await run.feed("frame", functools.partial(prepared.encode, offset, size), rows)
            run.input_exhausted = True

        try:
            report = await self._run_job(encoded, progress, progress_interval, prepared.rows, feed)
        except BaseException as exc:
            attached = exc.report if isinstance(exc, YespoError) else getattr(exc, "yespo_report", None)
            if isinstance(attached, UpsertReport):
                attach_report(exc, FrameUpsertReport.wrap(attached, prepared))
            raise
        return FrameUpsertReport.wrap(report, prepared)

    async def upsert_file(
        self,
        path: PathLike,
        *,
        format: Optional[str] = None,
        columns: Optional[Mapping[str, str]] = None,
        delimiter: Optional[str] = None,
        progress: Optional[AsyncProgressCallback] = None,
        progress_interval: float = 0.5,
        **options: Any,
    ) -> UpsertReport:
        """:meth:`yespo.Client.upsert_file` for asyncio. The core streams the file in one feed
        call, which holds one lane for the length of the upsert."""
        file_path = _args.path("path", path)
        file_json = file_options_json(format, columns, delimiter, None)
        encoded = UpsertMethods._upsert_options(**_defaults(options))

        async def feed(run: AsyncJobRun) -> None:
            await run.feed("file", file_path.encode("utf-8"), 0, file_json)
            run.input_exhausted = True

        return await self._run_job(encoded, progress, progress_interval, None, feed)

    async def _run_job(self, options: bytes, progress: Optional[AsyncProgressCallback],
                       progress_interval: float, total: Optional[int],
                       feed: Callable[[AsyncJobRun], Any]) -> UpsertReport:
        if progress is not None and not callable(progress):
            raise ValidationError("progress must be callable (it gets a yespo.Progress)")
        _args.seconds_to_ms("progress_interval", progress_interval, 10)
        if self._closing:
            raise StateError("the client is closed", -13, 0)
        job = ctypes.c_void_p(None)
        err = ErrorSlot()
        rc = int(lib.yespo_upsert_begin(self._sync._handle(), options, ctypes.byref(job), err.ref))
        if rc != 0:
            raise err.exception(rc, "starting the upsert")
        assert job.value is not None
        concurrency = int(self._settings.get("concurrency") or _DEFAULT_CONCURRENCY)
        shape = QueueShape(int(self._settings.get("chunk_size") or _DEFAULT_CHUNK),
                           int(self._settings.get("max_queued_chunks") or 2 * concurrency))
        try:
            run = AsyncJobRun(job.value, self._submit, shape, progress, progress_interval, total)
        except BaseException:
            lib.yespo_job_free(job.value)
            raise
        self._jobs.add(run)
        try:
            try:
                await feed(run)
                report = await run.finish()
            except BaseException as exc:
                report = await run.abort()
                attach_report(exc, report)
                raise
            run.final_progress(report)
        finally:
            run.free()
            self._jobs.discard(run)
        fatal = report.fatal
        if fatal is not None and fatal.code != E_CANCELLED:
            fatal.report = report
            raise fatal
        return report

    # ------------------------------------------------------------------ single calls

    async def sync_file(self, path: Any, *, state: str, **options: Any) -> "SyncReport":
        """:meth:`yespo.Client.sync_file` on the client's pool (the sync's store and its job run
        there; the event loop stays free). Options as there."""
        return await self._call(self._sync.sync_file, path, state=state, **options)

    async def sync_contacts(self, contacts: Iterable[Any], *, state: str, **options: Any) -> "SyncReport":
        """:meth:`yespo.Client.sync_contacts` on the client's pool. A synchronous iterable only:
        it is read on the pool's thread."""
        return await self._call(self._sync.sync_contacts, contacts, state=state, **options)

    async def subscribe(self, contact: Any, *, groups: Optional[Iterable[str]] = None,
                        form_type: Optional[str] = None) -> int:
        return await self._call(self._sync.subscribe, contact, groups=groups, form_type=form_type)

    async def add_contact(self, contact: Any) -> int:
        return await self._call(self._sync.add_contact, contact)

    async def update_contact(self, contact_id: int, contact: Any) -> None:
        await self._call(self._sync.update_contact, contact_id, contact)

    async def get_contact(self, contact_id: int) -> dict[str, Any]:
        return await self._call(self._sync.get_contact, contact_id)

    async def delete_contact(self, contact_id: Optional[int] = None, *,
                             external_customer_id: Optional[str] = None, erase: bool = False) -> None:
        await self._call(self._sync.delete_contact, contact_id,
                         external_customer_id=external_customer_id, erase=erase)

    def search_contacts(
        self,
        *,
        email: Optional[str] = None,
        sms: Optional[str] = None,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        external_customer_id: Optional[str] = None,
        page_size: int = PAGE_MAX,
        limit: Optional[int] = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """``GET /contacts``: an async iterator over every match, a page at a time."""
        query = search_query(email, sms, first_name, last_name, external_customer_id, page_size, limit)
        return self._pages(lambda q: call_out_string(lib.yespo_contacts_search, self._sync._handle(), q,
                                                     context="search_contacts"), query, page_size, limit)

    def segment_contacts(self, segment_id: int, *, page_size: int = PAGE_MAX,
                         limit: Optional[int] = None) -> AsyncIterator[dict[str, Any]]:
        """``GET /group/{id}/contacts``: an async iterator over the segment's contacts."""
        _args.integer("segment_id", segment_id, 1)
        _args.integer("page_size", page_size, 1, PAGE_MAX)
        return self._pages(lambda q: call_out_string(lib.yespo_segment_contacts, self._sync._handle(),
                                                     segment_id, q, context=f"segment_contacts({segment_id})"),
                           {}, page_size, limit)

    async def _pages(self, fetch: Callable[[bytes], str], query: dict[str, Any], page_size: int,
                     limit: Optional[int]) -> AsyncIterator[dict[str, Any]]:
        start, yielded = 1, 0
        while limit is None or yielded < limit:
            contacts, last = read_page(await self._call(fetch, page_request(query, start, page_size)), start, page_size)
            for contact in contacts:
                if limit is not None and yielded >= limit:
                    return
                yield contact
                yielded += 1
            start += len(contacts)
            if last:
                return

    async def unsubscribe_emails(self, emails: Iterable[str]) -> None:
        await self._call(self._sync.unsubscribe_emails, list(emails))

    async def resubscribe_emails(self, emails: Iterable[str]) -> None:
        await self._call(self._sync.resubscribe_emails, list(emails))

    async def send_event(self, event: Any, *, key_value: Optional[str] = None, params: Any = None) -> None:
        await self._call(self._sync.send_event, event, key_value=key_value, params=params)

    async def delete_orders(self, *, external_order_id: Optional[str] = None, start: Any = None,
                            end: Any = None) -> None:
        await self._call(self._sync.delete_orders, external_order_id=external_order_id, start=start, end=end)

    async def message_email(self, request: Any) -> Any:
        return await self._call(self._sync.message_email, request)

    async def message_sms(self, request: Any) -> Any:
        return await self._call(self._sync.message_sms, request)

    async def message_send(self, message_id: int, request: Any) -> Any:
        return await self._call(self._sync.message_send, message_id, request)

    async def send_email(self, emails: Iterable[str], **kwargs: Any) -> Any:
        return await self._call(self._sync.send_email, list(emails), **kwargs)

    async def send_sms(self, phone_numbers: Iterable[str], **kwargs: Any) -> Any:
        return await self._call(self._sync.send_sms, list(phone_numbers), **kwargs)

    async def send_prepared_message(self, message_id: int, recipients: Iterable[str], **kwargs: Any) -> Any:
        return await self._call(self._sync.send_prepared_message, message_id, list(recipients), **kwargs)

    async def import_status(self, session_id: str) -> ImportStatus:
        return await self._call(self._sync.import_status, session_id)

    async def wait_for_import(self, session_id: str, timeout: Optional[float] = None) -> ImportStatus:
        """Polls the import until FINISHED or ERROR, sleeping in the event loop between polls
        (the client's ``import_poll_interval``); :class:`YespoTimeoutError` after ``timeout``
        seconds (default: the client's ``import_timeout``)."""
        _args.text("session_id", session_id)
        limit = self._sync._import_timeout_ms / 1000 if timeout is None else \
            _args.seconds_to_ms("timeout", timeout) / 1000
        poll = float(self._settings.get("import_poll_interval") or _DEFAULT_IMPORT_POLL)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            status = await self.import_status(session_id)
            if status.finished or status.failed:
                return status
            left = deadline - loop.time()
            if left <= 0:
                raise YespoTimeoutError(f"wait_for_import({session_id}): the import was still "
                                        f"{status.status} after {limit:g} s", -10, 0)
            await asyncio.sleep(min(poll, left))

    async def upload_from_url(self, url: str, **options: Any) -> str:
        return await self._call(self._sync.upload_from_url, url, **options)

    async def list_segments(self, *, name: Optional[str] = None, page_size: int = PAGE_MAX) -> list[Segment]:
        return await self._call(self._sync.list_segments, name=name, page_size=page_size)

    async def attach_to_segment(self, segment_id: int, *, contact_ids: Optional[Iterable[int]] = None,
                                external_customer_ids: Optional[Iterable[str]] = None) -> None:
        await self._call(self._sync.attach_to_segment, segment_id, contact_ids=_listed(contact_ids),
                         external_customer_ids=_listed(external_customer_ids))

    async def detach_from_segment(self, segment_id: int, *, contact_ids: Optional[Iterable[int]] = None,
                                  external_customer_ids: Optional[Iterable[str]] = None,
                                  all_contacts: bool = False) -> None:
        await self._call(self._sync.detach_from_segment, segment_id, contact_ids=_listed(contact_ids),
                         external_customer_ids=_listed(external_customer_ids), all_contacts=all_contacts)


def _listed(values: Optional[Iterable[T]]) -> Optional[list[T]]:
    """Lazy iterables are read in the loop's thread, never on a lane."""
    return None if values is None or isinstance(values, (str, bytes)) else list(values)


_UPSERT_DEFAULTS: dict[str, Any] = dict(
    dedupe_on="email", field_id=None, contact_fields=None, custom_field_ids=None, group_names=None,
    group_names_exclude=None, restore_deleted=None, event_key_for_new_contacts=None, wait=False,
    ack_on="accepted", validate=True, dry_run=False)


def _defaults(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(options) - set(_UPSERT_DEFAULTS)
    if unknown:
        raise ValidationError(f"unknown upsert option(s): {', '.join(sorted(unknown))}")
    return {**_UPSERT_DEFAULTS, **options}


async def _batches(source: Any, size: int, run: AsyncJobRun) -> AsyncIterator[list[Any]]:
    """Lists of ``size`` rows from an iterable or an async iterable, read only while the job
    takes input (no row is read after a stop)."""
    if isinstance(source, AsyncIterable):
        batch: list[Any] = []
        async for row in source:
            batch.append(row)
            if len(batch) >= size:
                yield batch
                batch = []
                if not run.accepting:
                    return
        if batch:
            yield batch
        return
    iterator = iter(source)
    while run.accepting:
        batch = []
        for row in iterator:
            batch.append(row)
            if len(batch) >= size:
                break
        if not batch:
            return
        yield batch


def _rows_feeder(source: Any, batch_size: int, input_len: Optional[int]) -> Callable[[AsyncJobRun], Any]:
    """The feed of a job over (async) iterable rows, ``batch_size`` at a time, as room allows."""
    async def feed(run: AsyncJobRun) -> None:
        run.input_len = input_len
        size = run.batch_rows(batch_size)
        async for batch in _batches(source, size, run):
            await run.room(len(batch))
            if not run.accepting:
                run.rows_read += len(batch)  # read, never handed over: reported unfed
                return
            await run.feed("rows", batch, len(batch))
        run.input_exhausted = run.accepting  # else the loop ended because the job stopped
    return feed
