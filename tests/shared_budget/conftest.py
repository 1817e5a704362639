"""Fixtures for the shared-budget suite: a real redis-server, the real emulator, and one worker
per door — the CLI binary, the Python binding (py_worker.py, run by this interpreter, which must
have `yespo` installed) and the Go binding (go_worker, built once per session).

Every server binds 127.0.0.1 on a free port and is stopped in teardown, also when a test fails.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any, Dict, List, Optional

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = next(d for d in HERE.parents if (d / "Package.swift").exists() and (d / "include" / "yespo.h").exists())
CLI = os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo")
EMULATOR = os.environ.get("YESPO_EMULATOR") or str(ROOT / "dist" / "bin" / "yespo-emulator")
LIB = os.environ.get("YESPO_LIB") or str(ROOT / "dist" / "lib" / "libyespo.so")
REDIS_SERVER = os.environ.get("YESPO_REDIS_SERVER") or "redis-server"
# The one key every process uses: distinctive enough to grep for in Redis's MONITOR output.
SECRET_KEY = "sk-live-R3d1sB4dg3tQ9xZ7"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    """A redis-server without persistence; kill() and start() keep the port."""

    def __init__(self) -> None:
        if shutil.which(REDIS_SERVER) is None:
            pytest.fail("redis-server is not installed (make deps installs it)")
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--logfile", "/dev/null"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.command("PING") == "PONG":
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        pytest.fail("redis-server did not answer")

    def kill(self) -> None:
        """SIGKILL, like a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def command(self, *args: str) -> Any:
        """One command on a fresh connection; its reply as Python values."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            out = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
            s.sendall(out.encode())
            with s.makefile("rb") as f:
                return _reply(f)

    def monitor(self) -> "Monitor":
        return Monitor(self.port)


def _reply(f: Any) -> Any:
    line = f.readline()[:-2]
    kind, rest = line[:1], line[1:]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2].decode()
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_reply(f) for _ in range(n)]
    raise OSError(f"not a Redis reply: {line!r}")


class Monitor:
    """Everything Redis executes while it runs (MONITOR on its own connection)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        self.sock.sendall(b"*1\r\n$7\r\nMONITOR\r\n")
        self.sock.settimeout(0.2)
        self.seen = b""

    def drain(self) -> bytes:
        while True:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return self.seen
            if not chunk:
                return self.seen
            self.seen += chunk

    def close(self) -> bytes:
        text = self.drain()
        self.sock.close()
        return text


class Emulator:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [EMULATOR, "--host", "127.0.0.1", "--port", "0", "--quiet", "--api-key", SECRET_KEY, *args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening "):
            self.stop()
            pytest.fail(f"the emulator did not start: {line!r}")
        self.url = line.split(" ", 1)[1].rstrip("/")
        self.base_url = self.url + "/api/v1"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def admin(self, method: str, path: str) -> Any:
        req = urllib.request.Request(self.url + "/_emulator" + path, method=method,
                                     data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
        return json.loads(raw) if raw.strip() else None

    def stats(self) -> Dict[str, Any]:
        return self.admin("GET", "/stats")

    def contacts(self) -> List[Dict[str, Any]]:
        with urllib.request.urlopen(self.url + "/_emulator/contacts", timeout=60) as r:
            return [json.loads(line) for line in r.read().decode().splitlines() if line.strip()]

    def stored(self) -> int:
        self.admin("POST", "/imports/flush")
        return int(self.admin("GET", "/summary")["contacts"])


@pytest.fixture
def redis():
    r = Redis()
    yield r
    r.kill()


@pytest.fixture
def emulator_factory():
    started: List[Emulator] = []

    def start(*args: str) -> Emulator:
        e = Emulator(*args)
        started.append(e)
        return e

    yield start
    for e in started:
        e.stop()


@pytest.fixture(scope="session")
def go_worker(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("go") / "go_worker"
    lib_dir = os.path.dirname(os.path.abspath(LIB))
    env = dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod", CGO_ENABLED="1",
               CGO_LDFLAGS=f"-L{lib_dir} -Wl,-rpath,{lib_dir}")
    subprocess.run(["go", "build", "-o", str(out), "."], cwd=HERE / "go_worker", env=env, check=True)
    return str(out)


def write_contacts(path: pathlib.Path, tag: str, rows: int) -> pathlib.Path:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(rows):
            f.write(json.dumps({"firstName": f"N{i}", "channels": [{"type": "email", "value": f"{tag}-{i}@example.com"}]}) + "\n")
    return path


class Worker:
    """One process of one door on the shared budget."""

    def __init__(self, door: str, argv: List[str], report_path: Optional[pathlib.Path], env: Dict[str, str]) -> None:
        self.door = door
        self.report_path = report_path
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        self.stdout = ""
        self.stderr = ""

    def wait(self, timeout: float = 180) -> int:
        try:
            self.stdout, self.stderr = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.stdout, self.stderr = self.proc.communicate()
            raise
        return self.proc.returncode

    def report(self) -> Dict[str, Any]:
        if self.report_path is not None:
            return json.loads(self.report_path.read_text())
        return json.loads(self.stdout.strip().splitlines()[-1])

    @property
    def accepted(self) -> int:
        r = self.report()
        return int(r.get("accepted", 0))

    @property
    def shared_budget(self) -> Optional[Dict[str, Any]]:
        return self.report().get("sharedBudget")


def start_worker(door: str, tmp: pathlib.Path, go_worker: str, *, base_url: str, input: pathlib.Path,
                 rate: int, budget: Optional[str], name: Optional[str] = None, chunk: int = 100,
                 fallback: Optional[str] = None, processes: Optional[int] = None) -> Worker:
    env = dict(os.environ, YESPO_API_KEY=SECRET_KEY)
    env.pop("YESPO_SHARED_BUDGET", None)
    env.pop("YESPO_BUDGET_NAME", None)
    common = ["--base-url", base_url, "--rate", str(rate), "--chunk-size", str(chunk), "--concurrency", "4"]
    if door == "cli":
        report = tmp / f"report-{input.stem}.json"
        argv = [CLI, "upsert", str(input), *common, "--report", str(report)]
        if budget:
            argv += ["--shared-budget", budget]
        if name:
            argv += ["--budget-name", name]
        if fallback:
            argv += ["--shared-budget-fallback", fallback]
        if processes:
            argv += ["--shared-budget-processes", str(processes)]
        return Worker(door, argv, report, env)
    extra: List[str] = ["--input", str(input)]
    if budget:
        extra += ["--shared-budget", budget]
    if name:
        extra += ["--budget-name", name]
    if fallback:
        extra += ["--fallback", fallback]
    if processes:
        extra += ["--processes", str(processes)]
    if door == "python":
        env.pop("YESPO_LIB", None)  # the installed package's own copy of the library
        return Worker(door, [sys.executable, str(HERE / "py_worker.py"), *common, *extra], None, env)
    if door == "go":
        return Worker(door, [go_worker, *common, *extra], None, env)
    raise ValueError(door)
