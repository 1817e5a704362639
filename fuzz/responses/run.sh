#!/usr/bin/env bash
# Builds and runs the response-parser fuzz target for SECONDS (default 30): hostile server bytes
# into the bulk answer, /importstatus, search/segment pages, id answers, error bodies and the JSON
# tree. Usage: fuzz/responses/run.sh [SECONDS] [extra libFuzzer flags...]
# The engine's sources are compiled straight into the fuzzer (swiftc -sanitize=fuzzer,address), so
# its `internal` parsers are reachable and instrumented. Exits non-zero on a crash; crashing inputs
# are kept in .build-fuzz-responses/artifacts/ (git-ignored), the corpus grows there between runs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-30}"
shift || true
work="$root/.build-fuzz-responses"
mkdir -p "$work/corpus" "$work/artifacts" "$work/module-cache"

binary="$work/fuzz_responses"
sources=("$here/ResponseFuzzer.swift")
while IFS= read -r -d '' f; do sources+=("$f"); done < <(find "$root/Sources/YespoCore" -name '*.swift' -print0 | sort -z)
# rebuild only when a source is newer than the binary (the build takes minutes on a busy machine)
stale=0
[ -x "$binary" ] || stale=1
for f in "${sources[@]}"; do [ "$f" -nt "$binary" ] && stale=1 && break; done
if [ "$stale" = 1 ]; then
    echo "building $binary"
    swiftc -swift-version 6 -parse-as-library -module-name YespoFuzzResponses -O -g \
        -sanitize=fuzzer,address -module-cache-path "$work/module-cache" \
        -I "$root/CInterop/CCurl" -I "$root/CInterop/CJansson" -I "$root/CInterop/CSQLite" \
        "${sources[@]}" -lcurl -ljansson -lsqlite3 -o "$binary.tmp"
    mv "$binary.tmp" "$binary"
fi

# Swift's runtime keeps process-lifetime allocations: leak reports would only be noise (the C
# tests' valgrind run checks leaks); ASan still catches every invalid access.
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
# Swift's own crash handler would fight ASan's for the report; libFuzzer's report is the one we want.
export SWIFT_BACKTRACE=enable=no
cd "$work"
status=0
"$binary" -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
    -dict="$here/responses.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@" \
    "$work/corpus" "$here/corpus" > "$work/last-run.log" 2>&1 || status=$?
grep -E '(INITED|DONE)|^stat::|ERROR|SUMMARY|fuzz_responses:|Test unit written' "$work/last-run.log" || true
[ "$status" -eq 0 ] || { echo "FAIL fuzzing stopped with status $status; see $work/last-run.log"; tail -40 "$work/last-run.log"; }
exit "$status"
