#!/usr/bin/env bash
# The emulator's load check (too slow for the unit suite on 2 cores): 200 concurrent bulk
# requests of 3000 contacts each against a release build. Args: [requests] [contacts].
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${YESPO_EMULATOR:-}"
if [ -z "$bin" ]; then
  swift build -c release --product yespo-emulator >&2
  bin="$(swift build -c release --show-bin-path)/yespo-emulator"
fi
exec python3 scripts/load.py "$bin" "$@"
