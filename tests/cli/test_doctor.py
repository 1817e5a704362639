"""`yespo doctor` against the emulator (plain http on loopback): one line per check, each failure
with its fix, exit 0/1, the key never printed; and the shell completions the CLI generates. The
same checks over HTTPS through nginx are in tests/tls."""
import json
import subprocess

from conftest import CLI, SECRET_KEY, run_cli


def checks(p):
    return {c["check"]: c for c in json.loads(p.stdout)["checks"]}


def test_doctor_all_good_against_the_emulator(emu):
    p = run_cli(["doctor"], emu=emu, key=SECRET_KEY)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == f"yespo doctor: {emu.base_url}"
    for name in ("base URL", "TLS", "API key", "clock", "budget"):
        assert any(name in line for line in lines), name
    assert "all checks passed" in p.stdout
    assert SECRET_KEY not in p.stdout + p.stderr
    j = run_cli(["doctor", "--json"], emu=emu, key=SECRET_KEY)
    c = checks(j)
    assert [c[k]["status"] for k in ("base URL", "TLS", "API key", "clock", "budget")] == \
        ["ok", "skip", "ok", "ok", "ok"]
    assert json.loads(j.stdout)["exitCode"] == 0
    assert "200/s" in c["budget"]["detail"]


def test_doctor_wrong_key_and_budget_fail_with_fixes(emu):
    p = run_cli(["doctor", "--json", "--rate", "500"], emu=emu, key="not-the-key-1234")
    assert p.returncode == 1
    c = checks(p)
    assert c["API key"]["status"] == "fail" and "refused (HTTP 401)" in c["API key"]["detail"]
    assert "YESPO_API_KEY" in c["API key"]["fix"]
    assert c["budget"]["status"] == "fail" and "--rate 200" in c["budget"]["fix"]
    assert "not-the-key-1234" not in p.stdout + p.stderr
    text = run_cli(["doctor", "--rate", "0"], emu=emu, key="not-the-key-1234")
    assert text.returncode == 1
    assert "FAIL  API key" in text.stdout and "fix: export YESPO_API_KEY" in text.stdout
    assert "warn  budget" in text.stdout


def test_doctor_without_a_key_or_a_server(emu, tmp_path):
    p = run_cli(["doctor", "--json"], emu=emu, key=None)
    assert p.returncode == 1
    assert checks(p)["API key"]["detail"].startswith("no API key")
    # Nothing listening: the base URL fails, the checks that need an answer are skipped.
    dead = run_cli(["doctor", "--json", "--base-url", "http://127.0.0.1:9/api/v1"], key="k")
    assert dead.returncode == 1
    c = checks(dead)
    assert c["base URL"]["status"] == "fail" and "--base-url" in c["base URL"]["fix"]
    assert c["API key"]["status"] == "skip" and c["clock"]["status"] == "skip"


def test_doctor_sees_a_wrong_base_url_path(emu):
    p = run_cli(["doctor", "--json", "--base-url", emu.url + "/wrong/path"], key="test-key")
    assert p.returncode == 1
    assert "base URL is probably wrong" in checks(p)["API key"]["detail"]


def test_completion_scripts_are_generated():
    for shell, marker in (("bash", "complete"), ("zsh", "#compdef"), ("fish", "complete -c 'yespo'")):
        p = subprocess.run([CLI, "--generate-completion-script", shell], capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        assert marker in p.stdout and "doctor" in p.stdout and "upsert" in p.stdout, shell
