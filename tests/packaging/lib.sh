# Shared by the packaging checks: a scratch directory outside the repository, removed on exit, and
# an emulator on a free loopback port (EMU_URL), stopped on exit.
set -euo pipefail
SCRATCH=$(mktemp -d /tmp/yespo-pkg.XXXXXX)
EMU_PID=""
cleanup() {
  if [ -n "$EMU_PID" ]; then kill "$EMU_PID" 2>/dev/null || true; wait "$EMU_PID" 2>/dev/null || true; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

start_emulator() {  # $1 = the emulator binary
  local out="$SCRATCH/emulator.out"
  "$1" --host 127.0.0.1 --port 0 --quiet > "$out" 2>"$SCRATCH/emulator.err" &
  EMU_PID=$!
  for _ in $(seq 1 300); do
    if head -1 "$out" | grep -q '^listening '; then
      EMU_URL="$(head -1 "$out" | cut -d' ' -f2 | tr -d '\r\n')"
      return 0
    fi
    sleep 0.1
  done
  echo "the emulator did not start: $(cat "$SCRATCH/emulator.err")" >&2
  return 1
}
