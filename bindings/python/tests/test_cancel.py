"""Cancellation: from the progress callback, from another thread, and Ctrl-C — always a clean,
complete report saying what was not sent."""

from __future__ import annotations

import _thread
import threading
from typing import Any, Iterator

import pytest

import yespo
from yespo.testing import Emulator

from _data import contact, contacts


@pytest.fixture
def slow_emulator(emulator: Emulator) -> Emulator:
    emulator.config(latencyMs=300)
    return emulator


def _slow_client(emulator: Emulator) -> yespo.Client:
    return emulator.client(concurrency=2, chunk_size=500, retry_base=0.01, rate_limit=0)


def _check_cancelled(report: yespo.UpsertReport, rows: int) -> None:
    assert report.cancelled
    assert report.complete and report.rows <= rows
    assert report.not_sent > 0
    assert report.accepted < rows
    with pytest.raises(yespo.CancelledError):
        report.raise_for_failures()


def test_cancel_from_progress_callback(slow_emulator: Emulator) -> None:
    def progress(p: yespo.Progress) -> None:
        if p.chunks_done >= 1:
            p.cancel()

    with _slow_client(slow_emulator) as client:
        report = client.upsert_contacts(contacts(20_000), progress=progress, progress_interval=0.02)
    _check_cancelled(report, 20_000)
    assert report.accepted >= 500
    not_sent = [r for r in report.failed_rows() if r.outcome == "notSent"]
    assert len(not_sent) == report.not_sent


def test_cancel_from_another_thread(slow_emulator: Emulator) -> None:
    stop = threading.Event()
    timer = threading.Timer(0.5, stop.set)
    timer.start()
    try:
        with _slow_client(slow_emulator) as client:
            report = client.upsert_contacts(contacts(20_000), cancel=stop)
    finally:
        timer.cancel()
    _check_cancelled(report, 20_000)


def test_ctrl_c_cancels_and_reports(slow_emulator: Emulator) -> None:
    threading.Timer(0.5, _thread.interrupt_main).start()
    with _slow_client(slow_emulator) as client:
        with pytest.raises(KeyboardInterrupt) as info:
            client.upsert_contacts(contacts(20_000))
        report = info.value.yespo_report  # type: ignore[attr-defined]
        _check_cancelled(report, 20_000)
        # The client is still usable after an interrupted job.
        assert client.add_contact(contact(1)) > 0


def test_exception_in_progress_callback_cancels(slow_emulator: Emulator) -> None:
    def progress(p: yespo.Progress) -> None:
        if p.rows_read:
            raise ValueError("progress bar broke")

    with _slow_client(slow_emulator) as client:
        with pytest.raises(ValueError, match="progress bar broke") as info:
            client.upsert_contacts(contacts(20_000), progress=progress, progress_interval=0.02)
    report = info.value.yespo_report  # type: ignore[attr-defined]
    assert report.complete and report.not_sent > 0


def test_closing_the_client_during_an_upsert_cancels_it_cleanly(slow_emulator: Emulator) -> None:
    client = _slow_client(slow_emulator)
    closer = threading.Timer(0.5, client.close)
    closer.start()
    report = client.upsert_contacts(contacts(20_000))
    closer.join()
    _check_cancelled(report, 20_000)
    assert client.closed
    with pytest.raises(yespo.StateError):
        client.upsert_contacts([contact(1)])


def test_rows_never_fed_are_reported_not_sent(slow_emulator: Emulator) -> None:
    def rows() -> Iterator[dict[str, Any]]:
        yield from contacts(50_000)

    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    with _slow_client(slow_emulator) as client:
        report = client.upsert_contacts(rows(), cancel=stop, batch_size=2000)
    assert report.complete
    failed = list(report.failed_rows())
    assert len(failed) == report.rows - report.accepted
    assert sorted(r.row for r in failed) == [r.row for r in failed]


def _check_unfed_tail(report: yespo.UpsertReport) -> None:
    """Unfed rows are counted in rows and not_sent, and are the last rows, notSent."""
    assert report.complete and 0 <= report.unfed <= report.not_sent
    not_sent = list(report.rows_with("notSent"))
    assert len(not_sent) == report.not_sent
    unfed = [r.row for r in not_sent if (r.reason or "").startswith("not handed to the job")]
    assert unfed == list(range(report.rows - report.unfed + 1, report.rows + 1))
    assert report.summary()["unfed"] == report.unfed
    assert len(list(report.rows_with())) == report.rows


def test_no_row_is_read_after_a_cancel_and_counts_add_up(slow_emulator: Emulator) -> None:
    stop = threading.Event()
    consumed = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal consumed
        for i in range(1, 50_001):
            if i == 3000:
                stop.set()  # seen before the batch ending with this row is handed over
            consumed += 1
            yield contact(i)

    with _slow_client(slow_emulator) as client:
        report = client.upsert_contacts(rows(), cancel=stop, batch_size=1000)
    assert consumed == 3000
    assert report.cancelled and report.rows == consumed
    _check_unfed_tail(report)


def test_a_cancelled_list_reports_every_row(slow_emulator: Emulator) -> None:
    def progress(p: yespo.Progress) -> None:
        if p.rows_read:
            p.cancel()

    data = list(contacts(30_000))
    with _slow_client(slow_emulator) as client:
        report = client.upsert_contacts(data, progress=progress, progress_interval=0.01, batch_size=1000)
    assert report.cancelled
    # A list is given whole: its rows never read are reported (unfed, not sent) too.
    assert report.rows == 30_000 and report.unfed > 0
    _check_unfed_tail(report)
    last = report.rows_with("notSent")
    assert [r.row for r in last][-1] == 30_000
