"""yespo.spark.upsert_dataframe in pyspark's local[2] mode (make test-spark, its own venv with
pyspark and pyarrow from PyPI and Java 17): partitions upsert through the Python binding against
the emulator enforcing the budget, sharing it through Redis; one merged report, failed rows as a
DataFrame, every valid row stored, no 429.
"""
from __future__ import annotations

import os
import sys

import pytest

from conftest import SECRET_KEY

pyspark = pytest.importorskip("pyspark")
from pyspark.sql import SparkSession  # noqa: E402

import yespo.spark  # noqa: E402

RATE = 20


@pytest.fixture(scope="module")
def spark():
    os.environ["YESPO_API_KEY"] = SECRET_KEY   # the executors' (local mode: this process's children)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable          # the workers import yespo from this venv
    session = (SparkSession.builder.master("local[2]").appName("yespo-spark-test")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def flat_rows(n: int, bad_every: int):
    out = []
    for i in range(n):
        email = f"not-an-email-{i}" if bad_every and i % bad_every == bad_every - 1 else f"spark-{i}@example.com"
        out.append((email, f"First{i}", f"Last{i}", f"ext-{i}" if i % 2 else None, "Kyiv" if i % 3 == 0 else None))
    return out


def test_dataframe_partitions_share_one_budget(spark, redis, emulator_factory):
    emu = emulator_factory("--rate-limit-bulk", str(RATE))
    rows = 3000
    df = spark.createDataFrame(flat_rows(rows, 250),
                               "email string, firstName string, last_name string, externalCustomerId string, "
                               "city string").repartition(4)
    result = yespo.spark.upsert_dataframe(df, base_url=emu.base_url, shared_budget=redis.url,
                                          shared_budget_name="spark-test", rate_limit=RATE, chunk_size=100,
                                          concurrency=4)
    r = result.report
    bad = rows // 250
    print(f"\nmerged report: {r}")
    assert r["partitions"] == 4 and r["rows"] == rows and r["complete"], r
    assert r["accepted"] == rows - bad and r["invalid"] == bad and r["notSent"] == 0, r
    assert not r["fatal"] and len(r["sessions"]) == r["requests"], r
    assert r["sharedBudget"]["name"] == "spark-test" and r["sharedBudget"]["fallbacks"] == 0
    stats = emu.stats()
    assert stats["statuses"].get("429", 0) == 0, stats
    assert emu.stored() == rows - bad
    failed = result.failed.collect()
    assert len(failed) == bad
    assert all(f["outcome"] == "invalid" and "not-an-email" in f["contact"] for f in failed)
    assert all("valid email" in (f["reason"] or "") for f in failed), failed[0]
    # The flat columns became the API's shape: names, the external id, the address.
    stored = {c["channels"][0]["value"]: c for c in emu.contacts()}
    one, three = stored["spark-1@example.com"], stored["spark-3@example.com"]
    assert (one["firstName"], one["lastName"], one.get("externalCustomerId")) == ("First1", "Last1", "ext-1")
    assert three["address"]["town"] == "Kyiv" and "address" not in stored["spark-2@example.com"] or \
        not stored["spark-2@example.com"].get("address", {}).get("town")
    assert SECRET_KEY not in str(r)


def test_api_shaped_rows_without_arrow(spark, emulator_factory):
    emu = emulator_factory()
    df = spark.createDataFrame(
        [([{"type": "email", "value": f"shape-{i}@example.com"}], f"N{i}") for i in range(200)],
        "channels array<struct<type:string,value:string>>, firstName string").repartition(2)
    result = yespo.spark.upsert_dataframe(df, base_url=emu.base_url, rate_limit=0, chunk_size=50,
                                          use_arrow=False)
    assert result.ok, result.report
    assert result.report["accepted"] == 200 and result.report["sharedBudget"] is None
    assert result.failed.count() == 0
    assert emu.stored() == 200
