"""The Go binding through nginx: bindings/go/tls_test.go (TestTLSFront) run against this
session's front, then nginx's access log checked: every request HTTP/2."""
import os
import pathlib
import shutil
import subprocess

import pytest

from conftest import KEY, ROOT, stored


def go_env(front):
    lib = pathlib.Path(os.environ.get("YESPO_GO_LIB") or os.environ.get("YESPO_LIB")
                       or ROOT / "dist" / "lib" / "libyespo.so").resolve()
    env = {k: v for k, v in os.environ.items() if k not in ("CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")}
    env.update(GOPROXY="off", GOFLAGS="", CGO_LDFLAGS=f"-L{lib.parent} -Wl,-rpath,{lib.parent}",
               YESPO_TLS_BASE_URL=front.api_url, YESPO_TLS_CA=str(front.ca_file),
               YESPO_TLS_WRONG_CA=str(front.wrong_ca), YESPO_TLS_KEY=KEY)
    return env


def test_go_binding_through_nginx(emu, front):
    go = shutil.which("go")
    if go is None:
        pytest.fail("go is not installed (make deps)")
    mark = front.mark()
    p = subprocess.run([go, "test", "-count=1", "-run", "^TestTLSFront$", "-v", "."], cwd=ROOT / "bindings" / "go",
                       env=go_env(front), capture_output=True, text=True, timeout=600)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-3000:]
    assert "--- PASS: TestTLSFront" in out and "SKIP" not in out, out[-3000:]
    assert KEY not in out
    assert len(stored(emu, "gocafile")) == 1500
    assert stored(emu, "gowrong") == []
    logged = front.requests_since(mark)
    assert logged and {r[0] for r in logged} == {"HTTP/2.0"}
