"""HTTPS end to end: the emulator behind nginx (TLS + HTTP/2, a CA made for the session with
openssl; bench/harness/tls_front.py), reached by the CLI, the Python binding and the Go binding
with verification on. Every process this suite starts is stopped in teardown.

Needs nginx (`make deps` installs it), the built CLI/emulator/library, and the Python binding
installed in the interpreter running pytest (`make test-tls` uses the Python suite's venv)."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from harness.emulator import Emulator  # noqa: E402
from harness.tls_front import TLSFront  # noqa: E402

CLI = os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo")
KEY = "tls-secret-key-5d9e0c"


@pytest.fixture(scope="session")
def emulator():
    with Emulator(KEY) as emu:
        yield emu


@pytest.fixture(scope="session")
def front(emulator, tmp_path_factory):
    with TLSFront(emulator.url, work=tmp_path_factory.mktemp("nginx")) as f:
        yield f


@pytest.fixture
def emu(emulator):
    emulator.reset()
    return emulator


def clean_env(**extra):
    """The environment without anything that would choose the CA or the server for us."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("YESPO_") and k not in ("CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")}
    env["YESPO_API_KEY"] = KEY
    env.update(extra)
    return env


def run_cli(args, env, timeout=120, input=None):
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, input=input)


def write_contacts(path, n, tag):
    lines = [f'{{"firstName":"T{i}","channels":[{{"type":"email","value":"{tag}-{i}@example.com"}}]}}'
             for i in range(1, n + 1)]
    path.write_text("\n".join(lines) + "\n")
    return path


def stored(emu, tag):
    emu.flush_imports()  # imports are asynchronous: apply them before looking
    return sorted(ch["value"] for c in emu.contacts() for ch in c.get("channels", [])
                  if ch.get("type") == "email" and ch["value"].startswith(tag + "-"))
