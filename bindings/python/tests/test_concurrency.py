"""Threads, processes and the GIL."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
import threading
import time
import pytest

import yespo
from yespo.testing import Emulator

from _data import contact, contacts, email
import _mp_worker


def test_eight_threads_share_one_client(client: yespo.Client, emulator: Emulator) -> None:
    errors: list[BaseException] = []
    reports: list[yespo.UpsertReport] = []

    def work(t: int) -> None:
        try:
            start = 1 + t * 2500
            reports.append(client.upsert_contacts(contacts(2500, start=start), batch_size=700))
            cid = client.add_contact(contact(900_000 + t))
            assert client.get_contact(cid)["firstName"] == f"First{900_000 + t}"
            assert list(client.search_contacts(email=email(900_000 + t)))
        except BaseException as exc:  # noqa: BLE001 - collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors, errors
    assert len(reports) == 8 and all(r.accepted == 2500 and r.ok for r in reports)
    emulator.flush_imports()
    assert emulator.summary()["contacts"] == 8 * 2500 + 8


def test_spawn_pool(emulator: Emulator) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        results = pool.starmap(_mp_worker.upsert_range, [(emulator.url, 1 + k * 1000, 1000) for k in range(4)])
    assert results == [(1000, 1000)] * 4
    emulator.flush_imports()
    assert emulator.summary()["contacts"] == 4000


def test_errors_cross_process_boundaries(emulator: Emulator) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        with pytest.raises(yespo.NotFoundError) as info:
            pool.apply(_mp_worker.get_missing, (emulator.url,))
    assert info.value.status == 404


def test_gil_is_released_during_network_calls(client: yespo.Client, emulator: Emulator) -> None:
    cid = client.add_contact(contact(1))
    emulator.config(latencyMs=300)
    count = 0
    running = True

    def counter() -> None:
        nonlocal count
        while running:
            count += 1

    th = threading.Thread(target=counter)
    th.start()
    try:
        time.sleep(0.05)
        before = count
        client.get_contact(cid)  # one blocking ABI call of ≥ 300 ms
        during_single = count - before

        before = count
        report = client.upsert_contacts(contacts(3000, start=10))
        during_upsert = count - before
    finally:
        running = False
        th.join()
    assert report.accepted == 3000
    # Holding the GIL for the whole call would leave the counter at (almost) zero.
    assert during_single > 10_000, during_single
    assert during_upsert > 10_000, during_upsert


def test_engine_callbacks_do_not_deadlock_with_busy_python(client: yespo.Client) -> None:
    import logging

    logger = logging.getLogger("yespo")
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        stop = False

        def spin() -> None:
            x = 0
            while not stop:
                x += 1

        th = threading.Thread(target=spin)
        th.start()
        report = client.upsert_contacts(contacts(5000), progress=lambda p: None, progress_interval=0.01)
        stop = True
        th.join()
    finally:
        logger.setLevel(old)
    assert report.accepted == 5000


def test_fork_child_cannot_use_or_free_inherited_client(emulator: Emulator, tmp_path: object) -> None:
    # In a script (not inside pytest) so the child exits normally and runs its atexit finalizers,
    # which must not try to free the parent's client (that would hang on a missing engine thread).
    script = textwrap.dedent(f"""
        import os, sys, yespo
        client = yespo.Client(api_key="test-key", base_url={emulator.url!r}, rate_limit=0)
        report = client.upsert_contacts([{{"channels": [{{"type": "email", "value": "f@example.com"}}]}}])
        pid = os.fork()
        if pid == 0:
            try:
                client.stats()
            except yespo.StateError as exc:
                ok = "before os.fork()" in str(exc)
            else:
                ok = False
            try:
                list(report.failed_rows())
            except yespo.StateError:
                pass
            else:
                ok = False
            client.close()  # a no-op in the child
            sys.exit(0 if ok else 3)   # normal exit: atexit finalizers run
        _, status = os.waitpid(pid, 0)
        assert client.stats()["requests"] >= 1  # the parent's client still works
        sys.exit(os.waitstatus_to_exitcode(status))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
