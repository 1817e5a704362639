"""Test helpers: run the Yespo API emulator (``yespo-emulator``) for your own tests.

    from yespo.testing import Emulator
    with Emulator() as emu:
        client = emu.client()
        ...
        assert emu.summary()["contacts"] == 3

With pytest the ``emulator`` fixture is available automatically (this module is a pytest plugin):
it yields a running :class:`Emulator` (shared by the session, reset before each test).

The binary is found through ``YESPO_EMULATOR``, then ``<repo>/dist/bin/yespo-emulator`` for a
source checkout, then ``yespo-emulator`` on ``PATH``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterator, Optional, Sequence

if TYPE_CHECKING:
    from .aio import AsyncClient
    from .client import Client

API_KEY = "test-key"
_START_TIMEOUT = 30.0


def find_emulator() -> str:
    """The path of the emulator binary (see the module doc for the search order)."""
    override = os.environ.get("YESPO_EMULATOR")
    if override:
        return override
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for parent in (start, *start.parents):
            if (parent / "Package.swift").is_file() and (parent / "include" / "yespo.h").is_file():
                candidate = parent / "dist" / "bin" / "yespo-emulator"
                if candidate.is_file():
                    return str(candidate)
                break
    found = shutil.which("yespo-emulator")
    if found:
        return found
    raise FileNotFoundError(
        "yespo-emulator not found: set YESPO_EMULATOR, or build it with `make emulator`"
    )


class AdminError(RuntimeError):
    """The emulator's admin API answered with an error."""


class Emulator:
    """A running emulator on 127.0.0.1 and a free port; a context manager that always stops it.

    ``url`` is the API base URL to give a client (``http://127.0.0.1:PORT/api/v1``),
    ``root_url`` the server's root (the admin API lives under ``/_emulator``).
    """

    def __init__(
        self,
        *,
        binary: Optional[str] = None,
        api_keys: Sequence[str] = (),
        seed: Optional[int] = None,
        import_delay_ms: Optional[int] = None,
        latency_ms: Optional[int] = None,
        latency_per_contact_us: Optional[int] = None,
        rate_limit_bulk: Optional[int] = None,
        rate_limit_other: Optional[int] = None,
        retry_after: Optional[int] = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.binary = binary or find_emulator()
        args = [self.binary, "--host", "127.0.0.1", "--port", "0", "--quiet"]
        for key in api_keys:
            args += ["--api-key", key]
        for flag, value in (("--seed", seed), ("--import-delay-ms", import_delay_ms),
                            ("--latency-ms", latency_ms),
                            ("--latency-per-contact-us", latency_per_contact_us),
                            ("--rate-limit-bulk", rate_limit_bulk),
                            ("--rate-limit-other", rate_limit_other),
                            ("--retry-after", retry_after)):
            if value is not None:
                args += [flag, str(value)]
        self.args = args + list(extra_args)
        self.api_key = api_keys[0] if api_keys else API_KEY
        self.root_url = ""
        self.url = ""
        self._proc: Optional[subprocess.Popen[bytes]] = None
        self._stderr: Optional[IO[bytes]] = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "Emulator":
        if self._proc is not None:
            return self
        if not os.access(self.binary, os.X_OK):
            raise FileNotFoundError(f"yespo-emulator is not an executable file: {self.binary}")
        self._stderr = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self._stderr,
                                          stdin=subprocess.DEVNULL)
        except BaseException:
            self.stop()
            raise
        line = self._first_line()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"yespo-emulator did not start: {line!r}; stderr: {self._stderr_text()}")
        self.root_url = line.split(" ", 1)[1].strip().rstrip("/")
        self.url = self.root_url + "/api/v1"
        # Keep reading stdout so the emulator never blocks on a full pipe.
        threading.Thread(target=self._drain, name="yespo-emulator-stdout", daemon=True).start()
        return self

    def _first_line(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        result: list[bytes] = []
        reader = threading.Thread(target=lambda: result.append(self._proc.stdout.readline()),  # type: ignore[union-attr]
                                  daemon=True)
        reader.start()
        reader.join(_START_TIMEOUT)
        if not result:
            self.stop()
            raise RuntimeError(f"yespo-emulator printed nothing within {_START_TIMEOUT}s")
        return result[0].decode("utf-8", errors="replace").strip()

    def _drain(self) -> None:
        proc = self._proc
        if proc is not None and proc.stdout is not None:
            for _ in proc.stdout:
                pass

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-4000:].decode("utf-8", errors="replace")

    def stop(self) -> None:
        """Stops the emulator (SIGTERM, then SIGKILL after 5 s). Idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<yespo.testing.Emulator {self.url or 'not started'}>"

    def client(self, **options: Any) -> "Client":
        """A :class:`yespo.Client` for this emulator (key ``test-key`` unless given)."""
        from .client import Client  # noqa: F811 - imported late: yespo.testing must load without a client

        options.setdefault("api_key", self.api_key)
        options.setdefault("base_url", self.url)
        return Client(**options)

    def async_client(self, **options: Any) -> "AsyncClient":
        """A :class:`yespo.AsyncClient` for this emulator (key ``test-key`` unless given)."""
        from .aio import AsyncClient  # noqa: F811 - imported late, like client()

        options.setdefault("api_key", self.api_key)
        options.setdefault("base_url", self.url)
        return AsyncClient(**options)

    # ------------------------------------------------------------------ admin API

    def admin(self, method: str, path: str, body: Any = None, raw: bool = False) -> Any:
        """Calls ``/_emulator/<path>``; returns parsed JSON (or the text with ``raw=True``)."""
        if not self.root_url:
            raise RuntimeError("the emulator is not running")
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(f"{self.root_url}/_emulator/{path.lstrip('/')}", data=data,
                                     method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            raise AdminError(f"{method} /_emulator/{path}: {exc.code} {exc.read()[:500]!r}") from None
        if raw:
            return text
        return json.loads(text) if text.strip() else None

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("GET", "summary")
        return result

    def contacts(self) -> list[dict[str, Any]]:
        text = self.admin("GET", "contacts", raw=True)
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def iter_contacts(self) -> Iterator[dict[str, Any]]:
        return iter(self.contacts())

    def contact(self, contact_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("GET", f"contacts/{contact_id}")
        return result

    def groups(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.admin("GET", "groups")
        return result

    def events(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.admin("GET", "events")
        return result

    def imports(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.admin("GET", "imports")
        return result

    def flush_imports(self) -> None:
        self.admin("POST", "imports/flush")

    def reset(self) -> None:
        """Forgets contacts, groups, events, imports, faults and stats (config is kept)."""
        self.admin("POST", "reset")

    def config(self, **changes: Any) -> dict[str, Any]:
        """Merges ``changes`` (latencyMs, importDelayMs, rateLimitBulk, ...) and returns the config."""
        if changes:
            self.admin("POST", "config", changes)
        result: dict[str, Any] = self.admin("GET", "config")
        return result

    def set_faults(self, rules: Sequence[dict[str, Any]], seed: int = 1) -> None:
        self.admin("POST", "faults", {"seed": seed, "rules": list(rules)})

    def clear_faults(self) -> None:
        self.admin("DELETE", "faults")

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("GET", "stats")
        return result

    def reset_stats(self) -> None:
        self.admin("POST", "stats/reset")


try:  # the pytest plugin part: only when pytest is importable
    import pytest
except ImportError:  # pragma: no cover - plain use without pytest
    pass
else:

    @pytest.fixture(scope="session")
    def yespo_emulator_session() -> Iterator[Emulator]:
        """One emulator for the whole test session (stopped at the end, also on failure)."""
        emu = Emulator()
        emu.start()
        try:
            yield emu
        finally:
            emu.stop()

    @pytest.fixture
    def emulator(yespo_emulator_session: Emulator) -> Iterator[Emulator]:
        """A running emulator, reset (no contacts, faults or stats) and with its default config."""
        emu = yespo_emulator_session
        if not emu.running:  # a test killed it: start a fresh one
            emu.stop()
            emu.start()
        original = emu.config()
        emu.reset()
        yield emu
        if emu.running:  # leave it clean for the next test (a test may have stopped it)
            emu.reset()
            emu.config(**original)
