"""`yespo sync`: the real binary against the real emulator. First run sends all, the second only the
changed and new rows, the third nothing; removed rows with --delete-missing and the delete cap
(exit 2, nothing deleted); --dry-run and --status; kill -9 while reading, while sending, between
commits and while deleting, each followed by a run that makes Yespo match the source and a run that
sends nothing; the API key never in the state; a PostgreSQL state."""
import json
import os
import pathlib
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import CLI, KEY, ROOT, SECRET_KEY, cli_env, run_cli, summary_json


def write_source(path, n, changed=None, drop=()):
    changed = changed or {}
    with open(path, "w") as f:
        for i in range(n):
            if i in drop:
                continue
            f.write(json.dumps({"firstName": changed.get(i, f"v1-{i}"),
                                "channels": [{"type": "email", "value": f"cli-{i}@example.com"}]}) + "\n")
    return path


def expected(n, changed=None, drop=()):
    changed = changed or {}
    return {f"cli-{i}@example.com": changed.get(i, f"v1-{i}") for i in range(n) if i not in drop}


def live_names(emu):
    emu.admin("POST", "/imports/flush")
    out = {}
    for c in emu.contacts():
        if c.get("deleted"):
            continue
        for ch in c.get("channels", []):
            if ch.get("type") == "email":
                out[ch["value"]] = c.get("firstName")
    return out


def sync(emu, source, state, *extra, key=KEY, timeout=300):
    return run_cli(["sync", str(source), "--state", str(state), "--json", *extra], emu, key=key, timeout=timeout)


def test_three_runs_send_all_then_changes_then_nothing(emu, tmp_path):
    state, src = tmp_path / "state.db", tmp_path / "crm.ndjson"
    write_source(src, 400)
    p = sync(emu, src, state)
    assert p.returncode == 0, p.stderr
    r = summary_json(p)
    assert (r["new"], r["sent"], r["committed"], r["clean"]) == (400, 400, 400, True)

    changed = {5: "v2", 123: "v2", 399: "v2"}
    write_source(src, 403, changed=changed, drop={7, 8})
    emu.admin("POST", "/stats/reset")
    p = sync(emu, src, state)
    assert p.returncode == 0, p.stderr
    r = summary_json(p)
    assert (r["changed"], r["new"], r["unchanged"], r["sent"]) == (3, 3, 395, 6)
    assert r["missing"] is None                       # not looked for without --missing
    assert emu.stats()["contactsReceived"] == 6

    emu.admin("POST", "/stats/reset")
    p = sync(emu, src, state)
    assert p.returncode == 0 and summary_json(p)["sent"] == 0
    assert emu.stats()["contactsReceived"] == 0
    names = live_names(emu)
    for email, name in expected(403, changed, drop={7, 8}).items():
        assert names[email] == name

    # the human summary and --status
    p = run_cli(["sync", str(src), "--state", str(state)], emu)
    assert p.returncode == 0 and "unchanged" in p.stdout and "bytes each" in p.stdout
    p = run_cli(["sync", "--status", str(state)], emu)
    assert p.returncode == 0 and "last run" in p.stdout and "complete" in p.stdout
    s = json.loads(run_cli(["sync", "--status", str(state), "--json"], emu).stdout)
    assert s["entries"] == 403 and len(s["runs"]) == 4


def test_dry_run_counts_by_reason_and_sends_nothing(emu, tmp_path):
    state, src = tmp_path / "state.db", tmp_path / "crm.ndjson"
    write_source(src, 100)
    assert sync(emu, src, state).returncode == 0
    write_source(src, 102, changed={1: "x"}, drop={50, 51, 52})
    emu.admin("POST", "/stats/reset")
    p = run_cli(["sync", str(src), "--state", str(state), "--dry-run", "--json"], emu, key=None)
    assert p.returncode == 0, p.stderr
    r = summary_json(p)
    assert (r["new"], r["changed"], r["unchanged"], r["missing"]["count"], r["sent"]) == (2, 1, 96, 3, 3)
    assert r["dryRun"] is True
    assert emu.stats()["requests"] == 0


def test_delete_missing_and_the_cap(emu, tmp_path):
    state, src = tmp_path / "state.db", tmp_path / "crm.ndjson"
    write_source(src, 100)
    assert sync(emu, src, state, "--delete-missing").returncode == 0

    # a truncated export: 60 of 100 missing, over the default 5%: exit 2, nothing deleted
    write_source(src, 40)
    p = sync(emu, src, state, "--delete-missing")
    assert p.returncode == 2, p.stderr
    assert "refusing to delete 60 missing contacts" in p.stderr and "Nothing was deleted" in p.stderr
    assert summary_json(p)["missing"]["acted"] == 0
    assert emu.summary()["deleted"] == 0 and len(live_names(emu)) == 100

    # three really gone, within --max-deletes 3: deleted
    write_source(src, 100, drop={10, 20, 30})
    p = sync(emu, src, state, "--delete-missing", "--max-deletes", "3")
    assert p.returncode == 0, p.stderr
    assert summary_json(p)["missing"]["acted"] == 3
    names = live_names(emu)
    assert len(names) == 97 and "cli-20@example.com" not in names
    # a percentage cap that is too small refuses again
    write_source(src, 100, drop={10, 20, 30, 40, 41})
    p = sync(emu, src, state, "--missing", "delete", "--max-deletes", "1%")
    assert p.returncode == 2 and "max-deletes 1%" in p.stderr


def test_the_state_never_holds_the_key_or_an_email(emu, tmp_path):
    state, src = tmp_path / "state.db", tmp_path / "crm.ndjson"
    write_source(src, 50)
    p = sync(emu, src, state, "--delete-missing", key=SECRET_KEY)
    assert p.returncode == 0, p.stderr
    for f in tmp_path.glob("state.db*"):
        data = f.read_bytes()
        assert SECRET_KEY.encode() not in data and b"@example.com" not in data, f


def test_other_matching_and_a_busy_state_are_refused(emu, tmp_path):
    state, src = tmp_path / "state.db", tmp_path / "crm.ndjson"
    write_source(src, 10)
    assert sync(emu, src, state).returncode == 0
    p = sync(emu, src, state, "--dedupe-on", "sms")
    assert p.returncode == 2 and "another state" in p.stderr
    p = run_cli(["sync", str(src)], emu)
    assert p.returncode == 2 and "--state" in p.stderr


def kill_when(proc, ready, timeout=120):
    """SIGKILLs `proc` as soon as ready() holds (polled); returns whether it was still running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    proc.kill()
    proc.wait()
    pytest.fail("the condition to kill never held")


def start_sync(emu, src, state, *extra):
    return subprocess.Popen([CLI, "sync", str(src), "--state", str(state), "--json", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env(emu))


def recover_and_check(emu, src, state, want, *extra):
    """After a kill: a run that ends in sync, then one that sends nothing."""
    p = sync(emu, src, state, *extra)
    assert p.returncode == 0, p.stderr
    names = live_names(emu)
    wrong = {e: (names.get(e), n) for e, n in want.items() if names.get(e) != n}
    assert not wrong, f"{len(wrong)} contacts differ from the source, e.g. {list(wrong.items())[:3]}"
    emu.admin("POST", "/stats/reset")
    p = sync(emu, src, state, *extra)
    assert p.returncode == 0 and summary_json(p)["sent"] == 0, p.stdout[-500:]
    assert emu.stats()["contactsReceived"] == 0


# Accepted rows are written to the state every second and at the end: a kill after the 10th (last)
# request lands in the final write or just before it; earlier kills land mid-send.
@pytest.mark.parametrize("after_requests", [1, 3, 6, 10])
def test_kill9_while_sending_and_committing(make_emulator, tmp_path, after_requests):
    emu = make_emulator("--import-delay-ms", "0", "--latency-ms", "60")
    state, src = tmp_path / "state.db", tmp_path / "crm.ndjson"
    write_source(src, 1000)
    assert sync(emu, src, state, "--chunk-size", "100").returncode == 0
    # a second version of every tenth row, sent slowly in chunks of 10 by one connection
    changed = {i: f"v2-{i}" for i in range(0, 1000, 10)}
    write_source(src, 1000, changed=changed)
    emu.admin("POST", "/stats/reset")
    proc = start_sync(emu, src, state, "--chunk-size", "10", "--concurrency", "1")
    assert kill_when(proc, lambda: emu.stats()["bulkRequests"] >= after_requests)
    recover_and_check(emu, src, state, expected(1000, changed))


def test_kill9_between_periodic_commits(make_emulator, tmp_path):
    """A long sending phase: the state is written every second while rows keep being accepted;
    the kill lands with some of them written and some only in memory."""
    emu = make_emulator("--import-delay-ms", "0", "--latency-ms", "15")
    state, src = tmp_path / "state.db", tmp_path / "crm.ndjson"
    write_source(src, 3000, changed={i: f"v0-{i}" for i in range(3000)})
    proc = start_sync(emu, src, state, "--chunk-size", "10", "--concurrency", "1")
    assert kill_when(proc, lambda: emu.stats()["bulkRequests"] >= 150)
    s = json.loads(run_cli(["sync", "--status", str(state), "--json"], emu).stdout)
    assert 0 < s["entries"] < 3000, s["entries"]          # some written, not all
    write_source(src, 3000)
    recover_and_check(emu, src, state, expected(3000))


def test_kill9_while_reading(make_emulator, tmp_path):
    """The source arrives slowly on standard input; the run is killed halfway through it."""
    emu = make_emulator("--import-delay-ms", "0")
    state, src = tmp_path / "state.db", tmp_path / "crm.ndjson"
    write_source(src, 300)
    lines = src.read_bytes().splitlines(keepends=True)
    proc = subprocess.Popen([CLI, "sync", "-", "--state", str(state), "--chunk-size", "20"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=cli_env(emu))
    for line in lines[:150]:
        proc.stdin.write(line)
    proc.stdin.flush()
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdin.close()
    recover_and_check(emu, src, state, expected(300))


def test_kill9_while_deleting(make_emulator, tmp_path):
    emu = make_emulator("--import-delay-ms", "0")
    state, src = tmp_path / "state.db", tmp_path / "crm.ndjson"
    write_source(src, 200)
    assert sync(emu, src, state, "--delete-missing").returncode == 0
    drop = set(range(100, 140))
    write_source(src, 200, drop=drop)
    emu.config(latencyMs=40)
    proc = start_sync(emu, src, state, "--delete-missing", "--max-deletes", "40")
    assert kill_when(proc, lambda: emu.summary()["deleted"] >= 5)
    emu.config(latencyMs=0)
    recover_and_check(emu, src, state, expected(200, drop=drop), "--delete-missing", "--max-deletes", "40")
    names = live_names(emu)
    assert not any(f"cli-{i}@example.com" in names for i in drop)
    s = json.loads(run_cli(["sync", "--status", str(state), "--json"], emu).stdout)
    assert s["entries"] == 160
    assert any(r["status"] == "interrupted" for r in s["runs"])


@pytest.fixture(scope="module")
def postgres():
    d = tempfile.mkdtemp(prefix="yespo-cli-pg-")
    script = str(ROOT / "scripts" / "pg-temp.sh")
    p = subprocess.run(["bash", script, "start", d], capture_output=True, text=True)
    if p.returncode != 0:
        pytest.fail(f"could not start PostgreSQL: {p.stderr[-400:]}")
    yield p.stdout.strip()
    subprocess.run(["bash", script, "stop", d], check=False)


def test_postgres_state(emu, tmp_path, postgres):
    src = tmp_path / "crm.ndjson"
    write_source(src, 120)
    p = sync(emu, src, postgres, "--delete-missing")
    assert p.returncode == 0, p.stderr
    assert summary_json(p)["store"] == "postgres"
    write_source(src, 121, changed={4: "v2"}, drop={9})
    emu.admin("POST", "/stats/reset")
    p = sync(emu, src, postgres, "--delete-missing", "--max-deletes", "1")
    assert p.returncode == 0, p.stderr
    r = summary_json(p)
    assert (r["changed"], r["new"], r["sent"], r["missing"]["acted"]) == (1, 1, 2, 1)
    emu.admin("POST", "/stats/reset")
    p = sync(emu, src, postgres, "--delete-missing")
    assert p.returncode == 0 and summary_json(p)["sent"] == 0
    assert emu.stats()["contactsReceived"] == 0
    s = json.loads(run_cli(["sync", "--status", postgres, "--json"], emu).stdout)
    assert s["store"] == "postgres" and s["entries"] == 120
    assert "postgres@" in s["state"]


def test_sync_flags_match_the_option_table(emu):
    """Every sync-only option of the library's table is a flag of `yespo sync`."""
    import ctypes
    lib = ctypes.CDLL(os.environ.get("YESPO_LIB") or str(ROOT / "dist" / "lib" / "libyespo.so"))
    lib.yespo_options_json.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]
    out = ctypes.c_void_p()
    assert lib.yespo_options_json(ctypes.byref(out), None) == 0
    table = json.loads(ctypes.string_at(out.value).decode())
    lib.yespo_free.argtypes = [ctypes.c_void_p]
    lib.yespo_free(out)
    help_text = run_cli(["sync", "--help"], emu).stdout
    for row in table["sync"]:
        assert row["cli"] in help_text, row
