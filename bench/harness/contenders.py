"""The contenders: our CLI and bindings, and the baselines users would otherwise write. Each runs
as its own process reading the scenario's input file; Go programs are built once, beforehand, so
build time never counts."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]
CONTENDERS_DIR = ROOT / "bench" / "contenders"


@dataclass
class RunSpec:
    base_url: str
    api_key: str
    csv: Path
    ndjson: Path
    concurrency: int
    rate: int
    chunk: int
    work: Path
    extra_env: Optional[Dict[str, str]] = None   # e.g. CURL_CA_BUNDLE for the TLS scenario


class Contender:
    name = ""
    ours = False

    def prepare(self, work: Path) -> None:
        """Builds whatever must exist before timing starts."""

    def command(self, s: RunSpec) -> Tuple[List[str], Dict[str, str]]:
        raise NotImplementedError

    @staticmethod
    def env(s: RunSpec) -> Dict[str, str]:
        env = dict(os.environ)
        env["YESPO_API_KEY"] = s.api_key
        env["PYTHONPATH"] = str(CONTENDERS_DIR)
        env.update(s.extra_env or {})
        return env

    @staticmethod
    def common(s: RunSpec) -> List[str]:
        return ["--base-url", s.base_url, "--api-key", s.api_key, "--input", str(s.csv),
                "--concurrency", str(s.concurrency), "--rate", str(s.rate), "--chunk-size", str(s.chunk)]


class Cli(Contender):
    name, ours = "cli", True

    def command(self, s: RunSpec) -> Tuple[List[str], Dict[str, str]]:
        cli = os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo")
        # The same budget as every other contender: 0 is "no limit" (the CLI's default is 100/s).
        argv = [cli, "upsert", str(s.csv), "--base-url", s.base_url, "--concurrency", str(s.concurrency),
                "--chunk-size", str(s.chunk), "--rate", str(s.rate), "--quiet", "--json"]
        return argv, self.env(s)


class PythonScript(Contender):
    def __init__(self, name: str, script: str, extra: List[str], ours: bool) -> None:
        self.name, self.script, self.extra, self.ours = name, script, extra, ours

    def command(self, s: RunSpec) -> Tuple[List[str], Dict[str, str]]:
        return [sys.executable, str(CONTENDERS_DIR / self.script)] + self.extra + self.common(s), self.env(s)


class GoProgram(Contender):
    def __init__(self, name: str, folder: str, ours: bool) -> None:
        self.name, self.folder, self.ours = name, folder, ours
        self.binary: Path = Path()

    def prepare(self, work: Path) -> None:
        self.binary = work / f"bin-{self.folder}"
        env = dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod", CGO_ENABLED="1")
        subprocess.run(["go", "build", "-o", str(self.binary), "."], cwd=CONTENDERS_DIR / self.folder,
                       env=env, check=True)

    def command(self, s: RunSpec) -> Tuple[List[str], Dict[str, str]]:
        return [str(self.binary)] + self.common(s), self.env(s)


CONTENDERS: Dict[str, Contender] = {c.name: c for c in [
    Cli(),
    PythonScript("py-file", "py_binding.py", ["--mode", "file"], ours=True),
    PythonScript("py-dictreader", "py_binding.py", ["--mode", "dictreader"], ours=True),
    PythonScript("py-polars", "py_frame.py", [], ours=True),
    GoProgram("go-binding", "go_binding", ours=True),
    GoProgram("go-file", "go_file", ours=True),
    PythonScript("py-requests", "py_requests.py", [], ours=False),
    PythonScript("py-aiohttp", "py_aiohttp.py", [], ours=False),
    GoProgram("go-nethttp", "go_nethttp", ours=False),
]}
