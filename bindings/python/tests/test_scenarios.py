"""The cross-binding scenarios (bindings/scenarios.md): expected results, and the JSON for the
Python/Go cross-check when YESPO_SCENARIO_OUT is set."""

from __future__ import annotations

import os
from typing import Any

import pytest

from yespo.testing import Emulator

import scenarios

_results: dict[str, Any] = {}

EXPECTED = {
    "basic": dict(rows=10_000, accepted=9997, invalid=3, failed=[[7, "invalid"], [77, "invalid"], [777, "invalid"]],
                  emulatorContacts=9997),
    "rejects": dict(rows=5000, accepted=4997, rejected=3,
                    failed=[[10, "rejected"], [2000, "rejected"], [4999, "rejected"]], emulatorContacts=4997),
    "bad-request-rows": dict(rows=3000, accepted=2999, rejected=1, failed=[[1500, "rejected"]],
                             emulatorContacts=2999),
    "duplicates": dict(rows=2000, accepted=1900, duplicates=100, emulatorContacts=1900),
    "recovery": dict(rows=6000, accepted=6000, failed=[], emulatorContacts=6000, chunks=12),
    "auth": dict(rows=100, accepted=0, notSent=100, fatal={"code": -5, "status": 401}, emulatorContacts=0),
    "csv-file": dict(rows=1000, accepted=999, invalid=1, failed=[[500, "invalid"]], emulatorContacts=999),
    # 6000 rows, 1 + 49 of them rewriting an earlier contact: 5950 contacts, each with its last row.
    "repeated-keys": dict(rows=6000, accepted=6000, duplicates=0, failed=[], emulatorContacts=5950,
                          finalFirstNames=scenarios.last_first_names(scenarios.repeated_key_rows())),
    "cancellation": dict(consumed=3000, rows=3000, cancelled=True, fatal={"code": -12, "status": 0},
                         addsUp=True, rowsListed=True, failedAreNotSent=True, unfedAreTheTail=True,
                         emulatorMatchesAccepted=True),
}


@pytest.mark.parametrize("name", list(scenarios.SCENARIOS))
def test_scenario(name: str, emulator: Emulator) -> None:
    result = scenarios.run(name, emulator)
    _results[name] = result
    assert result["complete"]
    for key, value in EXPECTED[name].items():
        assert result[key] == value, (name, key, result[key])
    if name == "duplicates":
        assert len(result["failed"]) == 100 and all(o == "duplicate" for _, o in result["failed"])
    if name == "repeated-keys":
        names = result["finalFirstNames"]
        assert len(names) == 50 and names[scenarios.DUP] == "New"
        assert "chunks" not in result


def test_write_scenario_results() -> None:
    out = os.environ.get("YESPO_SCENARIO_OUT")
    if not out:
        pytest.skip("YESPO_SCENARIO_OUT not set")
    assert set(_results) == set(scenarios.SCENARIOS), "run the whole file to write every scenario"
    scenarios.write(_results, out)
