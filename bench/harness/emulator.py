"""The emulator as the harness uses it: started once on a free loopback port, reconfigured and
reset between runs through its admin API, always stopped."""
from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[2]


class Emulator:
    def __init__(self, api_key: str) -> None:
        self.binary = os.environ.get("YESPO_EMULATOR") or str(ROOT / "dist" / "bin" / "yespo-emulator")
        self.api_key = api_key
        self.proc: Optional[subprocess.Popen] = None
        self.url = ""

    def __enter__(self) -> "Emulator":
        self.proc = subprocess.Popen([self.binary, "--host", "127.0.0.1", "--port", "0", "--quiet",
                                      "--api-key", self.api_key], stdout=subprocess.PIPE)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("listening "):
            self.__exit__()
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.url = line.split(" ", 1)[1]
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def api_url(self) -> str:
        return self.url + "/api/v1"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_emulator" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=300) as r:
            raw = r.read()
        return json.loads(raw) if raw.strip() else None

    def reset(self) -> None:
        self._call("POST", "/reset")
        self._call("POST", "/stats/reset")
        self.wait_idle()

    def wait_idle(self, timeout: float = 15.0) -> None:
        """Waits until the emulator stops using CPU: freeing a million contacts after a reset takes
        it about a second, which must not be charged to the next contender's wall time."""
        if not self.proc:
            return
        stat = Path(f"/proc/{self.proc.pid}/stat")

        def cpu_ticks() -> int:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])

        try:
            deadline = time.monotonic() + timeout
            last, quiet = cpu_ticks(), 0
            while quiet < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
                now = cpu_ticks()
                quiet = quiet + 1 if now - last <= 1 else 0
                last = now
        except OSError:
            pass

    def configure(self, cfg: dict) -> None:
        self._call("POST", "/config", cfg)

    def config(self) -> dict:
        """The current settings (GET /_emulator/config): also tells which keys this build knows."""
        return self._call("GET", "/config")

    def contacts(self) -> list:
        """Every stored contact (GET /_emulator/contacts, NDJSON), deleted ones included."""
        with urllib.request.urlopen(self.url + "/_emulator/contacts", timeout=300) as r:
            return [json.loads(line) for line in r.read().decode("utf-8").splitlines() if line.strip()]

    def set_faults(self, faults: dict) -> None:
        self._call("POST", "/faults", faults)

    def flush_imports(self) -> None:
        self._call("POST", "/imports/flush")

    def summary(self) -> dict:
        return self._call("GET", "/summary")

    def stats(self) -> dict:
        return self._call("GET", "/stats")

    def contacts(self) -> list:
        """Every stored contact (the admin API's NDJSON), deleted ones included."""
        req = urllib.request.Request(self.url + "/_emulator/contacts", method="GET")
        with urllib.request.urlopen(req, timeout=300) as r:
            return [json.loads(line) for line in r.read().decode("utf-8").splitlines() if line.strip()]
