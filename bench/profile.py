#!/usr/bin/env python3
"""Per-stage CPU cost of the CLI in instructions per row, counted by valgrind's callgrind: the
same figure on a busy shared machine as on an idle one (wall-clock timings are not). Runs the CLI
on a generated CSV (the bench's rows, every 997th invalid) against the emulator, once with
--dry-run and once sending, and splits the instructions into stages by the functions that do
them (inclusive costs):

    read      FileRowReader.nextRecord: the read buffer and the record splitter
    split     parseCSVRecord: a record into cells
    validate  the cells checked and written as the normalised contact, with its match and order
              keys (CSVContactBuilder.build, ContactPreparer; before issue 14 also the JSON
              re-parse, ContactPreparer.prepare)
    chunk     the contact spliced into the request body, in-chunk de-duplication (JobCore.accept*
              less hand)
    send      queueing and dispatching chunks (JobCore.hand, the write-order gate's admission,
              wherever it runs) and the engine thread (libcurl, the transfer) less outcome handling
    outcome   a finished request's rows: answer parsing, the gate's release, the report store,
              progress/outcome callbacks, the final report and the CLI's summary
    other     the rest (per-row glue between the stages)

Start-up (a one-row run) is subtracted. Usage:

    python bench/profile.py [--rows 100000] [--cli dist/bin/yespo] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness.emulator import Emulator  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-key"

# Mangled-name fragments; a stage adds the largest inclusive cost of each pattern's matches
# (thunks repeat the same figure). Names from before and after issue 14 are both listed.
PATTERNS: Dict[str, str] = {
    "nextRecord": r"FileRowReaderC10nextRecord",
    "parseCSV": r"14parseCSVRecord_9delimiter",
    "build": r"17CSVContactBuilderV5build_",
    "prepareOld": r"15ContactPreparerV7prepare4json3row7scratch",
    "check": r"15ContactPreparerV5checkyy",
    "ready": r"15ContactPreparerV5ready_3row",
    "accept": r"03JobB0C(6acceptyyAA10RowVerdict|11acceptReady)",
    "hand": r"03JobB0C4handyyAA5ChunkVSgKF",
    "engine": r"9TransportC8settings3logAcA14ClientSettingsV_AA7LogSinkCtAA0A5ErrorVYKcfcSvSgALcfU_",
    "partFinished": r"03JobB0C12partFinishedyyAA9ChunkPartV_AA11HTTPOutcomeOtF",
    "callbacks": r"03JobB0C12runCallbacks",
    "finish": r"03JobB0C6finishAA12UpsertReport",
    "outputs": r"13UpsertOutputsV4emit",
}


def callgrind(cli: str, args: List[str], out: Path) -> None:
    env = dict(os.environ, YESPO_API_KEY=API_KEY)
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", cli] + args,
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def inclusive(path: Path) -> Dict[str, int]:
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(path)],
                          capture_output=True, text=True, check=True).stdout
    found = {k: 0 for k in PATTERNS}
    total = 0
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(\([^)]*\)\s+)?(.*)$", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        name = m.group(3)
        if "PROGRAM TOTALS" in name:
            total = n
        for key, pat in PATTERNS.items():
            if re.search(pat, name):
                found[key] = max(found[key], n)
    found["total"] = total
    return found


DISPATCH = r"03JobB0C22takeDispatchableLocked"


def dispatch_from_outcomes(path: Path) -> int:
    """The part of dispatching new chunks (the write-order gate's admission) that runs inside a
    finished request's handling: it belongs to `send`, not `outcome`."""
    text = subprocess.run(["callgrind_annotate", "--tree=caller", "--threshold=100", str(path)],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    for i, line in enumerate(text):
        if "* " in line and re.search(DISPATCH, line):
            total = 0
            j = i - 1
            while j >= 0 and "<" in text[j]:
                if "partFinished" in text[j]:
                    total += int(text[j].split()[0].replace(",", ""))
                j -= 1
            return total
    return 0


def stages(run: Dict[str, int], startup: int, rows: int) -> Dict[str, float]:
    moved = run.get("dispatchInOutcome", 0)
    s = {
        "read": run["nextRecord"],
        "split": run["parseCSV"],
        "validate": run["build"] + run["prepareOld"] + run["check"] + run["ready"],
        "chunk": max(0, run["accept"] - run["hand"]),
        "send": max(0, run["engine"] - run["partFinished"]) + run["hand"] + moved,
        "outcome": run["partFinished"] - moved + run["callbacks"] + run["finish"] + run["outputs"],
    }
    total = max(0, run["total"] - startup)
    s["other"] = max(0, total - sum(s.values()))
    s["total"] = total
    return {k: v / rows for k, v in s.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--cli", default=os.environ.get("YESPO_CLI") or str(ROOT / "dist" / "bin" / "yespo"))
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="yespo-profile-") as tmp, Emulator(API_KEY) as emu:
        work = Path(tmp)
        csv = work / "rows.csv"
        subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_contacts.py"), "--rows", str(args.rows),
                        "--format", "csv", "--seed", "7", "--bad-every", "997", "--out", str(csv)],
                       check=True, stdout=subprocess.DEVNULL)
        one = work / "one.csv"
        one.write_text("\n".join(csv.read_text().splitlines()[:2]) + "\n")
        common = ["--base-url", emu.api_url, "--quiet", "--json"]
        results = {}
        for mode, extra in (("dry-run", ["--dry-run"]), ("send", [])):
            emu.reset()
            callgrind(args.cli, ["upsert", str(one)] + common + extra, work / f"cg.one.{mode}")
            emu.reset()
            callgrind(args.cli, ["upsert", str(csv)] + common + extra, work / f"cg.{mode}")
            startup = inclusive(work / f"cg.one.{mode}")["total"]
            found = inclusive(work / f"cg.{mode}")
            found["dispatchInOutcome"] = dispatch_from_outcomes(work / f"cg.{mode}")
            results[mode] = stages(found, startup, args.rows)
    order = ["read", "split", "validate", "chunk", "send", "outcome", "other", "total"]
    print(f"instructions per row ({args.rows:,} rows, {args.cli})")
    print(f"{'stage':10} {'dry-run':>9} {'send':>9}")
    for k in order:
        print(f"{k:10} {results['dry-run'][k]:9.0f} {results['send'][k]:9.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": args.rows, "cli": args.cli, "stages": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
