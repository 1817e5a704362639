#!/usr/bin/env python3
"""`make bench-scale`: does the CLI stay flat in memory and linear in time as the input grows?
Streams 100k, 1M, 3M and 10M CSV rows into `yespo upsert -` (standard input) against the
emulator, sampling the CLI's resident memory and the bytes it has read every 100 ms, and writes
bench/results/scale.json, scale.md and scale.png (RSS and time against rows).

The rows cycle through `--distinct` contacts (every 997th row invalid, as in `make bench`), so the
emulator holds at most that many contacts whatever the size, while the client reads, validates,
chunks, sends and reports every row: a contact's next row comes 200,000 rows later, long after its
earlier request was answered, so the write-order gate never holds it.

    python bench/scale.py [--sizes 100000,1000000,3000000,10000000] [--distinct 200000]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness.emulator import Emulator  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-key"


def proc_value(pid: int, file: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def feed(pipe, header: bytes, body: bytes, offsets: List[int], rows: int) -> None:
    """Writes the header, then the body's lines cycled until `rows` rows were written."""
    try:
        pipe.write(header)
        left = rows
        per_cycle = len(offsets) - 1
        while left > 0:
            if left >= per_cycle:
                pipe.write(body)
                left -= per_cycle
            else:
                pipe.write(body[:offsets[left]])
                left = 0
        pipe.close()
    except BrokenPipeError:
        pass


def run(cli: str, emu: Emulator, header: bytes, body: bytes, offsets: List[int], rows: int) -> Dict:
    emu.reset()
    emu.configure({"latencyMs": 0, "latencyPerContactUs": 0, "rateLimitBulk": 0, "importDelayMs": 0})
    env = dict(os.environ, YESPO_API_KEY=API_KEY)
    argv = [cli, "upsert", "-", "--format", "csv", "--base-url", emu.api_url, "--rate", "0", "--quiet", "--json"]
    # Through GNU time, for the CLI's own peak RSS (see harness/measure.py).
    rss_file = Path(f"/tmp/yespo-scale-{os.getpid()}.rss")
    argv = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), "--"] + argv
    start = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    writer = threading.Thread(target=feed, args=(p.stdin, header, body, offsets, rows))
    writer.start()
    bytes_per_row = (len(body) / (len(offsets) - 1))
    samples = []
    done = threading.Event()

    def sample() -> None:
        cli = 0
        while not done.is_set():
            if not cli:   # GNU time's child
                try:
                    cli = int(Path(f"/proc/{p.pid}/task/{p.pid}/children").read_text().split()[0])
                except (OSError, IndexError, ValueError):
                    done.wait(0.01)
                    continue
            rss = proc_value(cli, "status", "VmRSS:")
            read = proc_value(cli, "io", "rchar:")
            if rss:
                samples.append({"t": round(time.monotonic() - start, 2), "rssMiB": round(rss / 1024, 1),
                                "rows": int(max(0, read - len(header)) / bytes_per_row)})
            done.wait(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    outputs: Dict[str, bytes] = {}

    def drain(name: str, stream) -> None:   # the summary can be larger than a pipe's buffer
        outputs[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s)) for n, s in (("out", p.stdout), ("err", p.stderr))]
    for t in readers:
        t.start()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - start
    done.set()
    for t in (sampler, writer, *readers):
        t.join()
    out, err = outputs.get("out", b""), outputs.get("err", b"")
    p.returncode = os.waitstatus_to_exitcode(status)
    report = json.loads(out) if out.strip().startswith(b"{") else {}
    if report.get("rows") != rows or report.get("accepted", 0) + report.get("invalid", 0) != rows:
        raise SystemExit(f"{rows} rows: the report does not add up: exit {p.returncode}, {err[-300:]!r}")
    peak_kib = usage.ru_maxrss
    try:
        peak_kib = int(rss_file.read_text().split()[-1])
        rss_file.unlink()
    except (OSError, ValueError, IndexError):
        pass
    return {"rows": rows, "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mib": round(peak_kib / 1024, 1), "accepted": report.get("accepted"),
            "invalid": report.get("invalid"), "requests": report.get("requests"), "samples": samples}


def write(results: List[Dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(results, indent=1))
    lines = ["| rows | wall s | CPU s | CPU µs/row | peak RSS MiB | requests |", "|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['rows']:,} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['cpu_s'] * 1e6 / r['rows']:.2f} "
                     f"| {r['peak_rss_mib']:.1f} | {r['requests']:,} |")
    (out / "scale.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    biggest = results[-1]
    a.plot([s["rows"] / 1e6 for s in biggest["samples"]], [s["rssMiB"] for s in biggest["samples"]])
    a.set_xlabel("rows read (millions)")
    a.set_ylabel("RSS MiB")
    a.set_title(f"CLI memory while streaming {biggest['rows']:,} rows")
    a.set_ylim(bottom=0)
    b.plot([r["rows"] / 1e6 for r in results], [r["wall_s"] for r in results], "o-", label="wall s")
    b.plot([r["rows"] / 1e6 for r in results], [r["cpu_s"] for r in results], "s-", label="CPU s")
    b.set_xlabel("rows (millions)")
    b.set_ylabel("seconds")
    b.set_title("time against rows")
    b.legend()
    fig.tight_layout()
    fig.savefig(out / "scale.png", dpi=100)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000,3000000,10000000")
    ap.add_argument("--distinct", type=int, default=200_000)
    ap.add_argument("--cli", default=os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo"))
    ap.add_argument("--results", default=str(ROOT / "bench" / "results"))
    ap.add_argument("--work", default=str(ROOT / "bench" / "work"))
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"scale-{args.distinct}.csv"
    if not source.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_contacts.py"), "--rows", str(args.distinct),
                        "--format", "csv", "--seed", "11", "--bad-every", "997", "--out", str(source)],
                       check=True, stdout=subprocess.DEVNULL)
    data = source.read_bytes()
    cut = data.index(b"\n") + 1
    header, body = data[:cut], data[cut:]
    if not body.endswith(b"\n"):
        body += b"\n"
    offsets = [0] + [i + 1 for i, c in enumerate(body) if c == 0x0A]
    results = []
    with Emulator(API_KEY) as emu:
        for rows in [int(s) for s in args.sizes.split(",") if s]:
            print(f"[scale] {rows:>11,} rows ...", end="", flush=True)
            r = run(args.cli, emu, header, body, offsets, rows)
            print(f" {r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU, peak RSS {r['peak_rss_mib']:.1f} MiB")
            results.append(r)
    write(results, Path(args.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
