"""One bulk upsert job driven from an asyncio event loop (:class:`yespo.AsyncClient`).

The loop never blocks on the library, and no thread is started for the job:
- the job's progress callback (the library's per-job callback thread, every 20 ms and once at the
  end) hands each snapshot to the loop with ``loop.call_soon_threadsafe``; the loop keeps the last
  one and wakes the upsert coroutine;
- a batch is fed only when that snapshot says the job's queue has room for it, so the feed call
  returns as soon as the core has parsed the batch (no backpressure wait). The feed, and the final
  ``yespo_job_finish`` (which waits for the last answers), run on one of the client's few shared
  "lane" threads, whose completion the loop awaits;
- cancelling the awaiting task cancels the job (``yespo_job_cancel`` is non-blocking), lets the
  call in progress return, finishes the job and re-raises ``CancelledError`` with the report.

Why lanes at all: the C ABI has no non-blocking way to end a job's input — ``yespo_job_finish``
both closes the input and waits for the last chunk's answer — and its single calls are
synchronous. See ``docs/python-usage.md`` for the small ABI addition that would remove them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from typing import Any, Callable, Optional

import orjson

from ._ffi import ErrorSlot
from ._job import build_report, finish_native_job
from ._native import PROGRESS_FN, lib
from .errors import E_CANCELLED, InternalError, YespoError
from .report import Progress, PythonInvalidRow, UpsertReport, _ReportHandle

AsyncProgressCallback = Callable[[Progress], Any]

_ENGINE_INTERVAL_MS = 20  # how often the library reports progress to the loop
_STALL_VALVE = 5.0  # seconds without any change before a batch is fed regardless of the estimate


class QueueShape:
    """What the room estimate needs to know of the client's settings when the job began."""

    def __init__(self, chunk_rows: int, max_queued_chunks: int) -> None:
        self.chunk_rows = max(1, chunk_rows)
        self.capacity = max(1, max_queued_chunks) * self.chunk_rows
        # Rows the job holds outside its queue: the chunk being filled, rows held for write order.
        self.outside = self.chunk_rows + max(self.chunk_rows, 1000)

    def batch_rows(self, wanted: int) -> int:
        """Batches of at most half the queue, so that a fed batch never has to wait for room."""
        return max(1, min(wanted, max(self.chunk_rows, self.capacity // 2)))


class AsyncJobRun:
    def __init__(
        self,
        job: int,
        submit: Callable[..., "concurrent.futures.Future[Any]"],
        shape: QueueShape,
        progress: Optional[AsyncProgressCallback],
        progress_interval: float,
        total: Optional[int],
    ) -> None:
        self._job = job
        self._submit = submit  # runs a blocking call on one of the client's lanes
        self._shape = shape
        self._loop = asyncio.get_running_loop()
        self._progress = progress
        self._interval = max(0.01, progress_interval)
        self._total = total
        self._last_progress = 0.0
        self._wake = asyncio.Event()
        self._snapshot: dict[str, Any] = {}
        self._changed_at = time.monotonic()
        self._callback_error: Optional[BaseException] = None
        self._stopped = False  # a feed returned: the job takes no more input
        self._cancel_requested = False
        self._feed_error: Optional[YespoError] = None
        self._finish_error: Optional[YespoError] = None
        self._finished = False
        self._report_ptr: Optional[int] = None
        self._summary: dict[str, Any] = {}
        self._lane_call: Optional["concurrent.futures.Future[Any]"] = None
        self.rows_read = 0
        self.input_len: Optional[int] = None
        self.input_exhausted = False
        self.python_invalid: dict[int, PythonInvalidRow] = {}
        # Kept referenced until the job is freed: the library calls it until finish returns.
        self._c_progress: Any = PROGRESS_FN(self._from_engine)
        err = ErrorSlot()
        rc = int(lib.yespo_job_set_progress_callback(job, self._c_progress, _ENGINE_INTERVAL_MS, None, err.ref))
        err.check(rc, "installing the progress callback")

    # ------------------------------------------------------------------ engine → loop

    def _from_engine(self, text: Optional[bytes], _userdata: Any) -> None:
        """The library's callback thread: hand the snapshot to the loop, never raise."""
        try:
            self._loop.call_soon_threadsafe(self._on_progress, text or b"")
        except BaseException:  # the loop is closed: nobody is waiting any more
            pass

    def _on_progress(self, text: bytes) -> None:
        """In the loop: keep the snapshot, wake the upsert, call the user's progress callback."""
        try:
            snapshot = orjson.loads(text)
        except orjson.JSONDecodeError:
            return
        if _counts(snapshot) != _counts(self._snapshot):
            self._changed_at = time.monotonic()
        self._snapshot = snapshot
        self._wake.set()
        if self._progress is None or snapshot.get("done") or self._callback_error is not None:
            return
        now = time.monotonic()
        if now - self._last_progress < self._interval:
            return
        self._last_progress = now
        try:
            self._progress(Progress.from_json(snapshot, self._total, self.cancel))
        except BaseException as exc:  # raised in the upsert's task, which then cancels the job
            self._callback_error = exc
            self.cancel()

    # ------------------------------------------------------------------ feeding

    def cancel(self) -> None:
        """Stops the job (non-blocking): nothing more is sent, unsent rows become notSent."""
        self._cancel_requested = True
        lib.yespo_job_cancel(self._job)
        self._wake.set()

    @property
    def accepting(self) -> bool:
        return not self._stopped and not self._cancel_requested and self._callback_error is None

    def batch_rows(self, wanted: int) -> int:
        return self._shape.batch_rows(wanted)

    async def room(self, rows: int) -> None:
        """Returns when feeding ``rows`` more rows should not block, or the job stopped."""
        while self.accepting:
            self._check_callback()
            if self._has_room(rows) or time.monotonic() - self._changed_at > _STALL_VALVE:
                return
            self._wake.clear()
            # A timer rather than asyncio.wait_for, which on Python < 3.12 can swallow a
            # cancellation that arrives as the wait ends.
            timer = self._loop.call_later(1.0, self._wake.set)
            try:
                await self._wake.wait()
            finally:
                timer.cancel()
        self._check_callback()

    def _has_room(self, rows: int) -> bool:
        s = self._snapshot
        pending = (int(s.get("rowsRead", 0)) - int(s.get("rowsSent", 0)) - int(s.get("invalid", 0))
                   - int(s.get("duplicates", 0)) - int(s.get("notSent", 0)))
        queued = max(0, pending - self._shape.outside)
        return queued == 0 or queued + rows + self._shape.chunk_rows <= self._shape.capacity

    def _check_callback(self) -> None:
        if self._callback_error is not None:
            raise self._callback_error

    async def feed(self, kind: str, payload: Any, rows: int, options: Optional[bytes] = None) -> None:
        """Feeds one batch on a lane: ``kind`` "rows" (a list, encoded there with orjson),
        "ndjson" (bytes), "frame" (an encoder returning (bytes, rows)) or "file" (a path)."""
        first_row = self.rows_read + 1
        self.rows_read += rows
        await self._on_lane(self._feed_blocking, kind, payload, first_row, options)
        self._check_callback()

    def _feed_blocking(self, kind: str, payload: Any, first_row: int, options: Optional[bytes]) -> None:
        from ._rows import encode_batch  # the lane encodes, so the loop does not

        if kind == "rows":
            payload = encode_batch(payload, first_row, self.python_invalid)
        elif kind == "frame":
            payload, _ = payload()
        err = ErrorSlot()
        if kind == "file":
            rc = int(lib.yespo_job_feed_file(self._job, payload, options, err.ref))
        elif kind == "ndjson" or kind == "frame":
            rc = int(lib.yespo_job_feed_ndjson(self._job, payload, len(payload), err.ref))
        else:
            rc = int(lib.yespo_job_feed_json_array(self._job, payload, len(payload), err.ref))
        if rc != 0:
            exc = err.exception(rc)
            self._stopped = True
            if rc != E_CANCELLED:
                self._feed_error = exc

    async def _on_lane(self, fn: Callable[..., Any], *args: Any) -> Any:
        call = self._submit(fn, *args)
        self._lane_call = call
        return await asyncio.wrap_future(call)

    # ------------------------------------------------------------------ finishing

    async def finish(self) -> UpsertReport:
        await self._on_lane(self._finish_blocking)
        return self._build_report()

    async def abort(self) -> UpsertReport:
        """After an exception or a cancellation in the upsert's task: cancel the job, let the call
        on its lane return, finish. Survives further cancellations (the job is cancelled, so this
        takes at most the core's short grace for requests on the wire)."""
        self.cancel()
        await self._settle(self._lane_call)
        if not self._finished:
            await self._settle(self._submit(self._finish_blocking))
        return self._build_report()

    async def _settle(self, call: Optional["concurrent.futures.Future[Any]"]) -> None:
        while call is not None and not call.done():
            try:
                await asyncio.shield(asyncio.wrap_future(call))
            except asyncio.CancelledError:
                continue  # cancelled again: the job must still be left clean
            except BaseException:
                return  # the call failed; what it recorded is in the report

    def _finish_blocking(self) -> None:
        if self._finished:
            return
        self._finished = True
        finish_native_job(self)

    def free(self) -> None:
        """Frees the job; only after finish (or abort) returned."""
        lib.yespo_job_free(self._job)
        self._c_progress = None

    # ------------------------------------------------------------------ report
    # The same accounting as JobRun (the threaded runner of yespo.Client).

    def _build_report(self) -> UpsertReport:
        if self._finish_error is not None:
            if self._report_ptr:
                lib.yespo_report_free(self._report_ptr)
                self._report_ptr = None
            raise self._finish_error
        if not self._finished:
            raise InternalError("the upsert ended without finishing its job")
        handle = _ReportHandle(self._report_ptr) if self._report_ptr else None
        self._report_ptr = None
        return build_report(self._summary, handle, self.python_invalid, self.rows_read, self.input_len,
                            self.input_exhausted, self._feed_error)

    def final_progress(self, report: UpsertReport) -> None:
        """The last progress call, with done=True and the report's counts."""
        if self._progress is None:
            return
        last = dict(self._snapshot)
        last.update(rowsRead=report.rows, accepted=report.accepted, rejected=report.rejected,
                    invalid=report.invalid, duplicates=report.duplicates, notSent=report.not_sent,
                    done=True, inFlight=0)
        self._progress(Progress.from_json(last, self._total, self.cancel))


def _counts(snapshot: dict[str, Any]) -> tuple[Any, ...]:
    return (snapshot.get("rowsRead"), snapshot.get("rowsSent"), snapshot.get("chunksDone"),
            snapshot.get("accepted"), snapshot.get("notSent"), snapshot.get("requests"))
