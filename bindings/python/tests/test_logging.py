"""The core's log lines arrive through logging.getLogger("yespo"); the key never appears."""

from __future__ import annotations

import logging

import pytest

import yespo
from yespo.testing import Emulator

from _data import contacts

SECRET = "s3cr3t-key-do-not-log"


def test_core_logs_reach_the_yespo_logger(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    emulator.set_faults([{"method": "POST", "path": "/api/v1/contacts", "count": 2, "action": "status", "status": 503}])
    with caplog.at_level(logging.DEBUG, logger="yespo"):
        with emulator.client(retry_base=0.01, rate_limit=0) as client:
            report = client.upsert_contacts(contacts(100))
    assert report.accepted == 100
    records = [r for r in caplog.records if r.name == "yespo"]
    assert records, "no log line from the core"
    assert any(r.levelno >= logging.INFO for r in records)


def test_key_never_in_logs_errors_or_reports(emulator: Emulator, caplog: pytest.LogCaptureFixture,
                                             tmp_path: object) -> None:
    with caplog.at_level(logging.DEBUG, logger="yespo"):
        with yespo.Client(api_key=SECRET, base_url=emulator.url, retry_base=0.01) as client:
            with pytest.raises(yespo.AuthenticationError) as info:
                client.upsert_contacts(contacts(10))
            with pytest.raises(yespo.AuthenticationError) as single:
                client.get_contact(1)
            text = repr(client)
    report = info.value.report
    assert report is not None
    blobs = [caplog.text, str(info.value), repr(info.value), str(single.value), text,
             repr(report), str(report.summary()), str([r.to_dict() for r in report.failed_rows()])]
    for blob in blobs:
        assert SECRET not in blob


def test_quiet_logger_gets_no_debug_lines(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="yespo"):
        with emulator.client(rate_limit=0) as client:
            client.upsert_contacts(contacts(10))
    assert not [r for r in caplog.records if r.name == "yespo" and r.levelno < logging.WARNING]


def test_a_server_echoing_the_key_is_masked_in_log_lines(emulator: Emulator,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    """The key right before a combining mark, and its Basic-auth form, reach logging masked."""
    import base64
    key = emulator.api_key
    basic = base64.b64encode(f":{key}".encode()).decode()
    emulator.config(duplicateBody=f"Duplicated request: {key}\u0301 Basic {basic}")
    emulator.set_faults([{"method": "POST", "path": "/api/v1/contacts", "count": 1, "action": "duplicated"}])
    with caplog.at_level(logging.DEBUG, logger="yespo"):
        with emulator.client(rate_limit=0) as client:
            report = client.upsert_contacts(contacts(5))
    emulator.config(duplicateBody="Duplicated request")
    assert report.accepted_by_duplicated_request == 5
    text = caplog.text
    assert "Duplicated request: [redacted]" in text
    assert key not in text and basic not in text
