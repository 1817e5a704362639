"""yespo.AsyncClient: the Client's methods as coroutines, upserts driven from the event loop (no
thread per call), cancellation by task cancellation that always leaves a clean, complete report."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, AsyncIterator, Iterator

import pytest

import yespo
from yespo.testing import Emulator

from _data import contact, contacts, email

FAST = dict(retry_base=0.01, retry_max=0.2, rate_limit=0)


def _python_threads(prefix: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix)]


def _check_cancelled(report: yespo.UpsertReport, rows: int) -> None:
    assert report.cancelled and report.complete
    assert report.rows <= rows and report.not_sent > 0 and report.accepted < rows
    assert report.fatal is not None and report.fatal.code == -12


def test_upsert_list_counts_add_up_and_rows_are_stored(emulator: Emulator) -> None:
    async def main() -> yespo.UpsertReport:
        async with emulator.async_client(concurrency=4, **FAST) as client:
            data = list(contacts(12_000))
            data[99]["channels"] = [{"type": "email", "value": "not-an-email"}]
            return await client.upsert_contacts(data)

    report = asyncio.run(main())
    assert report.rows == 12_000 and report.accepted == 11_999 and report.invalid == 1
    assert report.complete
    assert [r.row for r in report.invalid_rows] == [100]
    emulator.flush_imports()
    assert emulator.summary()["contacts"] == 11_999


def test_async_iterable_input_is_read_lazily(emulator: Emulator) -> None:
    read = 0

    async def rows() -> AsyncIterator[dict[str, Any]]:
        nonlocal read
        for i in range(1, 7001):
            read += 1
            if i % 1000 == 0:
                await asyncio.sleep(0)
            yield contact(i)

    async def main() -> yespo.UpsertReport:
        async with emulator.async_client(concurrency=2, **FAST) as client:
            return await client.upsert_contacts(rows(), batch_size=1000)

    report = asyncio.run(main())
    assert read == 7000 and report.rows == 7000 and report.accepted == 7000


def test_same_methods_as_client() -> None:
    public = {n for n in dir(yespo.Client) if not n.startswith("_")} - {"disown_after_fork", "close"}
    missing = {n for n in public if not hasattr(yespo.AsyncClient, n)}
    assert not missing
    for name in public - {"closed", "configure", "stats", "search_contacts", "segment_contacts"}:
        assert asyncio.iscoroutinefunction(getattr(yespo.AsyncClient, name)), name


def test_single_calls_and_pages(emulator: Emulator) -> None:
    async def main() -> None:
        async with emulator.async_client(**FAST) as client:
            cid = await client.add_contact(contact(1))
            got = await client.get_contact(cid)
            assert got["channels"][0]["value"] == email(1)
            await client.update_contact(cid, {**contact(1), "firstName": "Changed"})
            assert (await client.get_contact(cid))["firstName"] == "Changed"
            report = await client.upsert_contacts(list(contacts(30, start=2)), group_names=["VIP"])
            session = report.session_ids[0]
            status = await client.wait_for_import(session, timeout=30)
            assert status.finished
            assert (await client.import_status(session)).finished
            found = [c async for c in client.search_contacts(email=email(5))]
            assert len(found) == 1
            (vip,) = await client.list_segments(name="VIP")
            members = [c async for c in client.segment_contacts(vip.id, page_size=7)]
            assert len(members) == 30
            assert len([c async for c in client.segment_contacts(vip.id, limit=3)]) == 3
            await client.attach_to_segment(vip.id, contact_ids=iter([cid]))
            await client.detach_from_segment(vip.id, all_contacts=True)
            assert [c async for c in client.segment_contacts(vip.id)] == []
            await client.unsubscribe_emails([email(2)])
            await client.delete_contact(cid)
            with pytest.raises(yespo.NotFoundError):
                await client.get_contact(cid)
            assert client.stats()["requests"] > 0

    asyncio.run(main())


def test_many_concurrent_calls_share_a_few_threads(emulator: Emulator) -> None:
    """No thread per call: 60 single calls and 3 upserts at once run on at most max_threads."""
    seen: set[str] = set()

    def progress(p: yespo.Progress) -> None:
        seen.update(_python_threads("yespo-async"))
        assert not _python_threads("yespo-feeder")  # the threaded runner of Client is not used

    async def main() -> None:
        async with emulator.async_client(max_threads=2, concurrency=2, chunk_size=500, **FAST) as client:
            cid = await client.add_contact(contact(1))
            gets = [client.get_contact(cid) for _ in range(60)]
            ups = [client.upsert_contacts(list(contacts(3000, start=1000 * k + 10)), progress=progress,
                                          progress_interval=0.01) for k in range(3)]
            results = await asyncio.gather(*gets, *ups)
            seen.update(_python_threads("yespo-async"))
            assert all(r["id"] == cid for r in results[:60])
            assert all(r.accepted == 3000 for r in results[60:])

    asyncio.run(main())
    assert 1 <= len(seen) <= 2


def test_the_loop_stays_free_while_bulk_requests_wait(emulator: Emulator) -> None:
    """Bulk answers are held 1.5 s by the emulator; meanwhile the loop runs other tasks and a
    single call completes before the upsert does."""
    emulator.set_faults([{"method": "POST", "path": "/api/v1/contacts", "action": "delay", "delayMs": 1500}])
    order: list[str] = []
    ticks = 0

    async def ticker(stop: asyncio.Event) -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    async def main() -> None:
        async with emulator.async_client(concurrency=2, chunk_size=1000, **FAST) as client:
            cid = await client.add_contact(contact(1))
            stop = asyncio.Event()
            tick_task = asyncio.create_task(ticker(stop))
            upsert = asyncio.create_task(client.upsert_contacts(list(contacts(4000, start=2))))
            await asyncio.sleep(0.1)
            ticks_before = ticks
            await client.get_contact(cid)
            order.append("get")
            report = await upsert
            order.append("upsert")
            assert ticks > ticks_before  # the loop kept running while the upsert waited
            stop.set()
            await tick_task
            assert report.accepted == 4000

    asyncio.run(main())
    assert order == ["get", "upsert"]


def test_progress_runs_in_the_loop_thread_and_ends_done(emulator: Emulator) -> None:
    calls: list[yespo.Progress] = []
    threads: set[int] = set()

    async def main() -> None:
        async with emulator.async_client(concurrency=2, chunk_size=500, **FAST) as client:
            loop_thread = threading.get_ident()

            def progress(p: yespo.Progress) -> None:
                threads.add(threading.get_ident())
                calls.append(p)

            await client.upsert_contacts(list(contacts(5000)), progress=progress, progress_interval=0.01)
            assert threads == {loop_thread}

    asyncio.run(main())
    assert calls and calls[-1].done and calls[-1].rows_done == 5000 and calls[-1].total == 5000
    assert sum(1 for p in calls if p.done) == 1


def _slow(emulator: Emulator) -> None:
    emulator.config(latencyMs=300)


def test_cancelling_the_task_cancels_the_job_and_leaves_a_clean_state(emulator: Emulator) -> None:
    _slow(emulator)

    async def main() -> None:
        async with emulator.async_client(concurrency=2, chunk_size=500, **FAST) as client:
            started = asyncio.Event()

            def progress(p: yespo.Progress) -> None:
                if p.chunks_done >= 1:
                    started.set()

            task = asyncio.create_task(client.upsert_contacts(list(contacts(20_000)), progress=progress,
                                                              progress_interval=0.01))
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as info:
                await task
            report = info.value.yespo_report  # type: ignore[attr-defined]
            _check_cancelled(report, 20_000)
            assert report.rows == 20_000  # a list is counted whole
            assert len(list(report.rows_with("notSent"))) == report.not_sent
            assert not client._jobs and not client._busy
            # The client goes on working.
            emulator.config(latencyMs=0)
            again = await client.upsert_contacts([contact(30_000)])
            assert again.accepted == 1

    asyncio.run(main())


def test_cancelling_again_while_the_job_winds_down_still_finishes_it(emulator: Emulator) -> None:
    _slow(emulator)

    async def main() -> None:
        async with emulator.async_client(concurrency=2, chunk_size=500, **FAST) as client:
            started = asyncio.Event()
            task = asyncio.create_task(client.upsert_contacts(
                list(contacts(20_000)), progress=lambda p: started.set() if p.rows_sent else None,
                progress_interval=0.01))
            await started.wait()
            task.cancel()
            await asyncio.sleep(0)
            task.cancel()
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as info:
                await task
            _check_cancelled(info.value.yespo_report, 20_000)  # type: ignore[attr-defined]
            assert not client._jobs

    asyncio.run(main())


def test_a_timeout_around_the_upsert_cancels_it(emulator: Emulator) -> None:
    _slow(emulator)

    async def main() -> None:
        async with emulator.async_client(concurrency=2, chunk_size=500, **FAST) as client:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.upsert_contacts(list(contacts(20_000))), timeout=0.5)
            assert not client._jobs
            assert (await client.add_contact(contact(1))) > 0

    asyncio.run(main())


def test_no_row_is_read_after_a_cancel(emulator: Emulator) -> None:
    _slow(emulator)
    consumed = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal consumed
        for i in range(1, 50_001):
            consumed += 1
            yield contact(i)

    async def main() -> yespo.UpsertReport:
        async with emulator.async_client(concurrency=2, chunk_size=500, **FAST) as client:
            def progress(p: yespo.Progress) -> None:
                if p.rows_read >= 2000:
                    p.cancel()

            return await client.upsert_contacts(rows(), progress=progress, progress_interval=0.01,
                                                batch_size=1000)

    report = asyncio.run(main())
    assert report.cancelled and report.complete
    assert report.rows == consumed < 50_000
    assert report.unfed <= report.not_sent


def test_an_exception_in_progress_cancels_and_propagates(emulator: Emulator) -> None:
    _slow(emulator)

    async def main() -> None:
        async with emulator.async_client(concurrency=2, chunk_size=500, **FAST) as client:
            def progress(p: yespo.Progress) -> None:
                if p.rows_read:
                    raise ValueError("progress bar broke")

            with pytest.raises(ValueError, match="progress bar broke") as info:
                await client.upsert_contacts(list(contacts(20_000)), progress=progress, progress_interval=0.01)
            report = info.value.yespo_report  # type: ignore[attr-defined]
            assert report.complete and report.not_sent > 0

    asyncio.run(main())


def test_closing_the_client_cancels_running_upserts(emulator: Emulator) -> None:
    _slow(emulator)

    async def main() -> None:
        client = emulator.async_client(concurrency=2, chunk_size=500, **FAST)
        task = asyncio.create_task(client.upsert_contacts(list(contacts(20_000))))
        await asyncio.sleep(0.5)
        await client.aclose()
        report = await task
        _check_cancelled(report, 20_000)
        assert client.closed
        with pytest.raises(yespo.StateError):
            await client.get_contact(1)

    asyncio.run(main())


def test_a_refused_key_raises_with_the_report(emulator: Emulator) -> None:
    async def main() -> None:
        async with emulator.async_client(api_key="wrong-key-s3cr3t", **FAST) as client:
            with pytest.raises(yespo.AuthenticationError) as info:
                await client.upsert_contacts(list(contacts(100)))
            assert info.value.status == 401
            report = info.value.report
            assert report is not None and report.rows == 100 and report.not_sent == 100
            with pytest.raises(yespo.AuthenticationError):
                await client.get_contact(1)

    asyncio.run(main())


def test_upsert_file(emulator: Emulator, tmp_path: Any) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Email,First name\n" + "".join(f"{email(i)},N{i}\n" for i in range(1, 2001)))

    async def main() -> yespo.UpsertReport:
        async with emulator.async_client(**FAST) as client:
            return await client.upsert_file(path)

    report = asyncio.run(main())
    assert report.rows == 2000 and report.accepted == 2000
