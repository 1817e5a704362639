"""Runs one bulk upsert job: a feeder thread makes the blocking ABI calls (feed, finish) while the
caller's thread reads the input, reports progress and stays responsive to Ctrl-C.

Why a thread: a ctypes call cannot be interrupted, and a feed blocks for as long as the job's queue
is full (backpressure) — seconds against a slow server. Keeping the caller's thread in short,
interruptible waits lets Ctrl-C cancel the job at once and still produce a clean report.
"""

from __future__ import annotations

import ctypes
import itertools
import queue
import threading
import time
from typing import Any, Callable, Iterable, Iterator, Optional, Union

import orjson

from ._ffi import ErrorSlot, call_out_string
from ._native import lib, take_string
from ._rows import encode_batch
from .errors import E_CANCELLED, InternalError, YespoError
from .report import UNFED_REASON, Progress, PythonInvalidRow, UpsertReport, _ReportHandle

ProgressCallback = Callable[[Progress], Any]

_WAIT_SLICE = 0.05  # seconds between checks for Ctrl-C, cancel requests and progress
_END = None


class CancelledByCaller(Exception):
    """Internal marker: the caller's cancel event was set."""


class JobRun:
    """One running job. Use :meth:`feed_rows` / :meth:`feed_file`, then :meth:`finish`."""

    def __init__(
        self,
        job: int,
        progress: Optional[ProgressCallback],
        progress_interval: float,
        total: Optional[int],
        cancel_event: Optional[threading.Event],
    ) -> None:
        self._job = job
        self.owner = threading.get_ident()  # the caller's thread, which reads input and reports
        self._progress = progress
        self._interval = max(0.01, progress_interval)
        self._total = total
        self._cancel_event = cancel_event
        self._last_progress = 0.0
        self._queue: "queue.Queue[Union[bytes, tuple[str, bytes, Optional[bytes]], None]]" = queue.Queue(maxsize=1)
        self._stopped = threading.Event()  # the job refused more input (cancelled / fatal)
        self._feed_error: Optional[YespoError] = None
        self._finish_error: Optional[YespoError] = None
        self._report_ptr: Optional[int] = None
        self._summary: dict[str, Any] = {}
        self.rows_read = 0
        # The length of a list/tuple input: when the job stops before it was all read, its unread
        # rows are reported too (unfed, not sent), as every row of a Go slice is.
        self.input_len: Optional[int] = None
        self._input_exhausted = False
        self.python_invalid: dict[int, PythonInvalidRow] = {}
        self._cancel_requested = False
        self._thread = threading.Thread(target=self._feeder, name="yespo-feeder", daemon=False)
        self._thread.start()

    # ------------------------------------------------------------------ caller's thread

    def cancel(self) -> None:
        """Stops the job: nothing more is sent, unsent rows are reported as notSent."""
        self._cancel_requested = True
        lib.yespo_job_cancel(self._job)

    def feed_rows(self, contacts: Iterable[Any], batch_size: int, input_len: Optional[int] = None) -> None:
        self.input_len = input_len
        iterator: Iterator[Any] = iter(contacts)
        # A stop (the job refused input, or a cancel was asked for) ends the reading at once: no
        # row is taken from the caller after it, so the rows consumed are exactly those read.
        while not self._stopped.is_set() and not self._cancel_wanted():
            batch = _next_batch(iterator, batch_size)
            if not batch:
                self._input_exhausted = True
                return
            buf = encode_batch(batch, self.rows_read + 1, self.python_invalid)
            self.rows_read += len(batch)
            del batch
            self._put(buf)

    def _cancel_wanted(self) -> bool:
        if self._cancel_requested:
            return True
        if self._cancel_event is not None and self._cancel_event.is_set():
            self.cancel()
            return True
        return False

    def feed_file(self, path: bytes, options: Optional[bytes]) -> None:
        self._put(("file", path, options))

    def feed_ndjson(self, batches: Iterable[tuple[bytes, int]], input_len: Optional[int] = None) -> None:
        """Feeds ready NDJSON buffers (``(data, rows)``: whole lines, one per row — a DataFrame's
        slices, or Arrow batches serialised by Spark; no Python object per row). With
        ``input_len`` (rows in all), rows never handed over are reported unfed."""
        if input_len is not None:
            self.input_len = input_len
        iterator = iter(batches)
        while not self._stopped.is_set() and not self._cancel_wanted():
            item = next(iterator, None)
            if item is None:
                self._input_exhausted = True
                return
            data, rows = item
            if rows <= 0:
                continue
            self.rows_read += rows
            self._put(("ndjson", data, None))

    def finish(self) -> UpsertReport:
        self._put(_END)
        self._join()
        return self._build_report()

    def abort(self) -> UpsertReport:
        """After an exception in the caller's thread: cancel, drain, and report what happened."""
        self.cancel()
        while True:
            try:
                self._queue.put_nowait(_END)
                break
            except queue.Full:
                try:
                    self._queue.get_nowait()  # a batch that will never be fed: its rows are unfed
                except queue.Empty:
                    pass
        self.join_quietly()
        return self._build_report()

    def join_quietly(self) -> None:
        """Waits for the feeder thread even through more Ctrl-Cs (the job is cancelled, so this is
        short): the job must not be freed while the thread is inside a call on it."""
        interrupted: Optional[BaseException] = None
        while self._thread.is_alive():
            try:
                self._thread.join()
            except KeyboardInterrupt as exc:
                interrupted = exc
                lib.yespo_job_cancel(self._job)
        if interrupted is not None:
            raise interrupted

    def _put(self, item: Union[bytes, tuple[str, bytes, Optional[bytes]], None]) -> None:
        while True:
            if not self._thread.is_alive():
                return  # the feeder ended (only after a bug in it): finish reports what it got
            self._pump()
            try:
                self._queue.put(item, timeout=_WAIT_SLICE)
                return
            except queue.Full:
                continue

    def _join(self) -> None:
        while self._thread.is_alive():
            self._pump()
            self._thread.join(timeout=_WAIT_SLICE)

    def _pump(self) -> None:
        """Runs between waits in the caller's thread: cancel requests and progress callbacks."""
        if self._cancel_event is not None and self._cancel_event.is_set() and not self._cancel_requested:
            self.cancel()
        if self._progress is not None:
            now = time.monotonic()
            if now - self._last_progress >= self._interval:
                self._last_progress = now
                self._report_progress()

    def _report_progress(self) -> None:
        assert self._progress is not None
        try:
            text = call_out_string(lib.yespo_job_progress, self._job, context="reading progress")
        except YespoError:
            return  # the job is already gone: the final report says everything
        snapshot = orjson.loads(text)
        if snapshot.get("done"):
            return  # the job ended: the final call (from the report) is the one with done=True
        self._progress(Progress.from_json(snapshot, self._total, self.cancel))

    def final_progress(self, report: UpsertReport) -> None:
        """The last call, with done=True; the counts are the report's (final by definition; the
        core's pulled progress after finish does not keep them)."""
        if self._progress is None:
            return
        try:
            last: dict[str, Any] = orjson.loads(
                call_out_string(lib.yespo_job_progress, self._job, context="reading progress"))
        except YespoError:
            last = {}
        last.update(rowsRead=report.rows, accepted=report.accepted, rejected=report.rejected,
                    invalid=report.invalid, duplicates=report.duplicates, notSent=report.not_sent,
                    done=True, inFlight=0)
        self._progress(Progress.from_json(last, self._total, self.cancel))

    # ------------------------------------------------------------------ feeder thread

    def _feeder(self) -> None:
        try:
            self._feed_loop()
        except BaseException as exc:  # a bug here must not leave the caller waiting forever
            self._finish_error = InternalError(f"yespo feeder thread failed: {exc!r}")
            self._stopped.set()

    def _feed_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _END:
                self._finish()
                return
            if self._stopped.is_set():
                continue  # rows after a stop are reported as not fed
            err = ErrorSlot()
            if isinstance(item, bytes):
                rc = int(lib.yespo_job_feed_json_array(self._job, item, len(item), err.ref))
            elif item[0] == "ndjson":
                rc = int(lib.yespo_job_feed_ndjson(self._job, item[1], len(item[1]), err.ref))
            else:
                _, path, options = item
                rc = int(lib.yespo_job_feed_file(self._job, path, options, err.ref))
            if rc != 0:
                exc = err.exception(rc)
                self._stopped.set()
                if rc != E_CANCELLED:
                    self._feed_error = exc

    def _finish(self) -> None:
        finish_native_job(self)

    # ------------------------------------------------------------------ report

    def _build_report(self) -> UpsertReport:
        if self._finish_error is not None:
            if self._report_ptr:
                lib.yespo_report_free(self._report_ptr)
            raise self._finish_error
        handle = _ReportHandle(self._report_ptr) if self._report_ptr else None
        return build_report(self._summary, handle, self.python_invalid, self.rows_read, self.input_len,
                            self._input_exhausted, self._feed_error)


def _next_batch(iterator: Iterator[Any], size: int) -> list[Any]:
    return list(itertools.islice(iterator, size))


def build_report(summary: dict[str, Any], handle: Optional[_ReportHandle], python_invalid: Any, rows_read: int,
                 input_len: Optional[int], input_exhausted: bool, feed_error: Optional[YespoError]) -> UpsertReport:
    """The report of a finished job (sync and async alike): rows the caller's input held but the
    core never got (a feed that stopped early) are counted as unfed, with the feed's error."""
    core_rows = int(summary.get("rows", 0))
    consumed = rows_read
    if input_len is not None and not input_exhausted:
        consumed = max(consumed, input_len)
    unfed = None
    if consumed > core_rows:
        reason = UNFED_REASON
        if feed_error is not None:
            reason += f" ({feed_error.message})"
        unfed = (core_rows + 1, consumed, reason)
    report = UpsertReport(summary, handle, python_invalid, unfed)
    if feed_error is not None and report.fatal is None:
        report.fatal = feed_error
    return report


def finish_native_job(run: Any) -> None:
    """``yespo_job_finish`` and the report's summary, for the sync and the async job alike: sets
    ``run._report_ptr`` as soon as the job finished (so it is freed even if reading the summary
    fails), then ``run._summary``; a failure goes to ``run._finish_error``."""
    out = ctypes.c_void_p(None)
    err = ErrorSlot()
    rc = int(lib.yespo_job_finish(run._job, ctypes.byref(out), err.ref))
    if rc != 0:
        run._finish_error = err.exception(rc, "finishing the upsert")
        return
    run._report_ptr = out.value
    summary = ctypes.c_void_p(None)
    err = ErrorSlot()
    rc = int(lib.yespo_report_json(out.value, ctypes.byref(summary), err.ref))
    if rc != 0:
        run._finish_error = err.exception(rc, "reading the upsert report")
        return
    run._summary = orjson.loads(take_string(summary.value))
