#!/usr/bin/env bash
# The shared library exports exactly the functions declared in the header (nm -D --defined-only),
# nothing else (no Swift symbols), and the linker's export list agrees with the header.
set -euo pipefail
lib="${1:?usage: check-symbols.sh libyespo.so yespo.h exports.map}"
header="${2:?}"
exports_map="${3:?}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$here/header-functions.sh" "$header" > "$tmp/header"
nm -D --defined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u > "$tmp/exported"
grep -o -E '^\s+yespo_[a-z0-9_]+;' "$exports_map" | tr -d ' ;\t' | sort -u > "$tmp/map"

status=0
if ! diff -u "$tmp/header" "$tmp/exported" > "$tmp/diff"; then
    echo "FAIL exported symbols differ from the header's functions (- header, + library):"
    grep -E '^[-+][^-+]' "$tmp/diff" | head -50
    status=1
fi
if ! diff -u "$tmp/header" "$tmp/map" > "$tmp/diff2"; then
    echo "FAIL Sources/YespoABI/exports.map differs from the header (- header, + map):"
    grep -E '^[-+][^-+]' "$tmp/diff2"
    status=1
fi
if grep -q -E '^\$s|^_?\$s|swift' "$tmp/exported"; then
    echo "FAIL Swift symbols are exported"
    status=1
fi
[ "$status" -eq 0 ] && echo "symbols: ok ($(wc -l < "$tmp/exported") functions exported, all in the header, none missing)"
exit "$status"
