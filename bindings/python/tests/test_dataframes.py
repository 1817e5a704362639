"""upsert_dataframe / upsert_contacts with pandas, polars and pyarrow tables: column mapping,
bulk conversion, blank cells, types, rejects as a table of the same library, cancellation, tqdm."""

from __future__ import annotations

import asyncio
import io
import threading
from typing import Any

import pytest

import yespo
from yespo.testing import Emulator

pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

FAST = dict(retry_base=0.01, retry_max=0.2, rate_limit=0)


def _stored(emulator: Emulator) -> dict[str, dict[str, Any]]:
    """email → stored contact."""
    emulator.flush_imports()
    out = {}
    for c in emulator.contacts():
        for ch in c["channels"]:
            if ch["type"] == "email":
                out[ch["value"]] = c
    return out


def _export(n: int = 6) -> dict[str, list[Any]]:
    """A CRM export: headers in several spellings, a custom field, bad and blank cells."""
    return {
        "E-mail address": [f"p{i}@example.com" for i in range(n - 1)] + ["not-an-email"],
        "First Name": ["Anna", "  Bohdan ", None, "", 'Q"uote\\back', "X"],
        "surname": ["Smith", "Müller", "O'Brien", "Nguyen", "Line\nBreak", "Y"],
        "Mobile": ["+380 50 123 45 67", None, "380501234568", "", None, None],
        "City": ["Kyiv", None, "Lviv", None, None, None],
        "ZIP": ["01001", None, None, None, None, None],
        "Notes": ["ignored"] * n,
    }


def test_polars_recognised_columns(emulator: Emulator) -> None:
    df = pl.DataFrame(_export())
    with emulator.client(**FAST) as client:
        report = client.upsert_dataframe(df)
    assert isinstance(report, yespo.FrameUpsertReport)
    assert report.columns == {"email": "E-mail address", "firstName": "First Name", "lastName": "surname",
                              "sms": "Mobile", "town": "City", "postcode": "ZIP"}
    assert report.rows == 6 and report.accepted == 5 and report.invalid == 1 and report.complete
    stored = _stored(emulator)
    anna = stored["p0@example.com"]
    assert anna["firstName"] == "Anna" and anna["lastName"] == "Smith"
    assert {"type": "sms", "value": "380501234567"} in anna["channels"]
    assert anna["address"] == {"town": "Kyiv", "postcode": "01001"}
    assert stored["p1@example.com"]["firstName"] == "Bohdan"  # trimmed, like a CSV cell
    assert "firstName" not in stored["p2@example.com"]  # null: left out
    assert "firstName" not in stored["p3@example.com"] and len(stored["p3@example.com"]["channels"]) == 1
    assert stored["p4@example.com"]["firstName"] == 'Q"uote\\back'
    assert stored["p4@example.com"]["lastName"] == "Line\nBreak"
    assert "address" not in stored["p1@example.com"]


@pytest.mark.parametrize("kind", ["polars", "pandas", "pyarrow", "lazy"])
def test_every_library_gives_the_same_result_and_its_own_rejects(emulator: Emulator, kind: str) -> None:
    base = pl.DataFrame(_export())
    frame: Any = {"polars": base, "pandas": base.to_pandas(), "pyarrow": base.to_arrow(),
                  "lazy": base.lazy()}[kind]
    with emulator.client(**FAST) as client:
        report = client.upsert_contacts(frame)  # routed to upsert_dataframe
    assert isinstance(report, yespo.FrameUpsertReport)
    assert report.accepted == 5 and report.invalid == 1
    bad = report.rejects_frame()
    expected_type = {"polars": pl.DataFrame, "pandas": pd.DataFrame, "pyarrow": pa.Table, "lazy": pl.DataFrame}
    assert isinstance(bad, expected_type[kind])
    if kind == "pandas":
        assert list(bad.index) == [5]
        row = bad.iloc[0]
        assert row["yespo_row"] == 6 and row["yespo_outcome"] == "invalid"
        assert "not-an-email" in row["yespo_reason"] and row["Notes"] == "ignored"
    else:
        table = bad.to_pylist() if kind == "pyarrow" else bad.to_dicts()
        assert len(table) == 1
        assert table[0]["yespo_row"] == 6 and table[0]["yespo_outcome"] == "invalid"
        assert table[0]["E-mail address"] == "not-an-email" and table[0]["Notes"] == "ignored"
    names = bad.column_names if kind == "pyarrow" else list(bad.columns)
    assert names[:3] == ["yespo_row", "yespo_outcome", "yespo_reason"]
    assert len(report.rejects_frame("accepted")) == 5
    assert len(_stored(emulator)) == 5


def test_pandas_mapping_types_and_custom_fields(emulator: Emulator) -> None:
    nan = float("nan")
    df = pd.DataFrame({
        "mail": ["a@x.co", "b@x.co", "c@x.co", "d@x.co"],
        "phone": [380501112233.0, nan, 380501112234.0, nan],  # pandas turns a column with NaN into floats
        "ext": [101, 102, 103, 104],
        "score": [1.5, nan, 3.0, float("inf")],
        "vip": [True, False, True, None],
        "since": pd.to_datetime(["2024-01-02", None, "2024-03-04", "2024-05-06"]),
        "lang": pd.Categorical(["uk", "en", None, "de"]),
    })
    with emulator.client(**FAST) as client:
        report = client.upsert_dataframe(df, columns={
            "email": "mail", "sms": "phone", "externalCustomerId": "ext", "12345": "score", 777: "vip",
            "firstName": "since", "languageCode": "lang"}, dedupe_on="email")
    assert report.accepted == 4, list(report.failed_rows())
    stored = _stored(emulator)
    a, b, c, d = (stored[f"{k}@x.co"] for k in "abcd")
    assert {"type": "sms", "value": "380501112233"} in a["channels"]
    assert [ch["type"] for ch in b["channels"]] == ["email"]
    assert a["externalCustomerId"] == "101"
    fields = {f["id"]: f["value"] for f in a["fields"]}
    assert fields == {12345: "1.5", 777: "true"}
    assert {f["id"]: f["value"] for f in b["fields"]} == {777: "false"}
    assert {f["id"]: f["value"] for f in c["fields"]} == {12345: "3", 777: "true"}
    assert d["fields"] == []  # inf and None are blank
    assert a["firstName"].startswith("2024-01-02") and "firstName" not in b
    assert a["languageCode"] == "uk" and "languageCode" not in c


def test_several_columns_of_one_channel_and_ids(emulator: Emulator) -> None:
    with emulator.client(**FAST) as client:
        first = client.upsert_dataframe(pl.DataFrame({"Email": ["m@x.co"], "Email 2": ["m2@x.co"]}),
                                        columns={"email": ["Email", "Email 2"]}, wait=True)
        (row,) = list(first.rows_with("accepted"))
        assert row.contact_id is not None
        df = pl.DataFrame({"Contact id": [str(row.contact_id), "12x"], "Email": ["m@x.co", "n@x.co"],
                           "Name": ["Renamed", "N"]})
        report = client.upsert_dataframe(df, columns={"id": "Contact id", "email": "Email", "firstName": "Name"},
                                         dedupe_on="id")
    assert report.accepted == 1 and report.invalid == 1
    assert "id" in (report.invalid_rows[0].reason or "")
    emulator.flush_imports()
    (stored,) = [c for c in emulator.contacts() if c["id"] == row.contact_id]
    assert stored["firstName"] == "Renamed"
    assert {ch["value"] for ch in stored["channels"]} >= {"m@x.co"}


def test_mapping_errors_name_the_problem(emulator: Emulator) -> None:
    df = pl.DataFrame({"Email": ["a@x.co"], "Foo": ["x"]})
    with emulator.client(**FAST) as client:
        with pytest.raises(yespo.ValidationError, match="unknown contact field 'emial'"):
            client.upsert_dataframe(df, columns={"emial": "Email"})
        with pytest.raises(yespo.ValidationError, match="no column 'Mail'"):
            client.upsert_dataframe(df, columns={"email": "Mail"})
        with pytest.raises(yespo.ValidationError, match="no column of the frame is a known contact field"):
            client.upsert_dataframe(pl.DataFrame({"Foo": ["x"]}))
        with pytest.raises(yespo.ValidationError, match="only channel fields"):
            client.upsert_dataframe(df, columns={"firstName": ["Email", "Foo"]})
        with pytest.raises(yespo.ValidationError, match="columns= applies to DataFrames"):
            client.upsert_contacts([{"channels": []}], columns={"email": "Email"})
        with pytest.raises(yespo.ValidationError, match="cannot be a contact field"):
            client.upsert_dataframe(pl.DataFrame({"Email": [["a@x.co"]]}))
    assert emulator.summary()["contacts"] == 0


def test_empty_frame(emulator: Emulator) -> None:
    with emulator.client(**FAST) as client:
        report = client.upsert_dataframe(pl.DataFrame({"Email": pl.Series([], dtype=pl.String)}))
    assert report.rows == 0 and report.complete and len(report.rejects_frame()) == 0


def test_batches_number_rows_in_frame_order(emulator: Emulator) -> None:
    n = 25_000
    emails = [f"r{i}@x.co" if i % 1000 else f"bad{i}" for i in range(1, n + 1)]
    with emulator.client(concurrency=4, **FAST) as client:
        report = client.upsert_dataframe(pl.DataFrame({"Email": emails}), batch_size=3000)
    assert report.rows == n and report.invalid == 25
    assert [r.row for r in report.invalid_rows] == list(range(1000, n + 1, 1000))
    bad = report.rejects_frame()
    assert bad["Email"].to_list() == [f"bad{i}" for i in range(1000, n + 1, 1000)]


def test_cancel_reports_every_row_of_the_frame(emulator: Emulator) -> None:
    emulator.config(latencyMs=300)
    n = 40_000
    df = pl.DataFrame({"Email": [f"c{i}@x.co" for i in range(n)]})
    stop = threading.Event()
    threading.Timer(0.4, stop.set).start()
    with emulator.client(concurrency=2, chunk_size=500, **FAST) as client:
        report = client.upsert_dataframe(df, cancel=stop, batch_size=2000)
    assert report.cancelled and report.complete and report.rows == n
    bad = report.rejects_frame("notSent")
    assert len(bad) == report.not_sent and bad["yespo_row"].to_list()[-1] == n


def test_async_upsert_dataframe_and_cancellation(emulator: Emulator) -> None:
    df = pd.DataFrame({"Email": [f"as{i}@x.co" for i in range(20_000)], "First name": ["A"] * 20_000})

    async def main() -> None:
        async with emulator.async_client(concurrency=2, chunk_size=500, **FAST) as client:
            report = await client.upsert_dataframe(df.iloc[:5000])
            assert report.accepted == 5000 and isinstance(report.rejects_frame(), pd.DataFrame)
            emulator.config(latencyMs=300)
            started = asyncio.Event()
            task = asyncio.create_task(client.upsert_contacts(
                df, progress=lambda p: started.set() if p.chunks_done else None, progress_interval=0.01))
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as info:
                await task
            cancelled = info.value.yespo_report  # type: ignore[attr-defined]
            assert isinstance(cancelled, yespo.FrameUpsertReport)
            assert cancelled.cancelled and cancelled.rows == 20_000 and cancelled.complete
            assert len(cancelled.rejects_frame("notSent")) == cancelled.not_sent

    asyncio.run(main())


def test_tqdm_progress(emulator: Emulator) -> None:
    tqdm = pytest.importorskip("tqdm")
    out = io.StringIO()
    df = pl.DataFrame({"Email": [f"t{i}@x.co" for i in range(9000)]})
    bar = yespo.tqdm_progress(file=out, tqdm_class=tqdm.tqdm, desc="contacts", mininterval=0)
    with emulator.client(concurrency=2, chunk_size=1000, **FAST) as client:
        client.upsert_dataframe(df, progress=bar, progress_interval=0.01)
    assert bar.bar is not None and bar.bar.n == 9000 and bar.bar.total == 9000
    assert bar.last is not None and bar.last.done
    text = out.getvalue()
    assert "contacts" in text and "9.00k/9.00k" in text and "accepted=9000" in text


def test_tqdm_progress_for_rows_and_async(emulator: Emulator) -> None:
    tqdm = pytest.importorskip("tqdm")
    out = io.StringIO()

    async def main() -> None:
        async with emulator.async_client(**FAST) as client:
            with yespo.tqdm_progress(file=out, tqdm_class=tqdm.tqdm) as bar:
                await client.upsert_contacts([{"channels": [{"type": "email", "value": "z@x.co"}]}] * 3,
                                             progress=bar)
            assert bar.bar.n == 3

    asyncio.run(main())
