"""yespo.testing: the Emulator context manager and the auto-registered pytest fixture."""

from __future__ import annotations


import pytest

import yespo
from yespo.testing import Emulator


def test_plugin_registered_by_entry_point(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    assert manager.has_plugin("yespo"), "the pytest11 entry point of yespo is not registered"


def test_fixture_yields_running_reset_emulator(emulator: Emulator) -> None:
    assert emulator.running and emulator.url.startswith("http://127.0.0.1:")
    assert emulator.url.endswith("/api/v1")
    assert emulator.summary()["contacts"] == 0


def test_emulator_context_manager_starts_and_stops() -> None:
    with Emulator(import_delay_ms=0, api_keys=["other-key"]) as emu:
        proc = emu._proc
        assert proc is not None and emu.running
        with emu.client() as client:  # uses the emulator's key
            cid = client.add_contact({"channels": [{"type": "email", "value": "a@example.com"}]})
        assert emu.contact(cid)["source"] == "api"
        with yespo.Client(api_key="test-key", base_url=emu.url) as wrong:
            with pytest.raises(yespo.AuthenticationError):
                wrong.get_contact(cid)
        assert emu.config()["importDelayMs"] == 0
        emu.set_faults([{"path": "/api/v1/contact/*", "count": 1, "action": "status", "status": 500}])
        emu.clear_faults()
        assert emu.stats()["requests"] >= 1
        emu.reset_stats()
        assert emu.groups() == [] and emu.events() == [] and emu.imports() == []
        emu.reset()
        assert emu.summary()["contacts"] == 0
    assert not emu.running
    assert proc.poll() is not None  # the process is gone, not left behind
    emu.stop()  # idempotent


def test_bad_binary_is_a_clear_error(tmp_path: object) -> None:
    with pytest.raises(FileNotFoundError, match="/nonexistent/yespo-emulator"):
        Emulator(binary="/nonexistent/yespo-emulator").start()


def test_emulator_stops_on_failure_inside_block() -> None:
    emu = Emulator()
    with pytest.raises(ZeroDivisionError):
        with emu:
            1 / 0
    assert not emu.running

