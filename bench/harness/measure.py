"""Runs one contender process and measures it: wall time, user+sys CPU of the process and every
descendant it waited for (wait4's rusage), and its peak RSS.

The peak RSS comes from GNU time, which forks the contender: a process forked from this (Python)
harness starts with the harness's own resident size as its peak (the kernel's high-water mark
survives the exec), which hid anything below ~14 MiB and inflated every figure once the harness
grew. Without /usr/bin/time the wait4 figure is used, with that bias."""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

GNU_TIME = "/usr/bin/time"


@dataclass
class Measured:
    returncode: int
    wall_s: float
    cpu_s: float
    peak_rss_kib: int
    stdout: str
    stderr: str


def run_measured(argv: List[str], env: Dict[str, str], timeout: float, work: Path) -> Measured:
    out_path, err_path = work / "contender.out", work / "contender.err"
    rss_path = work / "contender.rss"
    rss_path.unlink(missing_ok=True)
    if Path(GNU_TIME).exists():
        argv = [GNU_TIME, "-f", "%M", "-o", str(rss_path), "--"] + argv
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    peak = usage.ru_maxrss
    try:
        peak = int(rss_path.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        pass
    return Measured(returncode=proc.returncode, wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime,
                    peak_rss_kib=peak,
                    stdout=out_path.read_text("utf-8", "replace"),
                    stderr=err_path.read_text("utf-8", "replace"))
