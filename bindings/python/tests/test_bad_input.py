"""Bad input never crashes: every row still gets an outcome naming it, or the call fails with a
ValidationError saying what and where."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import pytest

import yespo
from yespo.testing import Emulator

from _data import contact, email


class Unencodable:
    def __repr__(self) -> str:
        return "<Unencodable>"


def test_every_kind_of_bad_row_gets_an_outcome(client: yespo.Client, emulator: Emulator) -> None:
    rows: list[Any] = [
        contact(1),                                              # 1 fine
        "just a string",                                         # 2 not an object
        42,                                                      # 3 not an object
        None,                                                    # 4 not an object
        [contact(5)],                                            # 5 a list, not an object
        contact(6, firstName=float("nan")),                      # 6 NaN
        contact(7, fields=[{"id": 1, "value": float("inf")}]),   # 7 Infinity, nested
        contact(8, firstName=b"bytes"),                          # 8 bytes
        contact(9, extra={1: "non-string key"}),                 # 9 non-str key
        contact(10, firstName="x" * 5_000_000),                  # 10 huge string (> 40 chars)
        contact(11, firstName="\ud800"),                         # 11 lone surrogate
        contact(12, lastName=Unencodable()),                     # 12 unknown object
        contact(13, firstName=123),                              # 13 wrong type for a known key
        {"firstName": "No channel"},                             # 14 no channel
        {"channels": "email"},                                   # 15 channels not an array
        contact(16, id="abc"),                                   # 16 id not an integer
        contact(17, note=decimal.Decimal("1.5")),                # 17 Decimal: orjson refuses
        contact(18, seen=datetime.datetime(2024, 1, 2, 3, 4, 5)),  # 18 fine: an unknown key, ISO text
        {},                                                      # 19 empty object
        contact(20),                                             # 20 fine
    ]
    report = client.upsert_contacts(rows)
    assert report.rows == len(rows) and report.complete
    assert report.accepted == 3, [(r.row, r.reason) for r in report.failed_rows()]
    invalid = {r.row: r for r in report.invalid_rows}
    assert set(invalid) == set(range(2, 18)) | {19}
    for row, outcome in invalid.items():
        assert outcome.reason, row
    assert "NaN" in (invalid[6].reason or "") and "['firstName']" in (invalid[6].reason or "")
    assert "['fields'][0]['value']" in (invalid[7].reason or "")
    assert "bytes" in (invalid[8].reason or "")
    assert "row 12" in (invalid[12].reason or "") and "<Unencodable>" in (invalid[12].raw or "")
    emulator.flush_imports()
    assert emulator.summary()["contacts"] == 3
    with pytest.raises(yespo.ValidationError, match="row 2") as info:
        report.raise_for_failures()
    assert info.value.report is report


def test_python_invalid_rows_keep_row_numbers(client: yespo.Client) -> None:
    # Unencodable rows in the middle of big batches must not shift the numbering of later rows.
    rows: list[Any] = [contact(i) for i in range(1, 12_001)]
    for i in (7, 5000, 5001, 11_999):
        rows[i - 1] = contact(i, firstName=b"\xff")
    rows[776] = contact(777, channels=[{"type": "email", "value": "not-an-email"}])
    report = client.upsert_contacts(rows, batch_size=5000)
    assert [r.row for r in report.invalid_rows] == [7, 777, 5000, 5001, 11_999]
    assert report.accepted == 12_000 - 5


@pytest.mark.parametrize("bad", [
    {"a": 1},          # a single dict, not an iterable of them
    "rows",
    b"rows",
    42,
])
def test_contacts_must_be_an_iterable_of_rows(client: yespo.Client, bad: Any) -> None:
    with pytest.raises(yespo.ValidationError, match="contacts must be an iterable"):
        client.upsert_contacts(bad)


@pytest.mark.parametrize("kwargs, message", [
    ({"dedupe_on": "mail"}, "dedupe_on must be one of"),
    ({"group_names": "Customers"}, "wrap a single name in a list"),
    ({"group_names": ["ok", 5]}, r"group_names\[1\] must be a str"),
    ({"custom_field_ids": ["12"]}, r"custom_field_ids\[0\] must be an int"),
    ({"wait": "yes"}, "wait must be a bool"),
    ({"batch_size": 0}, "batch_size must be between"),
    ({"progress": 5}, "progress must be callable"),
    ({"field_id": -1}, "field_id must be between"),
])
def test_bad_options_fail_before_anything_is_sent(client: yespo.Client, emulator: Emulator,
                                                  kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(yespo.ValidationError, match=message):
        client.upsert_contacts([contact(1)], **kwargs)
    assert emulator.stats()["bulkRequests"] == 0


def test_core_rejects_field_id_dedupe_without_field(client: yespo.Client) -> None:
    with pytest.raises(yespo.ValidationError) as info:
        client.upsert_contacts([contact(1)], dedupe_on="fieldId")
    assert "fieldId" in info.value.message


def test_generator_that_raises_stops_cleanly(client: yespo.Client, emulator: Emulator) -> None:
    def rows() -> Any:
        for i in range(1, 20_001):
            if i == 12_345:
                raise RuntimeError("database went away")
            yield contact(i)

    with pytest.raises(RuntimeError, match="database went away") as info:
        client.upsert_contacts(rows(), batch_size=1000)
    report = info.value.yespo_report  # type: ignore[attr-defined]
    assert report.complete
    assert report.rows <= 12_344
    # The client still works afterwards.
    assert client.add_contact(contact(99_999)) > 0


def test_oversized_row_does_not_crash(client: yespo.Client) -> None:
    rows = [contact(1, notes="y" * 9_000_000), contact(2)]  # larger than a chunk's byte cap
    report = client.upsert_contacts(rows)
    assert report.complete and report.rows == 2
    assert report.accepted >= 1
    assert {r.row for r in report.failed_rows()} <= {1}


def test_email_normalised(client: yespo.Client, emulator: Emulator) -> None:
    client.upsert_contacts([{"channels": [{"type": "email", "value": "  MiXeD@Example.COM "}]}])
    emulator.flush_imports()
    assert emulator.contacts()[0]["channels"][0]["value"] == "mixed@example.com"
    assert email(1)
