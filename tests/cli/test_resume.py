"""Crash safety: kill -9 at random points, rerun with --resume, and nothing is lost or duplicated —
the final report covers every row exactly once and the emulator holds every valid contact once.
Also: --resume refuses a different input or different options, and survives a torn last line."""
import csv
import json
import random
import subprocess
import time

import pytest

from conftest import CLI, cli_env, gen, read_ndjson, run_cli, summary_json


def expected_emails(path, manifest):
    bad = set(manifest["badRows"])
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return sorted(r["Email"] for i, r in enumerate(rows, 1) if i not in bad)


def journal_lines(path):
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.parametrize("seed,wait", [(11, False), (23, True)])
def test_kill9_at_random_points_then_resume(make_emulator, tmp_path, seed, wait):
    # with --wait a chunk's outcome is final (and journaled) only once its import has finished
    emu = make_emulator("--import-delay-ms", "100" if wait else "0", "--latency-ms", "80")
    path, m = gen(tmp_path, "c.csv", 12000, seed=seed, bad_every=997)
    journal = tmp_path / "run.journal"
    base = ["upsert", "--chunk-size", "200", "--concurrency", "2", "--journal", str(journal), str(path)]
    if wait:
        base[1:1] = ["--wait", "--poll-interval", "0.05"]
    rng = random.Random(seed)
    kills = 0
    # The first kill lands early (maybe before the header is durable), the others mid-job.
    for delay in [rng.uniform(0.0, 0.15)] + [rng.uniform(0.3, 1.0) for _ in range(3)]:
        args = base + (["--resume"] if journal.exists() else [])
        proc = subprocess.Popen([CLI, *args], env=cli_env(emu), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            proc.kill()
            kills += 1
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (-9, 0, 1), err.decode()
    assert kills >= 3, "the job finished before it could be killed; raise the emulator latency"

    recorded = len(journal_lines(journal))
    final = run_cli(base + ["--resume", "--json", "--outcomes", str(tmp_path / "all.ndjson")], emu=emu)
    assert final.returncode == 1, final.stderr     # the deliberately bad rows
    s = summary_json(final)
    assert s["rows"] == 12000
    assert s["accepted"] == m["valid"] and s["invalid"] == m["invalid"]
    assert s["rejected"] == s["duplicates"] == s["notSent"] == 0
    assert s["resumedRows"] > 0 and recorded > 1

    outcomes = read_ndjson(tmp_path / "all.ndjson")
    assert [o["row"] for o in outcomes] == list(range(1, 12001))       # every row exactly once
    assert sorted(o["row"] for o in outcomes if o["outcome"] == "invalid") == m["badRows"]

    stored = emu.emails()
    assert len(stored) == len(set(stored)), "a contact was stored twice"
    assert sorted(stored) == expected_emails(path, m)
    assert emu.summary()["contacts"] == m["valid"]


def test_resume_after_complete_run_sends_nothing(emu, tmp_path):
    path, _ = gen(tmp_path, "c.csv", 500)
    journal = tmp_path / "j"
    assert run_cli(["upsert", "-q", "--journal", str(journal), str(path)], emu=emu).returncode == 0
    emu.admin("POST", "/stats/reset")
    p = run_cli(["upsert", "--json", "--journal", str(journal), "--resume", str(path)], emu=emu)
    assert p.returncode == 0, p.stderr
    s = summary_json(p)
    assert s["rows"] == 500 and s["accepted"] == 500 and s["resumedRows"] == 500
    assert emu.stats()["bulkRequests"] == 0


def test_torn_last_line_is_ignored(emu, tmp_path):
    path, _ = gen(tmp_path, "c.csv", 400)
    journal = tmp_path / "j"
    assert run_cli(["upsert", "-q", "--chunk-size", "100", "--journal", str(journal), str(path)],
                   emu=emu).returncode == 0
    lines = journal.read_text().splitlines(keepends=True)
    assert len(lines) >= 5                  # header + 4 chunks
    # as if SIGKILL hit in the middle of writing the last chunk's line
    journal.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    p = run_cli(["upsert", "--json", "--journal", str(journal), "--resume", str(path)], emu=emu)
    assert p.returncode == 0, p.stderr
    assert "cut off" in p.stderr
    s = summary_json(p)
    assert s["rows"] == 400 and s["accepted"] == 400 and s["resumedRows"] == 300
    assert journal.read_text().endswith("\n")
    for line in journal.read_text().splitlines():
        json.loads(line)                      # the torn tail was cut, not appended after


def test_resume_refuses_another_input_or_other_options(emu, tmp_path):
    path, _ = gen(tmp_path, "c.csv", 200)
    journal = tmp_path / "j"
    assert run_cli(["upsert", "-q", "--journal", str(journal), str(path)], emu=emu).returncode == 0
    other, _ = gen(tmp_path, "other.csv", 200, seed=9)
    p = run_cli(["upsert", "--journal", str(journal), "--resume", str(other)], emu=emu)
    assert p.returncode == 2 and "refusing" in p.stderr and "not the one" in p.stderr
    p = run_cli(["upsert", "--journal", str(journal), "--resume", "--group", "X", str(path)], emu=emu)
    assert p.returncode == 2 and "options differ" in p.stderr
    p = run_cli(["upsert", "--journal", str(journal), str(path)], emu=emu)     # forgot --resume
    assert p.returncode == 2 and "--resume" in p.stderr
    garbage = tmp_path / "g"
    garbage.write_text("hello\nworld\n")
    p = run_cli(["upsert", "--journal", str(garbage), "--resume", str(path)], emu=emu)
    assert p.returncode == 2 and "not a yespo journal" in p.stderr


def test_journal_holds_ranges_not_contacts(emu, tmp_path):
    path, _ = gen(tmp_path, "c.csv", 1000, bad_every=100)
    journal = tmp_path / "j"
    run_cli(["upsert", "-q", "--chunk-size", "250", "--journal", str(journal), str(path)], emu=emu)
    lines = [json.loads(l) for l in journal.read_text().splitlines()]
    header, entries = lines[0], lines[1:]
    assert header["yespoJournal"] == 1 and header["inputs"][0]["size"] == path.stat().st_size
    assert all("session" in e for e in entries if "accepted" in e)
    assert "@example.com" not in journal.read_text()   # accepted rows leave no contact data, only ranges
    rows = []
    for e in entries:
        for kind in ("accepted", "rejected", "invalid", "duplicate", "notSent"):
            for part in filter(None, e.get(kind, "").split(",")):
                a, _, b = part.partition("-")
                rows += range(int(a), int(b or a) + 1)
    assert sorted(rows) == list(range(1, 1001))


def test_one_journal_one_run_at_a_time(make_emulator, tmp_path):
    slow = make_emulator("--import-delay-ms", "0", "--latency-ms", "200")
    path, _ = gen(tmp_path, "c.csv", 3000)
    journal = tmp_path / "j"
    args = ["upsert", "-q", "--chunk-size", "100", "--concurrency", "1", "--journal", str(journal), str(path)]
    first = subprocess.Popen([CLI, *args], env=cli_env(slow), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        assert first.poll() is None
        second = run_cli(args + ["--resume"], emu=slow)
        assert second.returncode == 2 and "in use" in second.stderr
    finally:
        first.kill()
        first.wait()
