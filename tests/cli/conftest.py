"""Fixtures for the CLI suite: the real `yespo` binary against the real emulator over HTTP.

Binaries come from YESPO_CLI / YESPO_EMULATOR (defaults: the repo's dist/bin). Every emulator this
suite starts binds 127.0.0.1 on port 0 and is stopped in teardown, also when a test fails.
"""
import json
import os
import pathlib
import subprocess
import sys
import urllib.request

import pytest


def repo_root():
    here = pathlib.Path(__file__).resolve()
    for d in here.parents:
        if (d / "Package.swift").exists() and (d / "include" / "yespo.h").exists():
            return d
    raise RuntimeError("cannot find the repository root above " + str(here))


ROOT = repo_root()
CLI = os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo")
EMULATOR = os.environ.get("YESPO_EMULATOR") or str(ROOT / "dist" / "bin" / "yespo-emulator")
GEN = str(ROOT / "scripts" / "gen_contacts.py")
KEY = "test-key"
# A second key the emulator accepts: distinctive enough to grep for in every output.
SECRET_KEY = "sk-live-Zq8vN3rT5wXy7Kp2"


class Emulator:
    """One yespo-emulator process and its admin API."""

    def __init__(self, *args):
        for path in (CLI, EMULATOR):
            if not os.access(path, os.X_OK):
                pytest.fail(f"{path} is not built (make emulator release, or set YESPO_CLI/YESPO_EMULATOR)")
        self.proc = subprocess.Popen(
            [EMULATOR, "--host", "127.0.0.1", "--port", "0", "--quiet",
             "--api-key", KEY, "--api-key", SECRET_KEY, *args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening "):
            self.stop()
            pytest.fail(f"the emulator did not start: first line {line!r}")
        self.url = line.split(" ", 1)[1].rstrip("/")
        self.base_url = self.url + "/api/v1"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def admin(self, method, path, body=None, raw=False):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_emulator" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
        if raw:
            return text
        return json.loads(text) if text.strip() else None

    def summary(self):
        return self.admin("GET", "/summary")

    def stats(self):
        return self.admin("GET", "/stats")

    def contacts(self):
        text = self.admin("GET", "/contacts", raw=True)
        return [json.loads(l) for l in text.splitlines() if l.strip()]

    def emails(self):
        out = []
        for c in self.contacts():
            if c.get("deleted"):
                continue
            for ch in c.get("channels", []):
                if ch.get("type") == "email":
                    out.append(ch["value"])
        return out

    def reset(self):
        self.admin("DELETE", "/faults")
        self.admin("POST", "/reset")

    def config(self, **changes):
        return self.admin("POST", "/config", changes)


@pytest.fixture(scope="session")
def emulator_process():
    emu = Emulator("--import-delay-ms", "0")
    yield emu
    emu.stop()


@pytest.fixture
def emu(emulator_process):
    """The shared emulator, emptied before each test, its config restored after."""
    emulator_process.reset()
    before = emulator_process.admin("GET", "/config")
    yield emulator_process
    emulator_process.config(**before)
    emulator_process.admin("DELETE", "/faults")


@pytest.fixture
def make_emulator():
    """Starts private emulators (e.g. with latency) and stops them all afterwards."""
    started = []

    def start(*args):
        e = Emulator(*args)
        started.append(e)
        return e

    yield start
    for e in started:
        e.stop()


def cli_env(emu=None, key=KEY, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("YESPO_")}
    if key is not None:
        env["YESPO_API_KEY"] = key
    if emu is not None:
        env["YESPO_BASE_URL"] = emu.base_url
    env.update(extra or {})
    return env


def run_cli(args, emu=None, key=KEY, input=None, timeout=120, env=None, cwd=None):
    """Runs the CLI to completion; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run([CLI, *args], input=input, capture_output=True, timeout=timeout,
                          env=cli_env(emu, key, env), cwd=cwd,
                          text=not isinstance(input, bytes))


def gen(tmp_path, name, rows, fmt="csv", seed=1, bad_every=0, extra=()):
    """Writes a sample file with scripts/gen_contacts.py; returns (path, manifest)."""
    out = tmp_path / name
    manifest = tmp_path / (name + ".manifest.json")
    subprocess.run([sys.executable, GEN, "--rows", str(rows), "--format", fmt, "--seed", str(seed),
                    "--bad-every", str(bad_every), "--out", str(out), "--manifest", str(manifest), *extra],
                   check=True, capture_output=True)
    return out, json.loads(manifest.read_text())


def read_ndjson(path):
    return [json.loads(l) for l in pathlib.Path(path).read_text().splitlines() if l.strip()]


def summary_json(proc):
    """The --json summary a run printed on stdout."""
    assert proc.stdout.strip(), f"no JSON on stdout; stderr: {proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])
