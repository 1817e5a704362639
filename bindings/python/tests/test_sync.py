"""Incremental sync through the Python binding against the emulator: first run sends all, the
second only changed/new rows, the third nothing; removed rows and the delete cap; the key never in
the state; SQLite and PostgreSQL (a throwaway server from scripts/pg-temp.sh)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import tempfile
from typing import Any, Iterator

import orjson
import pytest

import yespo
from yespo.testing import Emulator

# None when the tests run from an installed wheel without the repository (make test-wheel).
ROOT = next((p for p in pathlib.Path(__file__).resolve().parents if (p / "Package.swift").exists()), None)


def rows(n: int, changed: dict[int, str] | None = None) -> list[dict[str, Any]]:
    changed = changed or {}
    return [{"firstName": changed.get(i, f"v1-{i}"), "channels": [{"type": "email", "value": f"py-{i}@example.com"}]}
            for i in range(n)]


def names(emulator: Emulator) -> dict[str, str]:
    emulator.flush_imports()
    out = {}
    for c in emulator.contacts():
        if c.get("deleted"):
            continue
        for ch in c.get("channels") or []:
            if ch.get("type") == "email":
                out[ch["value"]] = c.get("firstName")
    return out


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    if ROOT is None:
        pytest.skip("needs the repository's scripts/pg-temp.sh")
    d = tempfile.mkdtemp(prefix="yespo-py-pg-")
    script = str(ROOT / "scripts" / "pg-temp.sh")
    p = subprocess.run(["bash", script, "start", d], capture_output=True, text=True)
    if p.returncode != 0:
        pytest.fail(f"could not start PostgreSQL: {p.stderr[-400:]}")
    try:
        yield p.stdout.strip()
    finally:
        subprocess.run(["bash", script, "stop", d], check=False)


def three_runs(client: yespo.Client, emulator: Emulator, state: str, tmp: pathlib.Path) -> None:
    first = client.sync_contacts(rows(200), state=state, missing="delete")
    assert (first.new, first.sent, first.committed) == (200, 200, 200)
    assert first.clean

    # 3 changed, 2 new, 1 removed: the removed one is deleted (within --max-deletes 1)
    source = rows(202, changed={1: "v2", 50: "v2", 99: "v2"})
    del source[10]
    emulator.reset_stats()
    second = client.sync_contacts(source, state=state, missing="delete", max_deletes=1)
    assert (second.changed, second.new, second.sent) == (3, 2, 5)
    assert second.missing is not None and second.missing["count"] == 1 and second.missing["acted"] == 1
    assert emulator.stats()["contactsReceived"] == 5
    stored = names(emulator)
    assert "py-10@example.com" not in stored
    assert stored["py-50@example.com"] == "v2"

    # the same source from a file: nothing to send
    path = tmp / "crm.ndjson"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in source))
    emulator.reset_stats()
    third = client.sync_file(path, state=state, missing="delete")
    assert third.sent == 0 and third.unchanged == 201
    assert emulator.stats()["contactsReceived"] == 0

    # a truncated source: refused by the cap, nothing deleted
    short = client.sync_contacts(source[:20], state=state, missing="delete")
    assert short.refused is not None and "max-deletes" in short.refused
    assert short.missing is not None and short.missing["acted"] == 0
    assert len(names(emulator)) == 201

    status = yespo.sync_status(state)
    assert status["entries"] == 201
    assert status["runs"][0]["status"] == "refused"


def test_sync_sqlite(client: yespo.Client, emulator: Emulator, tmp_path: pathlib.Path) -> None:
    state = str(tmp_path / "state.db")
    three_runs(client, emulator, state, tmp_path)
    data = (tmp_path / "state.db").read_bytes()
    assert b"test-key" not in data
    assert b"@example.com" not in data


def test_sync_postgres(client: yespo.Client, emulator: Emulator, tmp_path: pathlib.Path, postgres: str) -> None:
    three_runs(client, emulator, postgres, tmp_path)
    assert yespo.sync_status(postgres)["store"] == "postgres"


def test_dry_run_counts_and_sends_nothing(client: yespo.Client, emulator: Emulator, tmp_path: pathlib.Path) -> None:
    state = str(tmp_path / "state.db")
    client.sync_contacts(rows(30), state=state)
    emulator.reset_stats()
    dry = client.sync_contacts(rows(28, changed={0: "x"}), state=state, dry_run=True)
    assert (dry.changed, dry.unchanged, dry.sent) == (1, 27, 1)
    assert dry.missing is not None and dry.missing["count"] == 2
    assert emulator.stats()["requests"] == 0


def test_bad_options_and_unknown_state(client: yespo.Client, tmp_path: pathlib.Path) -> None:
    with pytest.raises(yespo.ValidationError):
        client.sync_contacts(rows(1), state=str(tmp_path / "s.db"), missing="erase")
    with pytest.raises(yespo.ValidationError):
        client.sync_contacts(rows(1), state=str(tmp_path / "s.db"), dedup_on="email")
    with pytest.raises(yespo.NotFoundError):
        yespo.sync_status(str(tmp_path / "nothing.db"))


def test_sync_keywords_match_the_option_table() -> None:
    from yespo._options import option_tables
    import inspect

    table = {row["python"] for row in option_tables()["sync"]}
    params = set(inspect.signature(yespo.Client.sync_file).parameters)
    assert table <= params, f"sync options missing from sync_file: {table - params}"
    params = set(inspect.signature(yespo.Client.sync_contacts).parameters)
    assert table <= params, f"sync options missing from sync_contacts: {table - params}"
    assert ROOT is None or os.path.exists(ROOT / "scripts" / "pg-temp.sh")
