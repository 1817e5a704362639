"""The shared budget's options in the Python binding (the budget itself, across processes and
doors with a real Redis, is tests/shared_budget): checked arguments, Redis unreachable at start
(an error naming the URL without its password, or the local fallback in the report)."""

from __future__ import annotations

import socket

import pytest

import yespo
from yespo.testing import Emulator


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_bad_shared_budget_options_are_validation_errors(emulator: Emulator) -> None:
    with pytest.raises(yespo.ValidationError, match="shared_budget_fallback"):
        emulator.client(shared_budget_fallback="maybe")
    with pytest.raises(yespo.ValidationError):
        emulator.client(shared_budget_processes=0)
    with pytest.raises(yespo.ValidationError, match="redis://"):
        emulator.client(rate_limit=10, shared_budget="http://127.0.0.1:6379")
    with pytest.raises(yespo.ValidationError, match="rate"):
        emulator.client(rate_limit=0, shared_budget="redis://127.0.0.1:6379/0")


def test_unreachable_redis_is_a_transport_error_without_the_password(emulator: Emulator) -> None:
    port = _closed_port()
    with pytest.raises(yespo.TransportError) as info:
        emulator.client(rate_limit=10, shared_budget=f"redis://:hunter2@127.0.0.1:{port}/0")
    assert f"redis://127.0.0.1:{port}/0" in str(info.value)
    assert "hunter2" not in str(info.value) and emulator.api_key not in str(info.value)


def test_local_fallback_at_start_is_in_the_report(emulator: Emulator) -> None:
    port = _closed_port()
    with emulator.client(rate_limit=40, shared_budget=f"redis://:hunter2@127.0.0.1:{port}/0",
                         shared_budget_name="py-options", shared_budget_fallback="local",
                         shared_budget_processes=2) as client:
        report = client.upsert_contacts([{"channels": [{"type": "email", "value": f"sb{i}@example.com"}]}
                                         for i in range(20)])
    assert report.accepted == 20
    budget = report.shared_budget
    assert budget is not None
    assert budget["name"] == "py-options" and budget["mode"] == "local" and budget["localRate"] == 20
    assert budget["fallbacks"] == 1 and budget["fallbackSince"] and budget["rejoined"] is None
    assert "hunter2" not in str(report.summary())


def test_no_shared_budget_by_default(client: yespo.Client) -> None:
    report = client.upsert_contacts([{"channels": [{"type": "email", "value": "plain@example.com"}]}])
    assert report.shared_budget is None
