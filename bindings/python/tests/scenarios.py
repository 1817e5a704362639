"""The cross-binding scenarios of bindings/scenarios.md, run through the Python binding.

``run_all(emulator)`` returns {name: result} in the shape the Go suite writes too; with
``YESPO_SCENARIO_OUT=path`` set, test_scenarios.py writes it there as JSON for the cross-check.
Run standalone: ``python scenarios.py out.json`` (starts its own emulator).
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

import yespo
from yespo.testing import Emulator

from _data import contact, contacts, email, first_names_by_email

BULK = "/api/v1/contacts"
DUP = "dup@order.example"


def _client(emulator: Emulator, api_key: str = "test-key", chunk_size: Optional[int] = None) -> yespo.Client:
    return yespo.Client(api_key=api_key, base_url=emulator.url, concurrency=4, rate_limit=0,
                        retry_base=0.01, retry_max=0.2, max_retries=8, chunk_size=chunk_size)


def _result(report: yespo.UpsertReport, emulator: Emulator, chunks: bool = True) -> dict[str, Any]:
    emulator.flush_imports()
    fatal = None if report.fatal is None else {"code": report.fatal.code, "status": report.fatal.status}
    return {
        "rows": report.rows, "accepted": report.accepted, "rejected": report.rejected,
        "invalid": report.invalid, "duplicates": report.duplicates, "notSent": report.not_sent,
        "complete": report.complete, "cancelled": report.cancelled, "fatal": fatal,
        "failed": [[r.row, r.outcome] for r in report.failed_rows()],
        "emulatorContacts": emulator.summary()["contacts"],
    } | ({"chunks": len(report.chunks)} if chunks else {})


def _upsert(emulator: Emulator, rows: Iterable[Any], api_key: str = "test-key",
            chunk_size: Optional[int] = None, group_names: Optional[list[str]] = None,
            **upsert: Any) -> yespo.UpsertReport:
    with _client(emulator, api_key, chunk_size) as client:
        try:
            return client.upsert_contacts(rows, dedupe_on="email", group_names=group_names, **upsert)
        except yespo.YespoError as exc:
            if exc.report is None:
                raise
            return exc.report


def basic(emulator: Emulator) -> dict[str, Any]:
    def rows() -> Iterable[dict[str, Any]]:
        for i in range(1, 10_001):
            if i == 7:
                yield contact(i, channels=[{"type": "email", "value": "not-an-email-7"}])
            elif i == 77:
                yield contact(i, channels=[])
            elif i == 777:
                yield contact(i, channels=[{"type": "email", "value": "user 777@example.com"}])
            else:
                yield contact(i)
    return _result(_upsert(emulator, rows(), group_names=["scn-basic"]), emulator)


def rejects(emulator: Emulator) -> dict[str, Any]:
    emulator.set_faults([{"method": "POST", "path": BULK, "probability": 1.0, "action": "rejectRows",
                          "match": [email(10), email(2000), email(4999)]}], seed=1)
    return _result(_upsert(emulator, contacts(5000)), emulator)


def bad_request_rows(emulator: Emulator) -> dict[str, Any]:
    emulator.set_faults([{"method": "POST", "path": BULK, "probability": 1.0, "action": "badRequestRows",
                          "match": [email(1500)]}], seed=1)
    return _result(_upsert(emulator, contacts(3000), chunk_size=1000), emulator)


def duplicates(emulator: Emulator) -> dict[str, Any]:
    rows = list(contacts(1900))
    rows += [contact(i, channels=[{"type": "email", "value": email(i).upper()}]) for i in range(1, 101)]
    return _result(_upsert(emulator, rows), emulator)


def recovery(emulator: Emulator) -> dict[str, Any]:
    emulator.set_faults([
        {"method": "POST", "path": BULK, "count": 3, "action": "status", "status": 429},
        {"method": "POST", "path": BULK, "count": 2, "after": 4, "action": "status", "status": 503},
    ], seed=1)
    return _result(_upsert(emulator, contacts(6000), chunk_size=500), emulator)


def auth(emulator: Emulator) -> dict[str, Any]:
    return _result(_upsert(emulator, list(contacts(100)), api_key="wrong-key"), emulator)


def csv_file(emulator: Emulator) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts.csv"
        lines = ["Email,First name,Last name"]
        for i in range(1, 1001):
            lines.append(f"{'broken@' if i == 500 else email(i)},First{i},Last{i}")
        path.write_text("\n".join(lines) + "\n")
        with _client(emulator) as client:
            report = client.upsert_file(path, dedupe_on="email")
    return _result(report, emulator)


def repeated_key_rows() -> list[dict[str, Any]]:
    """Rows 5 and 1500 are one contact ("Old", then "New"); every row i > 1200 with i % 97 == 0
    reuses the email of row i - 1200 (keeping its own firstName)."""
    rows = list(contacts(6000))
    rows[4] = contact(5, channels=[{"type": "email", "value": DUP}], firstName="Old")
    rows[1499] = contact(1500, channels=[{"type": "email", "value": DUP}], firstName="New")
    for i in range(1201, 6001):
        if i % 97 == 0:
            rows[i - 1] = contact(i, channels=[{"type": "email", "value": email(i - 1200)}])
    return rows


def last_first_names(rows: list[dict[str, Any]]) -> dict[str, str]:
    """email -> firstName of its last row, for the emails that occur more than once."""
    seen: dict[str, int] = {}
    last: dict[str, str] = {}
    for row in rows:
        address = row["channels"][0]["value"]
        seen[address] = seen.get(address, 0) + 1
        last[address] = row["firstName"]
    return {k: v for k, v in last.items() if seen[k] > 1}


def repeated_keys(emulator: Emulator) -> dict[str, Any]:
    emulator.set_faults([{"method": "POST", "path": BULK, "count": 1, "action": "drop"}], seed=1)
    rows = repeated_key_rows()
    # Catch-up chunks of held rows depend on timing: "chunks" is left out.
    result = _result(_upsert(emulator, rows, chunk_size=1000), emulator, chunks=False)
    names = first_names_by_email(emulator.contacts())
    result["finalFirstNames"] = {k: names.get(k) for k in sorted(last_first_names(rows))}
    return result


CANCEL_AT = 3000


def cancellation(emulator: Emulator) -> dict[str, Any]:
    emulator.config(latencyMs=100)
    stop = threading.Event()
    consumed = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal consumed
        for i in range(1, 10_001):
            if i == CANCEL_AT:
                stop.set()  # before row 3000 is handed over
            consumed += 1
            yield contact(i)

    try:
        report = _upsert(emulator, rows(), chunk_size=500, cancel=stop, batch_size=1000)
    finally:
        emulator.config(latencyMs=0)
    emulator.flush_imports()
    listed = [(r.row, r.outcome, r.reason or "") for r in report.rows_with()]
    unfed = [row for row, _, reason in listed if reason.startswith("not handed to the job")]
    fatal = None if report.fatal is None else {"code": report.fatal.code, "status": report.fatal.status}
    return {
        "consumed": consumed, "rows": report.rows, "cancelled": report.cancelled,
        "complete": report.complete, "fatal": fatal,
        "addsUp": report.accepted + report.rejected + report.invalid + report.duplicates
                  + report.not_sent == report.rows,
        "rowsListed": [row for row, _, _ in listed] == list(range(1, report.rows + 1)),
        "failedAreNotSent": all(o == "notSent" for _, o, _ in listed if o != "accepted"),
        "unfedAreTheTail": 0 <= report.unfed <= report.not_sent
                           and unfed == list(range(report.rows - report.unfed + 1, report.rows + 1)),
        "emulatorMatchesAccepted": emulator.summary()["contacts"] == report.accepted,
    }


SCENARIOS: dict[str, Callable[[Emulator], dict[str, Any]]] = {
    "basic": basic,
    "rejects": rejects,
    "bad-request-rows": bad_request_rows,
    "duplicates": duplicates,
    "recovery": recovery,
    "auth": auth,
    "csv-file": csv_file,
    "repeated-keys": repeated_keys,
    "cancellation": cancellation,
}


def run(name: str, emulator: Emulator) -> dict[str, Any]:
    emulator.reset()
    emulator.clear_faults()
    try:
        return SCENARIOS[name](emulator)
    finally:
        emulator.clear_faults()


def run_all(emulator: Emulator) -> dict[str, dict[str, Any]]:
    return {name: run(name, emulator) for name in SCENARIOS}


def write(results: dict[str, Any], path: str) -> None:
    with open(path, "w") as out:
        json.dump(results, out, indent=1, sort_keys=True)
        out.write("\n")


if __name__ == "__main__":
    with Emulator() as emu:
        outcome = run_all(emu)
    if len(sys.argv) > 1:
        write(outcome, sys.argv[1])
    else:
        json.dump(outcome, sys.stdout, indent=1, sort_keys=True)

