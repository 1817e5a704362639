"""Write order: rows of the same contact end as if imported one by one in input order (the core's
write-order gate), ``ack_on``, and the report keys that come with it."""

from __future__ import annotations

from typing import Any

import pytest

import yespo
from yespo.report import UpsertReport
from yespo.testing import Emulator

from _data import contact, contacts, email, first_names_by_email

DUP = "dup@order.example"
STALL_FIRST_BULK = {"method": "POST", "path": "/api/v1/contacts", "count": 1, "action": "stall", "delayMs": 400}


def _rows_with_twin(n: int, earlier: int, later: int) -> list[dict[str, Any]]:
    rows = list(contacts(n))
    rows[earlier - 1] = contact(earlier, channels=[{"type": "email", "value": DUP}], firstName="Old")
    rows[later - 1] = contact(later, channels=[{"type": "email", "value": DUP}], firstName="New")
    return rows


def test_a_retried_earlier_chunk_does_not_overwrite_a_later_row(emulator: Emulator) -> None:
    # The core's regression scenario: rows 5 and 1500 are the same contact, the first bulk request
    # is dropped unanswered and retried while the other chunks go through.
    # The first attempt hangs 0.4 s before its connection is cut (the retry's own backoff is a
    # full-jitter draw that can be ~0), so the later chunks are surely admitted (row 1500 held
    # back behind row 5) before the first one is acknowledged.
    emulator.set_faults([STALL_FIRST_BULK])
    with emulator.client(chunk_size=1000, concurrency=4, retry_base=0.3, retry_max=0.3,
                         rate_limit=0) as client:
        report = client.upsert_contacts(_rows_with_twin(6000, 5, 1500))
    assert report.complete and report.ok, report
    assert report.accepted == 6000 and report.rows == 6000
    assert report.held_for_order >= 1
    assert report.unfed == 0 and report.unmapped_failure_count == 0
    assert emulator.stats()["faultsInjected"] == 1
    emulator.flush_imports()
    names = first_names_by_email(emulator.contacts())
    assert names[DUP] == "New", "an older row overwrote a newer one"
    assert len(names) == 5999


def test_ack_on_finished_waits_for_the_earlier_import(emulator: Emulator) -> None:
    emulator.config(importDelayMs=100)
    with emulator.client(chunk_size=100, concurrency=4, retry_base=0.01, rate_limit=0,
                         import_poll_interval=0.02) as client:
        report = client.upsert_contacts(_rows_with_twin(400, 5, 350), ack_on="finished")
    assert report.accepted == 400 and report.ok
    assert report.held_for_order >= 1
    accepted = list(report.rows_with("accepted"))
    # Waiting for the imports attaches contact ids, as wait=True does.
    assert len(accepted) == 400 and all(r.contact_id for r in accepted)
    assert all(c.import_status == "FINISHED" for c in report.chunks)
    assert first_names_by_email(emulator.contacts())[DUP] == "New"


def test_ack_on_accepted_is_the_default_and_can_be_given(client: yespo.Client) -> None:
    report = client.upsert_contacts(contacts(10), ack_on="accepted")
    assert report.accepted == 10
    assert all(r.contact_id is None and r.accepted_by is None for r in report.rows_with("accepted"))


@pytest.mark.parametrize("value", ["finish", "Accepted", "", None, 1, True])
def test_bad_ack_on_is_a_clear_error(client: yespo.Client, tmp_path: Any, value: Any) -> None:
    with pytest.raises(yespo.ValidationError, match=r"ack_on must be 'accepted' .* or 'finished'"):
        client.upsert_contacts(contacts(1), ack_on=value)
    path = tmp_path / "one.ndjson"
    path.write_text('{"channels":[{"type":"email","value":"a@b.co"}]}\n')
    with pytest.raises(yespo.ValidationError, match="ack_on"):
        client.upsert_file(path, ack_on=value)


def test_ack_on_finished_from_a_file(emulator: Emulator, tmp_path: Any) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Email,First name\n" + "".join(f"{email(i)},F{i}\n" for i in range(1, 51)))
    with emulator.client(import_poll_interval=0.02, rate_limit=0) as client:
        report = client.upsert_file(path, ack_on="finished")
    assert report.accepted == 50
    assert all(r.contact_id for r in report.rows_with("accepted"))


def test_report_reads_the_order_keys() -> None:
    summary = {
        "rows": 3, "accepted": 3, "rejected": 0, "invalid": 0, "duplicates": 0, "notSent": 0,
        "complete": True, "acceptedByDuplicatedRequest": 2, "heldForOrder": 1,
        "unmappedFailureCount": 101,
        "unmappedFailures": [{"chunk": 0, "reason": "bad phone"}, {"chunk": 2, "reason": "who?"}],
        "fatal": None, "cancelled": False, "dryRun": False, "chunks": [],
    }
    report = UpsertReport(summary, None)
    assert report.accepted_by_duplicated_request == 2
    assert report.held_for_order == 1
    assert report.unmapped_failure_count == 101
    assert report.unmapped_failures == [yespo.UnmappedFailure(0, "bad phone"),
                                        yespo.UnmappedFailure(chunk=2, reason="who?")]
    assert report.unfed == 0 and report.summary()["unfed"] == 0
    row = report._outcome({"row": 1, "outcome": "accepted", "reason": None, "asyncSessionId": None,
                           "contactId": None, "acceptedBy": "duplicatedRequest", "contact": None,
                           "raw": None})
    assert row.accepted_by == "duplicatedRequest"
    assert row.to_dict()["acceptedBy"] == "duplicatedRequest"
    # An older core's summary (no such keys) reads as zeros.
    old = UpsertReport({"rows": 0}, None)
    assert (old.accepted_by_duplicated_request, old.held_for_order, old.unmapped_failure_count,
            old.unmapped_failures) == (0, 0, 0, [])


def test_rows_carry_accepted_by(client: yespo.Client) -> None:
    report = client.upsert_contacts([contact(1), {"channels": []}])
    rows = {r.row: r for r in report.rows_with()}
    assert rows[1].outcome == "accepted" and rows[1].accepted_by is None
    assert rows[2].to_dict()["acceptedBy"] is None
    assert report.accepted_by_duplicated_request == 0 and report.unmapped_failures == []


def test_a_duplicated_request_answer_marks_rows_accepted_by(emulator: Emulator) -> None:
    # The request is processed but its answer is cut off; the retry meets "Duplicated request".
    emulator.config(duplicateWindowMs=5000)
    emulator.set_faults([{"method": "POST", "path": "/api/v1/contacts", "count": 1,
                          "action": "dropMidResponse"}])
    with emulator.client(retry_base=0.01, rate_limit=0) as client:
        report = client.upsert_contacts(list(contacts(100)))
    assert report.accepted == 100 and report.ok
    assert report.accepted_by_duplicated_request == 100
    assert {r.accepted_by for r in report.rows_with("accepted")} == {"duplicatedRequest"}
    assert emulator.stats()["duplicatedRequests"] == 1


def test_failures_naming_no_row_are_listed_unmapped(emulator: Emulator) -> None:
    # failedContacts entries carrying only a message cannot be tied to a row: the rows stay
    # accepted and the entries are listed.
    emulator.config(failedShape="message")
    emulator.set_faults([{"method": "POST", "path": "/api/v1/contacts", "probability": 1.0,
                          "action": "rejectRows", "match": [email(3), email(7), email(60)]}])
    with emulator.client(retry_base=0.01, rate_limit=0, chunk_size=50) as client:
        report = client.upsert_contacts(list(contacts(100)))
    assert report.accepted == 100 and report.rejected == 0
    assert report.unmapped_failure_count == 3
    assert sorted(report.unmapped_failures, key=lambda u: u.chunk) == [
        yespo.UnmappedFailure(0, "rejected by fault rule"),
        yespo.UnmappedFailure(0, "rejected by fault rule"),
        yespo.UnmappedFailure(1, "rejected by fault rule"),
    ]
