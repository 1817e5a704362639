"""nginx (Debian's package) as an HTTPS + HTTP/2 front for the emulator, the way the real API is
reached: a private CA and a server certificate for 127.0.0.1 made with openssl, nginx on a free
127.0.0.1 port proxying to the emulator, and a second CA that signed nothing (a wrong CA for the
tests). Used by tests/tls, `chaos/run.py --tls` and the bench's TLS scenario.

    with TLSFront(emulator_url) as front:
        front.api_url      # https://127.0.0.1:PORT/api/v1
        front.ca_file      # the CA that signed the server certificate
        front.wrong_ca     # a CA that did not
        front.protocols()  # $server_protocol of every request so far (from the access log)

nginx runs in the foreground as this process's child (its own session) and is stopped on exit,
workers included: no process is left behind, also when starting fails.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional
from urllib.parse import urlparse

NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")


def find_nginx() -> Optional[str]:
    found = shutil.which("nginx")
    if found:
        return found
    return next((p for p in NGINX_CANDIDATES if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(argv: List[str], cwd: Path) -> None:
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {p.stderr.strip()}")


def make_ca(folder: Path, name: str) -> Path:
    """A self-signed CA certificate (P-256) and its key: folder/name.pem, folder/name.key."""
    _run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "3", "-subj", f"/CN={name} (yespo tests)",
          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], folder)
    return folder / f"{name}.pem"


def make_server_cert(folder: Path, ca: str) -> None:
    """server.pem / server.key for 127.0.0.1 and localhost, signed by folder/ca.pem."""
    (folder / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    _run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], folder)
    _run(["openssl", "x509", "-req", "-in", "server.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
          "-CAcreateserial", "-out", "server.pem", "-days", "3", "-extfile", "server.ext"], folder)


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    log_format front '$server_protocol $request_method $request_uri $status $ssl_protocol $connection';
    access_log {dir}/access.log front;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    client_max_body_size 64m;
    client_body_buffer_size 16m;
    keepalive_requests 100000;
    upstream emulator {{
        server {upstream};
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {dir}/server.pem;
        ssl_certificate_key {dir}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {{
            proxy_pass http://emulator;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 600s;
            proxy_send_timeout 600s;
        }}
    }}
}}
"""


class TLSFront:
    def __init__(self, upstream_url: str, work: Optional[Path] = None) -> None:
        parsed = urlparse(upstream_url)
        self.upstream = f"{parsed.hostname}:{parsed.port}"
        self.nginx = find_nginx()
        self._own_dir = work is None
        self.dir = Path(work) if work else Path(tempfile.mkdtemp(prefix="yespo-tls-"))
        self.proc: Optional[subprocess.Popen] = None
        self.port = 0

    # -- lifecycle
    def __enter__(self) -> "TLSFront":
        if self.nginx is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx; `make deps` does it)")
        self.dir.mkdir(parents=True, exist_ok=True)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        self.ca_file = make_ca(self.dir, "ca")
        self.wrong_ca = make_ca(self.dir, "wrong-ca")
        make_server_cert(self.dir, "ca")
        try:
            for attempt in range(5):
                if self._start():
                    return self
            raise RuntimeError(f"nginx did not start: {self.error_log()[-800:]}")
        except BaseException:
            self.__exit__()
            raise

    def _start(self) -> bool:
        self.port = _free_port()
        user = "user root;" if os.geteuid() == 0 else ""
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=self.dir, port=self.port, upstream=self.upstream, user=user))
        (self.dir / "access.log").write_text("")
        self.proc = subprocess.Popen([self.nginx, "-p", str(self.dir), "-c", str(conf), "-e", str(self.dir / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode("utf-8", "replace") if self.proc.stderr else ""
                self.proc = None
                if "Address already in use" in err + self.error_log():
                    return False  # the free port was taken in between: try another
                raise RuntimeError(f"nginx exited at start: {err.strip() or self.error_log()[-800:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not listen within 20 s")

    def __exit__(self, *exc: object) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # fast shutdown: the master stops its workers
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # anything of its session still there
            except ProcessLookupError:
                pass
            if proc.poll() is None:
                proc.wait()
            if proc.stderr:
                proc.stderr.close()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- what the tests use
    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/v1"

    def error_log(self) -> str:
        p = self.dir / "error.log"
        return p.read_text("utf-8", "replace") if p.exists() else ""

    def access_lines(self) -> List[List[str]]:
        p = self.dir / "access.log"
        if not p.exists():
            return []
        return [line.split() for line in p.read_text("utf-8", "replace").splitlines() if line.strip()]

    def protocols(self) -> List[str]:
        """$server_protocol of every logged request ("HTTP/2.0", "HTTP/1.1")."""
        return [fields[0] for fields in self.access_lines()]

    def mark(self) -> int:
        """The number of requests logged so far, to look only at what comes after."""
        return len(self.access_lines())

    def requests_since(self, mark: int) -> List[List[str]]:
        return self.access_lines()[mark:]
