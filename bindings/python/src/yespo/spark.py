"""Upserting a Spark DataFrame: ``yespo.spark.upsert_dataframe(df, shared_budget=...)``.

Each partition runs the Python binding in its executor (one client, one job per partition), and
every partition on every host shares one request budget through Redis (``shared_budget``), so the
job as a whole keeps to the account's rate however many executors Spark gives it.

Rows never become Python dicts: Spark's JVM turns each row into the API's contact JSON
(``to_json``), ``mapInArrow`` hands the partition Arrow batches of that text, and each batch
crosses into the core as one NDJSON buffer (without pyarrow, Spark rows of one string each are
joined instead). What comes back is one merged report (counts, sessions, requests, the shared
budget's story) and the rows that were not accepted, as a DataFrame.

    from yespo.spark import upsert_dataframe
    result = upsert_dataframe(df, shared_budget="redis://redis:6379/0", rate_limit=150)
    print(result.report)                  # merged over partitions
    result.failed.show()                  # partition, row, outcome, reason, contact (JSON)

``pyspark`` is imported only when this module is used; it is not a dependency of ``yespo``.
The API key comes from ``api_key=`` (shipped to the executors with the task) or, when that is
None, from ``YESPO_API_KEY`` in the executors' environment (``spark.executorEnv.YESPO_API_KEY``).
The run happens exactly once: its output is collected (the failed rows included) on the driver.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

import orjson

from .errors import ValidationError, YespoError

OUTPUT_SCHEMA = "kind string, partition int, payload string"
FAILED_SCHEMA = "partition int, row long, outcome string, reason string, contact string"

# Flat column names (either spelling) → the API's contact field.
_SCALARS = {
    "firstName": "firstName", "first_name": "firstName",
    "lastName": "lastName", "last_name": "lastName",
    "externalCustomerId": "externalCustomerId", "external_customer_id": "externalCustomerId",
    "languageCode": "languageCode", "language_code": "languageCode",
    "timeZone": "timeZone", "time_zone": "timeZone",
    "contactKey": "contactKey", "contact_key": "contactKey",
}
_ADDRESS = {"town": "town", "city": "town", "region": "region", "address": "address", "postcode": "postcode"}
_CHANNELS = {"email": "email", "sms": "sms", "phone": "sms"}



@dataclass
class SparkUpsertResult:
    """The merged report of every partition, and the rows that were not accepted."""

    report: Dict[str, Any]
    failed: Any  # a pyspark.sql.DataFrame with FAILED_SCHEMA
    partitions: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        r = self.report
        return not r["fatal"] and r["accepted"] == r["rows"]


def upsert_dataframe(
    df: Any,
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    shared_budget: Optional[str] = None,
    shared_budget_name: Optional[str] = None,
    shared_budget_processes: Optional[int] = None,
    shared_budget_fallback: Optional[str] = None,
    rate_limit: Optional[int] = None,
    concurrency: Optional[int] = None,
    chunk_size: Optional[int] = None,
    timeout: Optional[float] = None,
    max_retries: Optional[int] = None,
    allow_insecure_http: Optional[bool] = None,
    dedupe_on: str = "email",
    group_names: Optional[Iterable[str]] = None,
    wait: bool = False,
    validate: bool = True,
    custom_fields: Optional[Mapping[str, int]] = None,
    use_arrow: Optional[bool] = None,
) -> SparkUpsertResult:
    """Upserts every row of ``df`` (``POST /contacts`` from each partition) and returns the merged
    report and the failed rows.

    ``df`` either has a ``channels`` column (rows already in the API's contact shape: every column
    becomes a field) or flat columns: ``email``, ``sms``/``phone``, ``firstName``/``first_name``,
    ``lastName``, ``externalCustomerId``, ``id``, ``languageCode``, ``timeZone``, ``town``/``city``,
    ``region``, ``address``, ``postcode``, and the columns of ``custom_fields`` (column → field id).

    ``shared_budget`` (``redis://[:password@]host:port/db``) makes every partition share
    ``rate_limit`` requests per second (docs/beyond-one-machine.md); without it each partition has
    the whole ``rate_limit`` to itself. ``shared_budget_processes`` defaults to Spark's default
    parallelism (the partitions that run at once), used for the fallback rate if Redis is lost.
    """
    if shared_budget is not None and not rate_limit:
        raise ValidationError("a shared budget needs rate_limit: the requests per second of every partition together")
    if shared_budget is not None and shared_budget_processes is None:
        shared_budget_processes = max(1, int(df.sparkSession.sparkContext.defaultParallelism))
    client_kwargs = {k: v for k, v in {
        "api_key": api_key, "base_url": base_url, "concurrency": concurrency, "rate_limit": rate_limit,
        "timeout": timeout, "max_retries": max_retries, "chunk_size": chunk_size,
        "allow_insecure_http": allow_insecure_http, "shared_budget": shared_budget,
        "shared_budget_name": shared_budget_name, "shared_budget_processes": shared_budget_processes,
        "shared_budget_fallback": shared_budget_fallback,
    }.items() if v is not None}
    upsert_kwargs: Dict[str, Any] = {
        "dedupe_on": dedupe_on, "field_id": None, "contact_fields": None, "custom_field_ids": None,
        "group_names": list(group_names) if group_names is not None else None, "group_names_exclude": None,
        "restore_deleted": None, "event_key_for_new_contacts": None, "wait": wait, "ack_on": "accepted",
        "validate": validate, "dry_run": False,
    }
    config = {"client": client_kwargs, "upsert": upsert_kwargs}
    json_df = df.select(contact_json_column(df, custom_fields).alias("contact"))

    if use_arrow is None:
        use_arrow = _have_pyarrow() and hasattr(json_df, "mapInArrow")
    if use_arrow:
        rows = json_df.mapInArrow(_arrow_partition_fn(config), OUTPUT_SCHEMA).collect()
        records = [(r["kind"], int(r["partition"]), r["payload"]) for r in rows]
    else:
        records = json_df.rdd.mapPartitionsWithIndex(_row_partition_fn(config)).collect()
    return _merge(df.sparkSession, records)


# ---------------------------------------------------------------------- rows → contact JSON (JVM side)

def contact_json_column(df: Any, custom_fields: Optional[Mapping[str, int]] = None) -> Any:
    """A Column holding each row's contact as JSON text, built by Spark (no Python per row)."""
    F = importlib.import_module("pyspark.sql.functions")
    columns = list(df.columns)
    if "channels" in columns:
        return F.to_json(F.struct(*[F.col(c) for c in columns]))
    parts: List[Any] = []
    channel_items = [F.struct(F.lit(kind).alias("type"), F.col(c).cast("string").alias("value"))
                     for c, kind in _CHANNELS.items() if c in columns]
    if not channel_items:
        raise ValidationError("the DataFrame has no channel column: give it email, sms or phone (or channels)")
    parts.append(F.filter(F.array(*channel_items), lambda ch: ch["value"].isNotNull()).alias("channels"))
    for c, name in _SCALARS.items():
        if c in columns:
            parts.append(F.col(c).cast("string").alias(name))
    if "id" in columns:
        parts.append(F.col("id").cast("long").alias("id"))
    address = [F.col(c).cast("string").alias(name) for c, name in _ADDRESS.items() if c in columns]
    if address:
        present = [F.col(c).isNotNull() for c in _ADDRESS if c in columns]
        any_present = present[0]
        for p in present[1:]:
            any_present = any_present | p
        parts.append(F.when(any_present, F.struct(*address)).alias("address"))
    if custom_fields:
        items = []
        for c, field_id in custom_fields.items():
            if c not in columns:
                raise ValidationError(f"custom_fields names column {c!r}, which the DataFrame does not have")
            items.append(F.struct(F.lit(int(field_id)).alias("id"), F.col(c).cast("string").alias("value")))
        parts.append(F.filter(F.array(*items), lambda f: f["value"].isNotNull()).alias("fields"))
    return F.to_json(F.struct(*parts))


# ---------------------------------------------------------------------- the partitions (executor side)

def _arrow_partition_fn(config: Dict[str, Any]) -> Any:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        pa = importlib.import_module("pyarrow")
        task = importlib.import_module("pyspark").TaskContext.get()
        partition = int(task.partitionId()) if task is not None else 0
        records = run_partition(config, partition, (_arrow_ndjson(b) for b in batches))
        yield pa.RecordBatch.from_pydict({
            "kind": [r[0] for r in records],
            "partition": pa.array([r[1] for r in records], pa.int32()),
            "payload": [r[2] for r in records],
        })
    return run


def _row_partition_fn(config: Dict[str, Any]) -> Any:
    def run(partition: int, rows: Iterator[Any]) -> List[Tuple[str, int, str]]:
        return run_partition(config, partition, _row_batches(rows))
    return run


def _arrow_ndjson(batch: Any) -> Tuple[bytes, int]:
    """One Arrow batch of JSON texts → one NDJSON buffer, without a Python object per row."""
    n = batch.num_rows
    if n == 0:
        return b"", 0
    pc = importlib.import_module("pyarrow.compute")
    column = batch.column(0)
    try:
        lines = pc.binary_join_element_wise(column, "", "\n")   # "<json>" + "\n", element-wise
        offsets = lines.offsets
        start, end = offsets[0].as_py(), offsets[len(offsets) - 1].as_py()
        data = lines.buffers()[2]
        return bytes(memoryview(data)[start:end]), n
    except (AttributeError, NotImplementedError, TypeError):
        return ("\n".join(column.to_pylist()) + "\n").encode("utf-8"), n


def _row_batches(rows: Iterator[Any], size: int = 5000) -> Iterator[Tuple[bytes, int]]:
    batch: List[str] = []
    for row in rows:
        batch.append(row[0])
        if len(batch) >= size:
            yield ("\n".join(batch) + "\n").encode("utf-8"), len(batch)
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode("utf-8"), len(batch)


def run_partition(config: Dict[str, Any], partition: int,
                  batches: Iterable[Tuple[bytes, int]]) -> List[Tuple[str, int, str]]:
    """Upserts one partition's NDJSON batches with its own client; returns its records: one
    "summary" and one "failed" per row not accepted. Never raises for a failed job: a partition's
    failure is in its summary, so the other partitions' outcomes are never lost."""
    from .client import Client
    from .report import UpsertReport

    started = time.monotonic()
    it = iter(batches)
    first = next(it, None)
    while first is not None and first[1] == 0:
        first = next(it, None)
    if first is None:   # an empty partition opens no connection at all
        return [("summary", partition, orjson.dumps({"rows": 0, "partition": partition}).decode())]

    def all_batches() -> Iterator[Tuple[bytes, int]]:
        assert first is not None
        yield first
        yield from it

    fatal: Optional[str] = None
    report: Optional[UpsertReport] = None
    try:
        with Client(**config["client"]) as client:
            options = client._upsert_options(**config["upsert"])
            try:
                report = client._run_job(options, None, 0.5, None, None,
                                         lambda run: run.feed_ndjson(all_batches()))
            except YespoError as exc:
                report = getattr(exc, "report", None)
                fatal = f"{type(exc).__name__}: {exc}"
    except YespoError as exc:   # the client could not start (key refused, Redis unreachable, ...)
        fatal = f"{type(exc).__name__}: {exc}"
    records: List[Tuple[str, int, str]] = []
    if report is None:
        fed = first[1] + sum(n for _, n in it)
        summary: Dict[str, Any] = {"rows": fed, "notSent": fed, "fatal": fatal}
    else:
        summary = report.summary()
        summary.pop("chunks", None)
        summary["sessions"] = report.session_ids
        if fatal is not None:
            summary["fatal"] = fatal
        elif summary.get("fatal"):
            summary["fatal"] = str(summary["fatal"].get("message", "")) if isinstance(summary["fatal"], Mapping) else summary["fatal"]
        for row in report.failed_rows():
            records.append(("failed", partition, orjson.dumps({
                "row": row.row, "outcome": row.outcome, "reason": row.reason,
                "contact": orjson.dumps(row.contact).decode() if row.contact is not None else row.raw,
            }).decode()))
        report.close()
    summary["partition"] = partition
    summary["seconds"] = round(time.monotonic() - started, 3)
    records.append(("summary", partition, orjson.dumps(summary).decode()))
    return records


# ---------------------------------------------------------------------- the driver's merge

_COUNTS = ("rows", "accepted", "rejected", "invalid", "duplicates", "notSent", "requests", "retries", "throttled",
           "bytesSent")


def _merge(spark: Any, records: Iterable[Tuple[str, int, str]]) -> SparkUpsertResult:
    summaries: List[Dict[str, Any]] = []
    failed: List[Tuple[int, int, str, Optional[str], Optional[str]]] = []
    for kind, partition, payload in records:
        obj = orjson.loads(payload)
        if kind == "summary":
            summaries.append(obj)
        else:
            failed.append((partition, int(obj["row"]), obj["outcome"], obj.get("reason"), obj.get("contact")))
    summaries.sort(key=lambda s: int(s.get("partition", 0)))
    merged: Dict[str, Any] = {k: sum(int(s.get(k) or 0) for s in summaries) for k in _COUNTS}
    merged["partitions"] = len(summaries)
    merged["sessions"] = [sid for s in summaries for sid in s.get("sessions") or []]
    merged["fatal"] = [f"partition {s['partition']}: {s['fatal']}" for s in summaries if s.get("fatal")]
    merged["cancelled"] = any(bool(s.get("cancelled")) for s in summaries)
    merged["seconds"] = max((float(s.get("seconds") or 0) for s in summaries), default=0.0)
    budgets = [s["sharedBudget"] for s in summaries if isinstance(s.get("sharedBudget"), Mapping)]
    if budgets:
        merged["sharedBudget"] = {
            "name": budgets[0]["name"], "redis": budgets[0]["redis"], "rate": budgets[0]["rate"],
            "partitions": len(budgets),
            "fallbacks": sum(int(b.get("fallbacks", 0)) for b in budgets),
            "partitionsOnFallbackAtEnd": sum(1 for b in budgets if b.get("mode") == "local"),
            "firstFallback": min((b["fallbackSince"] for b in budgets if b.get("fallbackSince")), default=None),
            "lastRejoin": max((b["rejoined"] for b in budgets if b.get("rejoined")), default=None),
        }
    else:
        merged["sharedBudget"] = None
    merged["complete"] = sum(merged[k] for k in ("accepted", "rejected", "invalid", "duplicates", "notSent")) \
        == merged["rows"]
    failed.sort(key=lambda f: (f[0], f[1]))
    failed_df = spark.createDataFrame(failed, FAILED_SCHEMA)
    return SparkUpsertResult(report=merged, failed=failed_df, partitions=summaries)


def _have_pyarrow() -> bool:
    """mapInArrow needs pyarrow on the executors (and pyspark checks for pandas too)."""
    try:
        importlib.import_module("pyarrow")
        importlib.import_module("pyarrow.compute")
        importlib.import_module("pandas")
    except ImportError:
        return False
    return True
