"""Bulk upserts end to end: everything arrives, rejects, recovery, auth, reports."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import yespo
from yespo.testing import Emulator

from _data import contact, contacts, email


def _assert_adds_up(report: yespo.UpsertReport) -> None:
    assert report.complete
    assert (report.accepted + report.rejected + report.invalid + report.duplicates
            + report.not_sent) == report.rows


def test_100k_from_a_generator_all_arrive(client: yespo.Client, emulator: Emulator) -> None:
    consumed = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal consumed
        for i in range(1, 100_001):
            consumed += 1
            yield contact(i)

    report = client.upsert_contacts(rows(), group_names=["Big"])
    _assert_adds_up(report)
    assert consumed == 100_000
    assert (report.rows, report.accepted) == (100_000, 100_000)
    assert report.ok
    assert len(report.chunks) >= 34  # ≤ 3000 contacts a request
    assert all(c.status == "accepted" and c.async_session_id for c in report.chunks)
    assert len(set(report.session_ids)) == len(report.chunks)
    assert sum(c.rows for c in report.chunks) == 100_000
    emulator.flush_imports()
    assert emulator.summary()["contacts"] == 100_000
    assert emulator.stats()["contactsReceived"] == 100_000
    report.raise_for_failures()


def test_rows_are_read_lazily(client: yespo.Client) -> None:
    pulled = []

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(1, 20_001):
            pulled.append(i)
            yield contact(i)

    seen_max = []

    def progress(p: yespo.Progress) -> None:
        seen_max.append(len(pulled))

    client.upsert_contacts(rows(), batch_size=1000, progress=progress, progress_interval=0.01)
    assert len(pulled) == 20_000
    # The first progress call came before the generator was exhausted.
    assert seen_max and seen_max[0] < 20_000


@dataclasses.dataclass
class Person:
    channels: list[dict[str, str]]
    firstName: str
    externalCustomerId: Optional[str] = None


def test_dataclass_and_typed_dict_rows(client: yespo.Client, emulator: Emulator) -> None:
    typed: yespo.Contact = {"channels": [{"type": "email", "value": email(2)}], "firstName": "Typed"}
    rows: list[Any] = [
        Person(channels=[{"type": "email", "value": email(1)}], firstName="Dataclass", externalCustomerId="p-1"),
        typed,
        Person(channels=[{"type": "email", "value": email(3)}], firstName="NoneFields"),  # null values
    ]
    report = client.upsert_contacts(rows, wait=True)
    assert report.accepted == 3, list(report.failed_rows())
    names = {c["firstName"] for c in emulator.contacts()}
    assert names == {"Dataclass", "Typed", "NoneFields"}


def test_server_rejects_rows(client: yespo.Client, emulator: Emulator, tmp_path: Path) -> None:
    bad = [email(10), email(2000), email(4999)]
    emulator.set_faults([{"method": "POST", "path": "/api/v1/contacts", "probability": 1.0,
                          "action": "rejectRows", "match": bad}])
    report = client.upsert_contacts(contacts(5000))
    _assert_adds_up(report)
    assert (report.accepted, report.rejected) == (4997, 3)
    rejects = report.rejects
    assert [r.row for r in rejects] == [10, 2000, 4999]
    assert all(r.outcome == "rejected" and r.reason for r in rejects)
    assert rejects[0].contact is not None and email(10) in json.dumps(rejects[0].contact)
    assert not report.ok
    with pytest.raises(yespo.YespoError, match="3 rows rejected") as info:
        report.raise_for_failures()
    assert info.value.report is report

    path = tmp_path / "rejects.ndjson"
    assert report.rejects_to(path) == 3
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["row"] for line in lines] == [10, 2000, 4999]
    emulator.flush_imports()
    assert emulator.summary()["contacts"] == 4997


def test_bad_request_rows_are_isolated(emulator: Emulator) -> None:
    emulator.set_faults([{"method": "POST", "path": "/api/v1/contacts", "probability": 1.0,
                          "action": "badRequestRows", "match": [email(1500)]}])
    with emulator.client(chunk_size=1000, retry_base=0.01, rate_limit=0) as client:
        report = client.upsert_contacts(contacts(3000))
    _assert_adds_up(report)
    assert (report.accepted, report.rejected) == (2999, 1)
    assert [r.row for r in report.rejects] == [1500]


def test_recovers_from_429_and_5xx(emulator: Emulator) -> None:
    emulator.set_faults([
        {"method": "POST", "path": "/api/v1/contacts", "count": 3, "action": "status", "status": 429},
        {"method": "POST", "path": "/api/v1/contacts", "count": 2, "after": 4, "action": "status", "status": 503},
        {"method": "POST", "path": "/api/v1/contacts", "count": 1, "after": 6, "action": "drop"},
    ])
    with emulator.client(chunk_size=500, retry_base=0.01, retry_max=0.1, rate_limit=0) as client:
        report = client.upsert_contacts(contacts(6000))
    _assert_adds_up(report)
    assert report.accepted == 6000 and report.ok
    assert report.retries >= 5 and report.throttled >= 3  # a dropped reused connection may be re-sent by curl itself
    emulator.flush_imports()
    assert emulator.summary()["contacts"] == 6000
    assert emulator.stats()["faultsInjected"] == 6


def test_persistent_429_leaves_rows_unsent_not_lost(emulator: Emulator) -> None:
    emulator.set_faults([{"method": "POST", "path": "/api/v1/contacts", "probability": 1.0,
                          "action": "status", "status": 429}])
    with emulator.client(max_retries=1, retry_base=0.01, retry_max=0.02, rate_limit=0) as client:
        try:
            report = client.upsert_contacts(contacts(100))
        except yespo.RateLimitError as exc:  # a fatal 429 is raised with the report
            assert exc.report is not None
            report = exc.report
    _assert_adds_up(report)
    assert report.accepted == 0 and report.rejected + report.not_sent == 100


def test_auth_failure_raises_with_report(emulator: Emulator) -> None:
    with yespo.Client(api_key="wrong-key-s3cr3t", base_url=emulator.url, retry_base=0.01) as client:
        with pytest.raises(yespo.AuthenticationError) as info:
            client.upsert_contacts(contacts(100))
        err = info.value
        assert err.status == 401 and err.code == -5
        assert "wrong-key-s3cr3t" not in str(err) and "wrong-key-s3cr3t" not in repr(err)
        report = err.report
        assert report is not None
        _assert_adds_up(report)
        assert report.rows == 100 and report.accepted == 0 and report.not_sent == 100
        assert all(r.outcome == "notSent" for r in report.failed_rows())
        with pytest.raises(yespo.AuthenticationError):
            client.get_contact(1)
    assert emulator.summary()["contacts"] == 0


def test_wait_attaches_contact_ids(client: yespo.Client, emulator: Emulator) -> None:
    report = client.upsert_contacts(contacts(50), wait=True)
    accepted = list(report.rows_with("accepted"))
    assert len(accepted) == 50 and [r.row for r in accepted] == list(range(1, 51))
    stored = {c["id"] for c in emulator.contacts()}
    assert {r.contact_id for r in accepted} == stored
    assert all(c.import_status == "FINISHED" for c in report.chunks)


def test_duplicates_in_one_chunk(client: yespo.Client, emulator: Emulator) -> None:
    rows = list(contacts(1900))
    rows += [contact(i, channels=[{"type": "email", "value": email(i).upper()}]) for i in range(1, 101)]
    report = client.upsert_contacts(rows)
    _assert_adds_up(report)
    assert report.duplicates == 100 and report.accepted == 1900
    report.raise_for_failures()  # duplicates are not failures
    emulator.flush_imports()
    assert emulator.summary()["contacts"] == 1900


def test_dry_run_sends_nothing(client: yespo.Client, emulator: Emulator) -> None:
    report = client.upsert_contacts(contacts(10), dry_run=True)
    assert report.dry_run and report.rows == 10
    assert emulator.stats()["bulkRequests"] == 0


def test_empty_input(client: yespo.Client) -> None:
    report = client.upsert_contacts([])
    assert report.rows == 0 and report.complete and report.ok


def test_progress_fits_tqdm(client: yespo.Client) -> None:
    calls: list[yespo.Progress] = []
    report = client.upsert_contacts(list(contacts(9000)), progress=calls.append, progress_interval=0.01)
    assert calls, "progress was never reported"
    last = calls[-1]
    assert last.done and last.rows_done == 9000 == last.total
    assert last.accepted == report.accepted
    assert all(a.rows_done <= b.rows_done for a, b in zip(calls, calls[1:]))
    assert [p.done for p in calls].count(True) == 1


def test_upsert_csv_file(client: yespo.Client, emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    lines = ["Email,First name,Last name,Score"]
    for i in range(1, 1001):
        lines.append(f"{'broken@' if i == 500 else email(i)},First{i},Last{i},{i}")
    path.write_text("\n".join(lines) + "\n")
    report = client.upsert_file(path, columns={"Score": "12345"})
    _assert_adds_up(report)
    assert (report.accepted, report.invalid) == (999, 1)
    (bad,) = report.invalid_rows
    assert bad.row == 500 and bad.reason
    emulator.flush_imports()
    stored = {c["channels"][0]["value"]: c for c in emulator.contacts()}
    assert stored[email(7)]["fields"] == [{"id": 12345, "value": "7"}] or stored[email(7)]["fields"][0]["value"] == "7"


def test_upsert_ndjson_file(client: yespo.Client, tmp_path: Path) -> None:
    path = tmp_path / "people.ndjson"
    path.write_text("".join(json.dumps(contact(i)) + "\n" for i in range(1, 101)))
    report = client.upsert_file(str(path))
    assert report.accepted == 100
    with pytest.raises(yespo.FileAccessError):
        client.upsert_file(tmp_path / "missing.csv")
    with pytest.raises(yespo.ValidationError, match="format"):
        client.upsert_file(path, format="xml")


def test_report_rows_api(client: yespo.Client) -> None:
    report = client.upsert_contacts([contact(1), {"channels": []}])
    assert [r.outcome for r in report.rows_with()] == ["accepted", "invalid"]
    assert [r.row for r in report.rows_with("invalid", "rejected")] == [2]
    with pytest.raises(yespo.ValidationError, match="unknown outcome kind"):
        list(report.rows_with("lost"))
    summary = report.summary()
    assert summary["rows"] == 2 and summary["complete"] is True
    report.close()
    report.close()  # idempotent
    with pytest.raises(yespo.StateError, match=r"close\(\) was called"):
        list(report.rows_with())
    assert report.accepted == 1
