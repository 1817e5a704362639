#!/usr/bin/env bash
# Builds the input-stage fuzz target (libFuzzer + AddressSanitizer, compiled straight from
# Sources/YespoCore/Input) and runs it for SECONDS (default 60). Usage: fuzz/input/run.sh [SECONDS] [libFuzzer flags...]
# The corpus grows in .build-fuzz-input/corpus (git-ignored) on top of the seeds in fuzz/input/corpus;
# crashing inputs land in .build-fuzz-input/artifacts. Exit status is non-zero when anything was found.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-60}"
shift || true
work="$root/.build-fuzz-input"
mkdir -p "$work/corpus" "$work/artifacts"
bin="$work/fuzz-input"
sources=("$root"/Sources/YespoCore/Input/*.swift "$root"/Sources/YespoCore/Model/*.swift
         "$root/Sources/YespoCore/Job/UpsertOptions.swift"
         "$root/Sources/YespoCore/Job/JobKind.swift"
         "$root/Sources/YespoCore/Job/EventKeyRule.swift"
         "$root/Sources/YespoCore/JSON/JSONOutput.swift"
         "$root/Sources/YespoCore/Order/OrderKeys.swift"
         "$root/Sources/YespoCore/JSON/JSONText.swift"
         "$root/Sources/YespoCore/Support/YespoError.swift"
         "$root/Sources/YespoCore/Support/ByteHash.swift"
         "$here/FuzzInput.swift")
newest="$(ls -t "${sources[@]}" "$0" | head -1)"
if [ ! -x "$bin" ] || [ "$newest" -nt "$bin" ]; then
    swiftc -O -g -parse-as-library -sanitize=fuzzer,address -use-ld=lld -module-name YespoInputFuzz \
        "${sources[@]}" -o "$bin.tmp.$$"
    mv "$bin.tmp.$$" "$bin"
fi
# Swift's runtime keeps process-lifetime allocations: leak reports would be noise here.
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"
log="$work/last-run.log"
status=0
"$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" -dict="$here/input.dict" "$@" "$work/corpus" "$here/corpus" \
    > "$log" 2>&1 || status=$?
grep -E '(INITED|DONE)|^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::peak_rss|ERROR|SUMMARY|invariant|Test unit written' "$log" || true
[ "$status" -eq 0 ] || { echo "FAIL: fuzzing stopped with status $status; see $log"; tail -30 "$log"; }
exit "$status"
