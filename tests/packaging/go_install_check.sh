#!/usr/bin/env bash
# `make install PREFIX=<scratch>`, then a Go program in a directory with no repository around it
# (its own module; the binding's source copied beside it, as a vendored module would be) is built
# with cgo flags from pkg-config only, must link the installed libyespo.so, and runs against the
# emulator.   go_install_check.sh ROOT EMULATOR
ROOT=$1; EMULATOR=$2
. "$(dirname "$0")/lib.sh"
PREFIX="$SCRATCH/prefix"
make -C "$ROOT" --no-print-directory install PREFIX="$PREFIX" >/dev/null
for f in lib/libyespo.so include/yespo.h lib/pkgconfig/yespo.pc; do
  [ -f "$PREFIX/$f" ] || { echo "make install did not install $f" >&2; exit 1; }
done
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
pkg-config --exists yespo
echo "pkg-config yespo $(pkg-config --modversion yespo): $(pkg-config --cflags --libs yespo)"

mkdir -p "$SCRATCH/src" "$SCRATCH/app"
cp -r "$ROOT/bindings/go" "$SCRATCH/src/yespo-go"
rm -f "$SCRATCH"/src/yespo-go/*_test.go
cp "$ROOT/tests/packaging/goapp/main.go" "$SCRATCH/app/"
cat > "$SCRATCH/app/go.mod" <<MOD
module example.com/yespoapp

go 1.19

require github.com/yespo-client/yespo-go v0.0.0

replace github.com/yespo-client/yespo-go => ../src/yespo-go
MOD
cd "$SCRATCH/app"
export GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=1
export CGO_CFLAGS="$(pkg-config --cflags yespo)" CGO_LDFLAGS="$(pkg-config --libs yespo)"
go build -o yespoapp .
linked=$(ldd ./yespoapp | awk '/libyespo.so/ {print $3}')
[ "$linked" = "$PREFIX/lib/libyespo.so" ] || { echo "yespoapp links '$linked', not the installed library" >&2; exit 1; }
if command -v readelf >/dev/null && readelf -d ./yespoapp | grep -E 'R(UN)?PATH' | grep -q "$ROOT"; then
  echo "yespoapp's runpath points into the repository" >&2; exit 1
fi
start_emulator "$EMULATOR"
YESPO_BASE_URL="$EMU_URL/api/v1" ./yespoapp
echo "go-install: a Go program outside the repository built against $PREFIX and ran"
