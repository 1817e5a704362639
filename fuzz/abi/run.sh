#!/usr/bin/env bash
# Builds and runs the C ABI fuzz target for SECONDS (default 30) against $YESPO_LIB (default the
# repo's dist/lib/libyespo.so). Usage: fuzz/abi/run.sh [SECONDS] [extra libFuzzer flags...]
# Crashing inputs are kept in .build-fuzz/artifacts (git-ignored); the corpus grows in
# .build-fuzz/corpus between runs. Each run builds and logs in its own directory, so a long run
# and `make test` can fuzz at the same time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-30}"
shift || true
lib="${YESPO_LIB:-$root/dist/lib/libyespo.so}"
# FUZZ_INSTRUMENTED=1: build a libyespo.so whose Swift code carries libFuzzer's coverage
# instrumentation (-sanitize=fuzzer), so the fuzzer is guided through the engine's parsers and not
# only through this harness. Use it for long runs; the short run in `make test` uses the shipped .so.
if [ "${FUZZ_INSTRUMENTED:-0}" = 1 ]; then
    (cd "$root" && swift build -c release -Xswiftc -static-stdlib -Xswiftc -sanitize=fuzzer \
        --product yespo --build-path "$root/.build-fuzzlib" >/dev/null)
    lib="$root/.build-fuzzlib/release/libyespo.so"
fi
work="$root/.build-fuzz"
run="$work/run-$$"
mkdir -p "$work/corpus" "$work/artifacts" "$run/include"
trap 'rm -rf "$run"' EXIT
cp "$root/include/yespo.h" "$run/include/yespo.h"
# link against the given file whatever its name
ln -sf "$lib" "$run/libyespo.so"

clang -g -O1 -fuse-ld=lld -fsanitize=fuzzer,address -fno-omit-frame-pointer -I"$run/include" \
    "$here/fuzz_feed.c" -o "$run/fuzz_feed" -L"$run" -lyespo -ljansson -Wl,-rpath,"$run"

# Swift's runtime keeps a few process-lifetime allocations: leak reports would only be noise here
# (the valgrind run of the C tests checks leaks); ASan still catches invalid accesses.
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
cd "$run"
status=0
log="$work/last-run-$seconds-s.log"
./fuzz_feed -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 -dict="$here/contacts.dict" "$@" "$work/corpus" "$here/seeds" \
    > "$log" 2>&1 || status=$?
grep -E '(INITED|DONE)|^stat::|ERROR|SUMMARY|fuzz_feed:|Test unit written' "$log" || true
[ "$status" -eq 0 ] || { echo "FAIL fuzzing stopped with status $status; see $log"; tail -40 "$log"; }
exit "$status"
