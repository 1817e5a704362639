"""Exit codes a script can trust: 0 all accepted, 1 some rows failed, 2 fatal (bad arguments, no or
wrong key, unreachable server, unreadable input), 130 after Ctrl-C with a clean stop; and --dry-run
sends nothing."""
import json
import signal
import socket
import subprocess
import time

from conftest import CLI, cli_env, gen, read_ndjson, run_cli, summary_json


def test_all_accepted_is_0_and_some_invalid_is_1(emu, tmp_path):
    good, _ = gen(tmp_path, "good.csv", 50)
    assert run_cli(["upsert", "-q", str(good)], emu=emu).returncode == 0
    bad, _ = gen(tmp_path, "bad.csv", 50, seed=2, bad_every=10)
    p = run_cli(["upsert", "-q", str(bad)], emu=emu)
    assert p.returncode == 1
    assert p.stdout == ""          # --quiet: nothing on stdout


def test_server_rejected_rows_are_1(emu, tmp_path):
    path, _ = gen(tmp_path, "c.csv", 30)
    lines = path.read_text().splitlines()
    emails = [l.split(",")[2] for l in lines[1:]]
    emu.admin("POST", "/faults", {"seed": 1, "rules": [
        {"method": "POST", "path": "/api/v1/contacts", "probability": 1.0, "action": "rejectRows",
         "match": [emails[4]]}]})
    p = run_cli(["upsert", "--json", "--rejects", str(tmp_path / "r.ndjson"), str(path)], emu=emu)
    assert p.returncode == 1, p.stderr
    s = summary_json(p)
    assert s["rejected"] == 1 and s["accepted"] == 29
    rej = read_ndjson(tmp_path / "r.ndjson")
    assert [(r["row"], r["outcome"]) for r in rej] == [(5, "rejected")]


def test_usage_errors_are_2(emu, tmp_path):
    for args in (["upsert"], ["upsert", "--concurrency", "0", "x.csv"], ["upsert", "--dedupe-on", "nope", "x.csv"],
                 ["upsert", "--resume", "x.csv"], ["nosuchcommand"], ["contact", "get", "notanumber"],
                 ["upsert", str(tmp_path / "missing.csv")]):
        p = run_cli(args, emu=emu)
        assert p.returncode == 2, (args, p.stderr)
        assert p.stderr.strip(), args


def test_missing_key_is_2(emu, tmp_path):
    path, _ = gen(tmp_path, "c.csv", 5)
    p = run_cli(["upsert", str(path)], emu=emu, key=None)
    assert p.returncode == 2
    assert "YESPO_API_KEY" in p.stderr


def test_wrong_key_is_2_and_says_auth(emu, tmp_path):
    path, _ = gen(tmp_path, "c.csv", 5)
    p = run_cli(["upsert", "--report", str(tmp_path / "r.json"), str(path)], emu=emu, key="wrong-key-123")
    assert p.returncode == 2
    assert "wrong-key-123" not in p.stderr + p.stdout
    assert "401" in p.stderr or "auth" in p.stderr.lower() or "key" in p.stderr.lower()
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["accepted"] == 0 and report["exitCode"] == 2
    assert emu.summary()["contacts"] == 0


def test_unreachable_server_is_2(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()   # nothing listens there now
    path, _ = gen(tmp_path, "c.csv", 5)
    p = run_cli(["upsert", "--max-retries", "1", "--base-url", f"http://127.0.0.1:{port}/api/v1", str(path)],
                timeout=60)
    assert p.returncode == 2, p.stderr


def test_dry_run_sends_nothing(emu, tmp_path):
    path, m = gen(tmp_path, "c.csv", 200, bad_every=40)
    emu.admin("POST", "/stats/reset")
    p = run_cli(["upsert", "--dry-run", "--json", "--rejects", str(tmp_path / "r.ndjson"), str(path)],
                emu=emu, key=None)   # no key needed for a dry run
    assert p.returncode == 1, p.stderr
    s = summary_json(p)
    assert s["rows"] == 200 and s["invalid"] == m["invalid"]
    assert s["dryRun"] is True
    assert sorted(r["row"] for r in read_ndjson(tmp_path / "r.ndjson")) == m["badRows"]
    stats = emu.stats()
    assert stats["requests"] == 0 and stats["bulkRequests"] == 0
    assert emu.summary()["contacts"] == 0
    good, _ = gen(tmp_path, "g.csv", 20, seed=3)
    assert run_cli(["upsert", "--dry-run", "-q", str(good)], emu=emu).returncode == 0
    assert emu.stats()["requests"] == 0


def test_sigint_stops_cleanly_with_130(make_emulator, tmp_path):
    slow = make_emulator("--import-delay-ms", "0", "--latency-ms", "150")
    path, _ = gen(tmp_path, "c.csv", 20000)
    report = tmp_path / "r.json"
    journal = tmp_path / "j.log"
    proc = subprocess.Popen([CLI, "upsert", "--chunk-size", "500", "--concurrency", "2", "--report", str(report),
                             "--journal", str(journal), str(path)],
                            env=cli_env(slow), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30            # interrupt once some chunks are done (whatever the machine's load)
    while time.time() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < 3):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    r = json.loads(report.read_text())
    assert r["cancelled"] is True
    assert r["rows"] == r["accepted"] + r["rejected"] + r["invalid"] + r["duplicates"] + r["notSent"]
    assert 0 < r["accepted"] < 20000
    assert "resume" in out.lower() or "resume" in err.lower()
    # the clean stop left a journal that --resume finishes
    p = run_cli(["upsert", "--json", "--journal", str(journal), "--resume", str(path)], emu=slow, timeout=120)
    assert p.returncode == 0, p.stderr
    s = summary_json(p)
    assert s["rows"] == 20000 and s["accepted"] == 20000
    assert slow.summary()["contacts"] == 20000
