"""Upserting pandas, polars and pyarrow tables: :meth:`yespo.Client.upsert_dataframe`.

    report = client.upsert_dataframe(df)                                   # recognised column names
    report = client.upsert_dataframe(df, columns={"email": "E-mail", "firstName": "First"})
    bad = report.rejects_frame()     # the failed rows of df, same library, with row/outcome/reason

The frame is converted in bulk by polars (see ``_frames``) and fed to the core as NDJSON in
batches; the report is an :class:`UpsertReport` that also knows the frame.
"""

from __future__ import annotations

import importlib
import io
import threading
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping, Optional

from . import _args, _frames
from ._job import ProgressCallback
from ._upserts import UpsertMethods
from .errors import ValidationError, YespoError
from .report import ROWS_FAILED, UpsertReport, _KIND_BITS


DEFAULT_BATCH_ROWS = 50_000

#: Columns added in front of the rows :meth:`FrameUpsertReport.rejects_frame` returns.
ROW_COLUMN, OUTCOME_COLUMN, REASON_COLUMN = "yespo_row", "yespo_outcome", "yespo_reason"


@dataclass
class PreparedFrame:
    """A frame ready to be fed: its mapped columns as polars, and the expression writing each row."""

    source: Any
    kind: str
    plan: _frames.ColumnPlan
    table: Any  # polars.DataFrame
    expr: Any  # polars.Expr

    @property
    def rows(self) -> int:
        return int(self.table.height)

    def batches(self, batch_rows: int) -> Iterator[tuple[bytes, int]]:
        return _frames.ndjson_batches(self.table, self.expr, batch_rows)

    def encode(self, offset: int, batch_rows: int) -> tuple[bytes, int]:
        part = self.table.slice(offset, batch_rows)
        return _frames.encode_slice(part, self.expr), int(part.height)


def is_frame(obj: Any) -> bool:
    """True for a pandas/polars DataFrame, a polars LazyFrame or a pyarrow Table/RecordBatch."""
    return _frames.frame_kind(obj) is not None


def prepare_frame(frame: Any, columns: Optional[Mapping[Any, Any]]) -> PreparedFrame:
    kind = _frames.frame_kind(frame)
    if kind is None:
        raise ValidationError(f"expected a pandas or polars DataFrame or a pyarrow Table, "
                              f"not {type(frame).__name__}")
    names = _frames.column_names(frame, kind) if kind != "polars-lazy" else list(
        frame.collect_schema().names())
    plan = _frames.resolve_columns(names, columns)
    table = _frames.to_polars(frame, kind, plan)
    expr = _frames.line_expression(plan, dict(table.schema), _frames.padded_columns(table))
    return PreparedFrame(frame, kind, plan, table, expr)


class FrameUpsertReport(UpsertReport):
    """An :class:`UpsertReport` of a DataFrame upsert: also ``columns`` (the mapping used, field →
    column) and :meth:`rejects_frame`. Row numbers are frame positions + 1."""

    columns: dict[str, Any]
    _frame: Any
    _kind: str

    @classmethod
    def wrap(cls, report: UpsertReport, prepared: PreparedFrame) -> "FrameUpsertReport":
        out = cls.__new__(cls)
        out.__dict__.update(report.__dict__)
        out.columns = prepared.plan.as_mapping()
        out._frame = prepared.source
        out._kind = prepared.kind
        return out

    def rejects_frame(self, *kinds: str) -> Any:
        """The input rows whose outcome is one of ``kinds`` (default: every row not accepted),
        as a table of the input's library (pandas keeps the original index; a pyarrow
        RecordBatch gives a Table; a polars LazyFrame gives a DataFrame), with three columns in
        front: ``yespo_row`` (1-based), ``yespo_outcome`` and ``yespo_reason``."""
        mask = 0
        for kind in kinds:
            bit = _KIND_BITS.get(kind)
            if bit is None:
                raise ValidationError(f"unknown outcome kind {kind!r}; use one of {', '.join(_KIND_BITS)}")
            mask |= bit
        rows, outcomes, reasons = self._outcome_columns(mask or ROWS_FAILED)
        return _take_rows(self._frame, self._kind, rows, outcomes, reasons)

    def _outcome_columns(self, mask: int) -> tuple[list[int], list[str], list[Optional[str]]]:
        pl = _frames.require_polars()
        data = self._fetch(mask)
        rows: list[int] = []
        outcomes: list[str] = []
        reasons: list[Optional[str]] = []
        if data:
            # Parsed in bulk; only the three columns are read.
            parsed = pl.read_ndjson(io.BytesIO(data), schema={"row": pl.Int64, "outcome": pl.String,
                                                               "reason": pl.String})
            rows = parsed.get_column("row").to_list()
            outcomes = parsed.get_column("outcome").to_list()
            reasons = parsed.get_column("reason").to_list()
        if mask & _KIND_BITS["notSent"] and self._unfed is not None:
            first, last, reason = self._unfed
            rows.extend(range(first, last + 1))
            outcomes.extend(["notSent"] * (last - first + 1))
            reasons.extend([reason] * (last - first + 1))
        return rows, outcomes, reasons


def _take_rows(frame: Any, kind: str, rows: list[int], outcomes: list[str],
               reasons: list[Optional[str]]) -> Any:
    positions = [r - 1 for r in rows]
    if kind == "pandas":
        pd = importlib.import_module("pandas")

        picked = frame.iloc[positions]
        meta = pd.DataFrame({ROW_COLUMN: pd.array(rows, dtype="Int64"), OUTCOME_COLUMN: outcomes,
                             REASON_COLUMN: reasons}, index=picked.index)
        return pd.concat([meta, picked], axis=1)
    if kind == "pyarrow":
        pa = importlib.import_module("pyarrow")

        table = frame if isinstance(frame, pa.Table) else pa.Table.from_batches([frame])
        picked = table.take(pa.array(positions, type=pa.int64()))
        for name, values, typ in reversed(((ROW_COLUMN, rows, pa.int64()), (OUTCOME_COLUMN, outcomes, pa.string()),
                                           (REASON_COLUMN, reasons, pa.string()))):
            picked = picked.add_column(0, name, pa.array(values, type=typ))
        return picked
    pl = _frames.require_polars()
    index = pl.Series("i", positions, dtype=pl.Int64)
    if kind == "polars-lazy":
        picked = frame.select(pl.all().gather(index)).collect()
    else:
        picked = frame.select(pl.all().gather(index))
    meta = pl.DataFrame({ROW_COLUMN: pl.Series(rows, dtype=pl.Int64),
                         OUTCOME_COLUMN: pl.Series(outcomes, dtype=pl.String),
                         REASON_COLUMN: pl.Series(reasons, dtype=pl.String)})
    return pl.concat([meta, picked], how="horizontal")


class DataFrameMethods(UpsertMethods):
    def upsert_dataframe(
        self,
        frame: Any,
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
        progress: Optional[ProgressCallback] = None,
        progress_interval: float = 0.5,
        cancel: Optional[threading.Event] = None,
        batch_size: int = DEFAULT_BATCH_ROWS,
    ) -> FrameUpsertReport:
        """Upserts every row of a pandas or polars DataFrame (or LazyFrame) or a pyarrow Table.

        ``columns`` maps contact fields to the frame's columns: ``{"email": "E-mail",
        "firstName": "First", "sms": ["Mobile", "Phone 2"], "12345": "Score"}`` (channel fields —
        email, sms, mobilepush, webpush, viber — take several; digits or an int = a custom field
        id). Without it, recognised column names are used (Yespo's import headers, the API's field
        names and common export headers such as "E-mail address", "Mobile", "Surname", "ZIP");
        ``report.columns`` says which. Blank cells leave the field out.

        The frame is converted in bulk (polars; pandas and Arrow tables are converted zero-copy
        where possible) and fed ``batch_size`` rows at a time. Row numbers in the report are frame
        positions + 1; :meth:`FrameUpsertReport.rejects_frame` returns the failed rows as a table of
        the input's library. Other arguments as in :meth:`upsert_contacts`. Needs polars
        (``pip install 'yespo[dataframes]'``).
        """
        _args.integer("batch_size", batch_size, 1, 100_000_000)
        prepared = prepare_frame(frame, columns)
        options = self._upsert_options(
            dedupe_on=dedupe_on, field_id=field_id, contact_fields=contact_fields,
            custom_field_ids=custom_field_ids, group_names=group_names,
            group_names_exclude=group_names_exclude, restore_deleted=restore_deleted,
            event_key_for_new_contacts=event_key_for_new_contacts, wait=wait, ack_on=ack_on,
            validate=validate, dry_run=dry_run,
        )
        try:
            report = self._run_job(options, progress, progress_interval, prepared.rows, cancel,
                                   lambda run: run.feed_ndjson(prepared.batches(batch_size), prepared.rows))
        except YespoError as exc:
            if isinstance(exc.report, UpsertReport):
                exc.report = FrameUpsertReport.wrap(exc.report, prepared)
            raise
        except BaseException as exc:
            attached = getattr(exc, "yespo_report", None)
            if isinstance(attached, UpsertReport):
                try:
                    setattr(exc, "yespo_report", FrameUpsertReport.wrap(attached, prepared))
                except (AttributeError, TypeError):
                    pass
            raise
        return FrameUpsertReport.wrap(report, prepared)

    def upsert_contacts(self, contacts: Iterable[Any], *, columns: Optional[Mapping[Any, Any]] = None,
                        **options: Any) -> UpsertReport:
        """Adds or updates contacts in bulk; see :meth:`UpsertMethods.upsert_contacts`. A pandas or
        polars DataFrame or a pyarrow Table is upserted by :meth:`upsert_dataframe` (``columns``
        applies to them only)."""
        if is_frame(contacts):
            options.pop("total", None)
            return self.upsert_dataframe(contacts, columns=columns, **options)
        if columns is not None:
            raise ValidationError("columns= applies to DataFrames and Arrow tables only; rows given as "
                                  "dicts are already in the contact shape")
        return super().upsert_contacts(contacts, **options)
