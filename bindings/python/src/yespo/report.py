"""What a bulk upsert did: counts, chunks, and every row's outcome (read lazily from the core)."""

from __future__ import annotations

import ctypes
import os
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

import orjson

from . import _fork
from ._ffi import ErrorSlot
from ._native import lib, take_bytes
from .errors import (
    E_CANCELLED,
    E_STATE,
    CancelledError,
    StateError,
    ValidationError,
    YespoError,
    make_error,
)

from ._constants import (  # noqa: E402 - generated from include/yespo.h; re-exported
    ROWS_ACCEPTED as ROWS_ACCEPTED,
    ROWS_ALL as ROWS_ALL,
    ROWS_DUPLICATE as ROWS_DUPLICATE,
    ROWS_FAILED as ROWS_FAILED,
    ROWS_INVALID as ROWS_INVALID,
    ROWS_NOT_SENT as ROWS_NOT_SENT,
    ROWS_REJECTED as ROWS_REJECTED,
)

ACCEPTED_BY_DUPLICATED_REQUEST = "duplicatedRequest"

UNFED_REASON = "not handed to the job: it had stopped"

_KIND_BITS = {
    "accepted": ROWS_ACCEPTED,
    "rejected": ROWS_REJECTED,
    "invalid": ROWS_INVALID,
    "duplicate": ROWS_DUPLICATE,
    "notSent": ROWS_NOT_SENT,
}


@dataclass(frozen=True)
class RowOutcome:
    """The final outcome of one input row (rows are numbered from 1 in input order)."""

    row: int
    outcome: str  # "accepted" | "rejected" | "invalid" | "duplicate" | "notSent"
    reason: Optional[str] = None
    async_session_id: Optional[str] = None
    contact_id: Optional[int] = None
    contact: Optional[dict[str, Any]] = None  # the row as given, for rows that failed
    raw: Optional[str] = None  # the row's text when it was not a JSON object
    # How an accepted row was known to be accepted when not by its own request's 200:
    # "duplicatedRequest" (the server answered "Duplicated request": an identical request was
    # applied earlier, most likely this one's own attempt whose answer was lost), else None.
    accepted_by: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "outcome": self.outcome,
            "reason": self.reason,
            "asyncSessionId": self.async_session_id,
            "contactId": self.contact_id,
            "acceptedBy": self.accepted_by,
            "contact": self.contact,
            "raw": self.raw,
        }


@dataclass(frozen=True)
class ChunkInfo:
    """One bulk request (a chunk of up to 3000 contacts) of the job."""

    index: int
    rows: int
    first_row: int
    last_row: int
    status: str  # "accepted" | "rejected" | "notSent"
    async_session_id: Optional[str]
    attempts: int
    import_status: Optional[str]


@dataclass(frozen=True)
class UnmappedFailure:
    """A ``failedContacts`` entry of the server's answer that could not be tied to exactly one row
    of its chunk. The rows of that chunk stay accepted; this is what the server said."""

    chunk: int
    reason: str


@dataclass(frozen=True)
class PythonInvalidRow:
    """A row the binding could not serialise; the core saw a placeholder and marked it invalid."""

    reason: str
    raw: str


def _unmapped(obj: Any) -> UnmappedFailure:
    if not isinstance(obj, Mapping):
        return UnmappedFailure(chunk=0, reason=str(obj))
    return UnmappedFailure(chunk=int(obj.get("chunk", 0)), reason=str(obj.get("reason", "")))


def _chunk(obj: Mapping[str, Any]) -> ChunkInfo:
    return ChunkInfo(
        index=int(obj.get("index", 0)),
        rows=int(obj.get("rows", 0)),
        first_row=int(obj.get("firstRow", 0)),
        last_row=int(obj.get("lastRow", 0)),
        status=str(obj.get("status", "")),
        async_session_id=obj.get("asyncSessionId"),
        attempts=int(obj.get("attempts", 0)),
        import_status=obj.get("importStatus"),
    )


class _ReportHandle:
    """Owns the C ``yespo_report`` and frees it exactly once (explicitly or at collection)."""

    def __init__(self, ptr: int) -> None:
        self.ptr: Optional[int] = ptr
        self._finalizer = weakref.finalize(self, lib.yespo_report_free, ptr)
        _fork.track(self)

    def disown_after_fork(self) -> None:
        self._finalizer.detach()
        self.ptr = None

    def free(self) -> None:
        self.ptr = None
        self._finalizer()


class UpsertReport:
    """The outcome of :meth:`yespo.Client.upsert_contacts` / :meth:`~yespo.Client.upsert_file`.

    Counts always add up: ``accepted + rejected + invalid + duplicates + not_sent == rows``.
    Row-level details (``rejects``, ``invalid_rows``, ``failed_rows()``, ``rows_with()``) are read
    from the core on demand.

    ``rows`` counts every row the call took from the caller. When the job stopped early
    (cancelled, Ctrl-C, a fatal error), rows the binding had already read but never handed to the
    core are included in ``rows`` and ``not_sent`` (they are the last rows, numbered on from the
    core's) and counted again in ``unfed``; for a ``list``/``tuple`` input that is every row not
    handed over, read or not.
    """

    def __init__(
        self,
        summary: Mapping[str, Any],
        handle: Optional[_ReportHandle],
        python_invalid: Optional[Mapping[int, PythonInvalidRow]] = None,
        unfed: Optional[tuple[int, int, str]] = None,
    ) -> None:
        self._summary = dict(summary)
        self._handle = handle
        self._python_invalid = dict(python_invalid or {})
        # Rows the binding took from the caller but could not hand to the job (it had stopped):
        # (first row, last row, reason). They count in rows and as not sent.
        self._unfed = unfed
        extra = 0 if unfed is None else unfed[1] - unfed[0] + 1
        #: Rows taken from the caller but never handed to the core because the job had stopped
        #: (already included in ``rows`` and ``not_sent``).
        self.unfed: int = extra
        self.rows: int = int(summary.get("rows", 0)) + extra
        self.accepted: int = int(summary.get("accepted", 0))
        self.rejected: int = int(summary.get("rejected", 0))
        self.invalid: int = int(summary.get("invalid", 0))
        self.duplicates: int = int(summary.get("duplicates", 0))
        self.not_sent: int = int(summary.get("notSent", 0)) + extra
        self.cancelled: bool = bool(summary.get("cancelled", False))
        self.dry_run: bool = bool(summary.get("dryRun", False))
        #: Accepted rows whose request the server answered "Duplicated request" (an identical
        #: request was applied earlier); their ``accepted_by`` is "duplicatedRequest".
        self.accepted_by_duplicated_request: int = int(summary.get("acceptedByDuplicatedRequest", 0))
        #: Rows the write-order gate held back behind an earlier row of the same contact.
        self.held_for_order: int = int(summary.get("heldForOrder", 0))
        #: failedContacts entries that could not be tied to exactly one row (those rows stay
        #: accepted); ``unmapped_failures`` lists at most 100 of them.
        self.unmapped_failure_count: int = int(summary.get("unmappedFailureCount", 0))
        self.unmapped_failures: list[UnmappedFailure] = [
            _unmapped(u) for u in summary.get("unmappedFailures") or []
        ]
        self.requests: int = int(summary.get("requests", 0))
        self.retries: int = int(summary.get("retries", 0))
        self.throttled: int = int(summary.get("throttled", 0))
        self.bytes_sent: int = int(summary.get("bytesSent", 0))
        self.elapsed: float = float(summary.get("elapsedMs", 0)) / 1000.0
        self.chunks: list[ChunkInfo] = [_chunk(c) for c in summary.get("chunks") or []]
        #: With a shared budget: its name, Redis (no password), rate, and whether Redis was lost
        #: during the job ("fallbacks", "fallbackSince", "rejoined", "mode"); None without one.
        shared = summary.get("sharedBudget")
        self.shared_budget: Optional[dict[str, Any]] = dict(shared) if isinstance(shared, Mapping) else None
        fatal = summary.get("fatal")
        self.fatal: Optional[YespoError] = None
        if isinstance(fatal, Mapping):
            self.fatal = make_error(
                int(fatal.get("code", 0)), str(fatal.get("message", "")), int(fatal.get("status", 0))
            )

    # ------------------------------------------------------------------ summary

    @property
    def complete(self) -> bool:
        """Every row has exactly one outcome."""
        done = self.accepted + self.rejected + self.invalid + self.duplicates + self.not_sent
        return done == self.rows

    @property
    def session_ids(self) -> list[str]:
        """The asyncSessionId of every accepted chunk, in chunk order."""
        return [c.async_session_id for c in self.chunks if c.async_session_id]

    @property
    def ok(self) -> bool:
        """No fatal error, not cancelled, and no row rejected, invalid or left unsent."""
        return (
            self.fatal is None and not self.cancelled
            and self.rejected == 0 and self.invalid == 0 and self.not_sent == 0
        )

    def summary(self) -> dict[str, Any]:
        """The core's summary JSON as a dict (with Python-side corrections to the counts)."""
        out = dict(self._summary)
        out.update(rows=self.rows, notSent=self.not_sent, complete=self.complete, unfed=self.unfed)
        return out

    def __repr__(self) -> str:
        parts = (
            f"rows={self.rows}, accepted={self.accepted}, rejected={self.rejected}, "
            f"invalid={self.invalid}, duplicates={self.duplicates}, not_sent={self.not_sent}, "
            f"chunks={len(self.chunks)}, elapsed={self.elapsed:.3f}s"
        )
        if self.unfed:
            parts += f", unfed={self.unfed}"
        if self.held_for_order:
            parts += f", held_for_order={self.held_for_order}"
        if self.cancelled:
            parts += ", cancelled=True"
        if self.fatal is not None:
            parts += f", fatal={self.fatal!r}"
        return f"UpsertReport({parts})"

    # ------------------------------------------------------------------ rows

    def rows_with(self, *kinds: str) -> Iterator[RowOutcome]:
        """Outcomes of the rows whose outcome is one of ``kinds`` (all kinds when none), by row."""
        mask = 0
        for kind in kinds or tuple(_KIND_BITS):
            bit = _KIND_BITS.get(kind)
            if bit is None:
                raise ValidationError(
                    f"unknown outcome kind {kind!r}; use one of {', '.join(_KIND_BITS)}"
                )
            mask |= bit
        return self._rows(mask)

    def failed_rows(self) -> Iterator[RowOutcome]:
        """Every row not accepted (rejected, invalid, duplicate, not sent), by row."""
        return self._rows(ROWS_FAILED)

    @property
    def rejects(self) -> list[RowOutcome]:
        """Rows the server refused, with its reason."""
        return list(self._rows(ROWS_REJECTED))

    @property
    def invalid_rows(self) -> list[RowOutcome]:
        """Rows that failed validation (never sent), with the reason and where."""
        return list(self._rows(ROWS_INVALID))

    def _rows(self, mask: int) -> Iterator[RowOutcome]:
        data = self._fetch(mask)
        for line in data.splitlines():
            if line:
                yield self._outcome(orjson.loads(line))
        if mask & ROWS_NOT_SENT and self._unfed is not None:
            first, last, reason = self._unfed
            for row in range(first, last + 1):
                yield RowOutcome(row=row, outcome="notSent", reason=reason)

    def _fetch(self, mask: int) -> bytes:
        if self._handle is None:
            return b""  # no core report (nothing was read)
        if self._handle.ptr is None:
            raise StateError("the report's rows are gone (close() was called, or this is a forked "
                             "child); its counts remain", E_STATE)
        out = ctypes.c_void_p(None)
        length = ctypes.c_size_t(0)
        err = ErrorSlot()
        rc = int(lib.yespo_report_rows(
            self._handle.ptr, mask, ctypes.byref(out), ctypes.byref(length), err.ref
        ))
        if rc != 0:
            raise err.exception(rc, "reading the report's rows")
        return take_bytes(out.value, length.value)

    def _outcome(self, obj: Mapping[str, Any]) -> RowOutcome:
        row = int(obj.get("row", 0))
        contact = obj.get("contact")
        override = self._python_invalid.get(row)
        if override is not None:
            return RowOutcome(row=row, outcome="invalid", reason=override.reason, raw=override.raw)
        return RowOutcome(
            row=row,
            outcome=str(obj.get("outcome", "")),
            reason=obj.get("reason"),
            async_session_id=obj.get("asyncSessionId"),
            contact_id=obj.get("contactId"),
            contact=contact if isinstance(contact, dict) else None,
            raw=obj.get("raw"),
            accepted_by=obj.get("acceptedBy"),
        )

    # ------------------------------------------------------------------ actions

    def rejects_to(self, path: Union[str, "os.PathLike[str]"]) -> int:
        """Writes every failed row (rejected, invalid, duplicate, not sent) as NDJSON, one
        ``{"row", "outcome", "reason", "contact", "raw", ...}`` object a line. Returns the count."""
        count = 0
        with open(path, "wb") as out:
            for outcome in self.failed_rows():
                out.write(orjson.dumps(outcome.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
                count += 1
        return count

    def raise_for_failures(self) -> None:
        """Raises when the job did not deliver every row: the fatal error, :class:`CancelledError`,
        :class:`ValidationError` naming invalid rows, or :class:`YespoError` for rejected or unsent
        rows. Duplicates (rows merged into a later row with the same match key) are not failures."""
        err: Optional[YespoError] = None
        if self.fatal is not None and self.fatal.code != E_CANCELLED:
            err = make_error(self.fatal.code, self.fatal.message, self.fatal.status)
        elif self.cancelled:
            err = CancelledError(f"the upsert was cancelled: {self.not_sent} of {self.rows} rows not sent",
                                 E_CANCELLED)
        elif self.invalid:
            sample = _describe(list(_take(self._rows(ROWS_INVALID), 3)), self.invalid)
            err = ValidationError(f"{self.invalid} of {self.rows} rows are invalid: {sample}")
        elif self.rejected or self.not_sent:
            sample = _describe(list(_take(self._rows(ROWS_REJECTED | ROWS_NOT_SENT), 3)),
                              self.rejected + self.not_sent)
            err = YespoError(
                f"{self.rejected} rows rejected and {self.not_sent} not sent of {self.rows}: {sample}"
            )
        if err is not None:
            err.report = self
            raise err

    def close(self) -> None:
        """Frees the core's copy of the row outcomes now (the garbage collector does it otherwise)."""
        if self._handle is not None:
            self._handle.free()


def _take(it: Iterator[RowOutcome], n: int) -> Iterator[RowOutcome]:
    for i, item in enumerate(it):
        if i >= n:
            return
        yield item


def _describe(rows: Sequence[RowOutcome], total: int) -> str:
    text = "; ".join(f"row {r.row}: {r.reason or r.outcome}" for r in rows)
    return text + ("; ..." if total > len(rows) else "")


@dataclass(frozen=True)
class Progress:
    """A snapshot of a running upsert, passed to the ``progress`` callback.

    ``rows_done`` (rows with a final outcome) against ``total`` (the input's length when known,
    else None) is what a progress bar wants; see the tqdm example in the docs.
    """

    rows_read: int = 0
    rows_sent: int = 0
    accepted: int = 0
    rejected: int = 0
    invalid: int = 0
    duplicates: int = 0
    not_sent: int = 0
    chunks_sent: int = 0
    chunks_done: int = 0
    in_flight: int = 0
    concurrency: int = 0
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    bytes_sent: int = 0
    elapsed: float = 0.0
    done: bool = False
    total: Optional[int] = None
    _cancel: Any = field(default=None, repr=False, compare=False)

    @property
    def rows_done(self) -> int:
        return self.accepted + self.rejected + self.invalid + self.duplicates + self.not_sent

    def cancel(self) -> None:
        """Asks the job to stop: nothing more is sent, the report marks the rest as not sent."""
        if self._cancel is not None:
            self._cancel()

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], total: Optional[int], cancel: Any) -> "Progress":
        return cls(
            rows_read=int(obj.get("rowsRead", 0)),
            rows_sent=int(obj.get("rowsSent", 0)),
            accepted=int(obj.get("accepted", 0)),
            rejected=int(obj.get("rejected", 0)),
            invalid=int(obj.get("invalid", 0)),
            duplicates=int(obj.get("duplicates", 0)),
            not_sent=int(obj.get("notSent", 0)),
            chunks_sent=int(obj.get("chunksSent", 0)),
            chunks_done=int(obj.get("chunksDone", 0)),
            in_flight=int(obj.get("inFlight", 0)),
            concurrency=int(obj.get("concurrency", 0)),
            requests=int(obj.get("requests", 0)),
            retries=int(obj.get("retries", 0)),
            throttled=int(obj.get("throttled", 0)),
            bytes_sent=int(obj.get("bytesSent", 0)),
            elapsed=float(obj.get("elapsedMs", 0)) / 1000.0,
            done=bool(obj.get("done", False)),
            total=total,
            _cancel=cancel,
        )
