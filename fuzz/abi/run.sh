#!/usr/bin/env bash
# Builds and runs the C ABI fuzz target for SECONDS (default 30) against $YESPO_LIB (default the
# repo's dist/lib/libyespo.so). Usage: fuzz/abi/run.sh [SECONDS] [extra libFuzzer flags...]
# Crashing inputs are kept in .build-fuzz/ (git-ignored); the corpus grows there between runs.
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
libdir="$(cd "$(dirname "$lib")" && pwd)"
work="$root/.build-fuzz"
mkdir -p "$work/corpus" "$work/artifacts" "$work/include"
cp "$root/include/yespo.h" "$work/include/yespo.h"
# link against the given file whatever its name
ln -sf "$lib" "$work/libyespo.so"

clang -g -O1 -fuse-ld=lld -fsanitize=fuzzer,address -fno-omit-frame-pointer -I"$work/include" \
    "$here/fuzz_feed.c" -o "$work/fuzz_feed" -L"$work" -lyespo -ljansson -Wl,-rpath,"$libdir"

# Swift's runtime keeps a few process-lifetime allocations: leak reports would only be noise here
# (the valgrind run of the C tests checks leaks); ASan still catches invalid accesses.
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
cd "$work"
status=0
./fuzz_feed -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 -dict="$here/contacts.dict" "$@" "$work/corpus" "$here/seeds" \
    > "$work/last-run.log" 2>&1 || status=$?
grep -E '(INITED|DONE)|^stat::|ERROR|SUMMARY|fuzz_feed:|Test unit written' "$work/last-run.log" || true
[ "$status" -eq 0 ] || { echo "FAIL fuzzing stopped with status $status; see $work/last-run.log"; tail -40 "$work/last-run.log"; }
exit "$status"
