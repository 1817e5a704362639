#!/usr/bin/env bash
# The library loads with the Swift toolchain hidden: a copy in a temp dir, an empty environment
# (no LD_LIBRARY_PATH, no PATH to /opt/swift), dlopen'ed by a C program; its direct dependencies
# are only libc/libm/libstdc++/libgcc_s/libcurl/libjansson/libsqlite3, and nothing resolves into the toolchain.
set -euo pipefail
lib="${1:?usage: check-load.sh libyespo.so loadtest-binary}"
loader="${2:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$lib" "$tmp/libyespo.so"
cp "$loader" "$tmp/loadtest"

allowed='^(libc\.so\.6|libm\.so\.6|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libcurl\.so\.4|libjansson\.so\.4|libsqlite3\.so\.0|ld-linux-x86-64\.so\.2|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1)$'
needed="$(readelf -d "$tmp/libyespo.so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
bad_needed="$(echo "$needed" | grep -v -E "$allowed" || true)"
if [ -n "$bad_needed" ]; then
    echo "FAIL libyespo.so needs libraries outside libc/libm/libstdc++/libgcc/libcurl/libjansson/libsqlite3: $bad_needed"
    exit 1
fi
if readelf -d "$tmp/libyespo.so" | grep -E '(RPATH|RUNPATH)' | grep -q '/opt/swift\|swift'; then
    echo "FAIL libyespo.so carries an rpath into the Swift toolchain"
    exit 1
fi
resolved="$(env -i LD_LIBRARY_PATH= /usr/bin/ldd "$tmp/libyespo.so")"
if echo "$resolved" | grep -q -E 'not found|/opt/swift|swift'; then
    echo "FAIL ldd with an empty environment:"
    echo "$resolved"
    exit 1
fi
env -i LD_LIBRARY_PATH= "$tmp/loadtest" "$tmp/libyespo.so"
echo "load: needed = $(echo $needed)"
