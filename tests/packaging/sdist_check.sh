#!/usr/bin/env bash
# The sdist builds offline: in a scratch directory, with the network cut off (a new network
# namespace, when this user may make one), `pip wheel` builds it with no index and no build
# isolation — setup.py compiles libyespo from the sdist's native/ sources with the Swift
# toolchain. The wheel it makes (linked to the system's libcurl and jansson) then passes a
# representative part of the suite in a clean venv.   sdist_check.sh SDIST EMULATOR TESTS_DIR BUILD_PYTHON
SDIST=$1; EMULATOR=$2; TESTS=$3; BUILD_PY=$4
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
cp "$SDIST" "$SCRATCH/"
cd "$SCRATCH"
build=( env YESPO_LIB= PIP_NO_INDEX=1 "$BUILD_PY" -m pip wheel -q --no-cache-dir --no-index --no-deps --no-build-isolation
        -w "$SCRATCH/wheel" "$SCRATCH/$(basename "$SDIST")" )
if unshare -n true 2>/dev/null; then
  echo "sdist: building with the network cut off (unshare -n)"
  unshare -n -- "${build[@]}"
else
  echo "sdist: cannot make a network namespace here; building with --no-index only"
  "${build[@]}"
fi
wheel=$(ls "$SCRATCH"/wheel/*.whl)
echo "sdist: built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"
PYTEST_ARGS="tests/test_loading.py tests/test_upsert.py tests/test_async.py" \
  "$HERE/wheel_check.sh" "$wheel" "$EMULATOR" "$TESTS"
