#!/usr/bin/env bash
# `make demo`: the README's first command. From a fresh clone: install what is missing, build the
# emulator and the CLI, start the emulator on a free loopback port, generate a 50,000-row CSV with a
# few deliberately bad rows, stream it into the emulator with `yespo upsert --wait` (progress bar on
# a terminal), show the summary and the rejects, and check that the emulator holds exactly the
# expected contacts. The emulator is stopped on exit, whatever happens.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROWS="${DEMO_ROWS:-50000}"
BAD_EVERY="${DEMO_BAD_EVERY:-5000}"
MAKE="${MAKE:-make}"

if [ -t 1 ]; then bold=$'\033[1m'; reset=$'\033[0m'; else bold=""; reset=""; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }

if [ "${DEMO_SKIP_BUILD:-0}" != 1 ]; then   # DEMO_SKIP_BUILD=1: use YESPO_CLI / YESPO_EMULATOR as they are
  step "Installing what is missing (make deps)"
  "$MAKE" --no-print-directory deps

  step "Building the emulator and the CLI (make emulator release)"
  "$MAKE" --no-print-directory emulator release
fi

YESPO="${YESPO_CLI:-$ROOT/dist/bin/yespo}"
EMULATOR="${YESPO_EMULATOR:-$ROOT/dist/bin/yespo-emulator}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/yespo-demo.XXXXXX")"
EMU_PID=""
cleanup() {
  if [ -n "$EMU_PID" ] && kill -0 "$EMU_PID" 2>/dev/null; then
    kill "$EMU_PID" 2>/dev/null || true
    wait "$EMU_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Starting the Yespo API emulator on a free loopback port"
"$EMULATOR" --host 127.0.0.1 --port 0 --quiet >"$WORK/emulator.out" 2>"$WORK/emulator.log" &
EMU_PID=$!
URL=""
for _ in $(seq 1 300); do
  line="$(head -n 1 "$WORK/emulator.out" 2>/dev/null || true)"
  if [[ "$line" == listening\ * ]]; then URL="${line#listening }"; break; fi
  kill -0 "$EMU_PID" 2>/dev/null || { cat "$WORK/emulator.log" >&2; echo "the emulator exited" >&2; exit 2; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "the emulator did not say where it listens" >&2; exit 2; }
echo "emulator: $URL (pid $EMU_PID)"

step "Generating $ROWS sample contacts with a few deliberately bad rows"
python3 scripts/gen_contacts.py --rows "$ROWS" --bad-every "$BAD_EVERY" --seed 2024 \
  --out "$WORK/contacts.csv" --manifest "$WORK/manifest.json"
head -n 3 "$WORK/contacts.csv"
echo "..."

step "yespo upsert --wait contacts.csv"
export YESPO_API_KEY=test-key      # the emulator's key; a real one would come from your secrets store
set +e
(cd "$WORK" && "$YESPO" upsert contacts.csv --base-url "$URL/api/v1" --wait --poll-interval 0.2 \
  --report report.json --rejects rejects.ndjson --progress-interval 1)
rc=$?
set -e
echo "exit code: $rc (1 = some rows were not accepted: the deliberately bad ones)"
[ "$rc" -le 1 ] || exit "$rc"

step "The rejects file (one NDJSON line per row not accepted)"
python3 - "$WORK/rejects.ndjson" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    reason = r["reason"].removeprefix(f"row {r['row']}: ")
    print(f"  row {r['row']:>6}  {r['outcome']:<8}  {reason}")
EOF

step "Checking the emulator holds exactly the expected contacts"
python3 - "$URL" "$WORK/manifest.json" "$WORK/report.json" <<'EOF'
import json, sys, urllib.request
url, manifest, report = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
summary = json.load(urllib.request.urlopen(url + "/_emulator/summary", timeout=30))
expected = manifest["valid"]
print(f"  rows in the file     {manifest['rows']:>7,}")
print(f"  deliberately bad     {manifest['invalid']:>7,}  rows {manifest['badRows']}")
print(f"  accepted (report)    {report['accepted']:>7,}")
print(f"  contacts (emulator)  {summary['contacts']:>7,}  imports finished: {summary['imports']['finished']}")
rejected_rows = sorted(json.loads(l)["row"] for l in open(sys.argv[3].replace("report.json", "rejects.ndjson")))
ok = summary["contacts"] == expected == report["accepted"] and rejected_rows == manifest["badRows"]
print("  OK: every valid row is a contact, every bad row is in the rejects" if ok else "  MISMATCH")
sys.exit(0 if ok else 1)
EOF

step "Demo complete; the emulator is stopped on exit"
