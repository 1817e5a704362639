"""What the user sees: a live bar when stderr is a terminal (a real pty), plain periodic lines when
it is a pipe, the summary table, --quiet and --json; and the API key in none of it."""
import json
import os
import pty
import re
import select
import subprocess
import time

from conftest import CLI, SECRET_KEY, cli_env, gen, run_cli, summary_json


def run_in_pty(args, env, timeout=60):
    """Runs the CLI with stdin/stdout/stderr on a pseudo-terminal; returns (exit code, bytes seen)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([CLI, *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break           # the child closed the pty
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(master)
    return proc.returncode, seen


def test_tty_shows_a_live_bar_and_the_table(make_emulator, tmp_path):
    slow = make_emulator("--import-delay-ms", "0", "--latency-ms", "40")
    path, _ = gen(tmp_path, "c.csv", 6000, bad_every=1000)
    code, seen = run_in_pty(["upsert", "--chunk-size", "200", "--concurrency", "2", str(path)],
                            cli_env(slow, extra={"COLUMNS": "160"}))
    text = seen.decode("utf-8", "replace")
    assert code == 1, text
    redraws = text.count("\r")
    assert redraws >= 3, text                     # the bar was redrawn in place
    assert "█" in text or "░" in text               # ... and it is a bar
    assert re.search(r"\d+%", text)
    assert "rows/s" in text and "ETA" in text and "429s" in text
    assert "progress:" not in text                  # not the plain-line format
    assert "accepted" in text and "invalid" in text  # the summary table
    assert "6,000" in text


def test_pipe_gets_plain_progress_lines(make_emulator, tmp_path):
    slow = make_emulator("--import-delay-ms", "0", "--latency-ms", "40")
    path, _ = gen(tmp_path, "c.csv", 9000)
    p = run_cli(["upsert", "--chunk-size", "200", "--concurrency", "2", "--progress-interval", "0.2", str(path)],
                emu=slow)
    assert p.returncode == 0, p.stderr
    lines = [l for l in p.stderr.splitlines() if l.startswith("progress: ")]
    assert len(lines) >= 2, p.stderr
    assert "\r" not in p.stderr and "\x1b" not in p.stderr
    assert lines[-1].startswith("progress: 9,000/9,000 rows (100%)")
    assert "Done: all 9,000 rows accepted" in p.stdout
    for label in ("rows", "accepted", "rejected", "invalid", "duplicates", "not sent", "requests", "elapsed"):
        assert re.search(rf"^\s+{label}\s", p.stdout, re.M), label


def test_quiet_prints_nothing_and_json_prints_only_json(emu, tmp_path):
    path, _ = gen(tmp_path, "c.csv", 100)
    p = run_cli(["upsert", "-q", str(path)], emu=emu)
    assert p.returncode == 0 and p.stdout == "" and p.stderr == ""
    p = run_cli(["upsert", "--json", "--quiet", str(path)], emu=emu)
    s = json.loads(p.stdout)
    assert s["rows"] == 100 and s["exitCode"] == 0 and s["complete"] is True


def test_the_key_never_appears_anywhere(emu, tmp_path):
    """Every file and stream a run produces, in success, failure and resume paths."""
    keyfile = tmp_path / "key"
    keyfile.write_text(SECRET_KEY + "\n")
    path, _ = gen(tmp_path, "c.csv", 300, bad_every=30)
    outputs = []
    files = [tmp_path / n for n in ("r.json", "rej.ndjson", "out.ndjson", "j.log")]
    args = ["upsert", "--api-key-file", str(keyfile), "--report", str(files[0]), "--rejects", str(files[1]),
            "--outcomes", str(files[2]), "--journal", str(files[3]), "--wait", "--poll-interval", "0.05", str(path)]
    p = run_cli(args, emu=emu, key=None)
    assert p.returncode == 1, p.stderr
    outputs += [p.stdout, p.stderr]
    p = run_cli(args + ["--resume", "--json"], emu=emu, key=None)
    outputs += [p.stdout, p.stderr]
    code, seen = run_in_pty(["upsert", "--api-key-file", str(keyfile), str(path)], cli_env(emu, key=None))
    outputs.append(seen.decode("utf-8", "replace"))
    # error paths with the key in use: a wrong path (404s), a missing contact, an unknown session
    p = run_cli(["upsert", "--base-url", emu.base_url + "/nope", str(path)], emu=emu, key=SECRET_KEY)
    outputs += [p.stdout, p.stderr]
    p = run_cli(["contact", "get", "999999"], emu=emu, key=SECRET_KEY)
    outputs += [p.stdout, p.stderr]
    p = run_cli(["status", "no-such-session"], emu=emu, key=SECRET_KEY)
    outputs += [p.stdout, p.stderr]
    for f in files:
        outputs.append(f.read_text())
    for text in outputs:
        assert SECRET_KEY not in text
    assert any("accepted" in t for t in outputs)   # the outputs were real


def test_summary_json_adds_up(emu, tmp_path):
    path, m = gen(tmp_path, "c.csv", 1000, bad_every=7)
    p = run_cli(["upsert", "--json", str(path)], emu=emu)
    s = summary_json(p)
    assert s["rows"] == 1000
    assert s["accepted"] + s["rejected"] + s["invalid"] + s["duplicates"] + s["notSent"] == 1000
    assert s["invalid"] == m["invalid"]
