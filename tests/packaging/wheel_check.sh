#!/usr/bin/env bash
# The wheel, installed into a fresh virtualenv in a scratch directory with no repository around it
# (cwd there, PYTHONPATH and YESPO_LIB unset), runs the Python suite (a copy of
# bindings/python/tests) against the emulator binary. With VENDORED=1 it also checks that the
# process maps the libcurl grafted into the wheel by auditwheel, not the system's.
#   wheel_check.sh WHEEL EMULATOR TESTS_DIR [extra pip packages...]
WHEEL=$1; EMULATOR=$2; TESTS=$3; shift 3
. "$(dirname "$0")/lib.sh"
cp -r "$TESTS" "$SCRATCH/tests"
find "$SCRATCH/tests" -name __pycache__ -prune -exec rm -rf {} +
# The suite's pytest settings (bindings/python/pyproject.toml), without the rest of the project.
cat > "$SCRATCH/pytest.ini" <<'INI'
[pytest]
testpaths = tests
filterwarnings =
    error::ResourceWarning
    error::pytest.PytestUnraisableExceptionWarning
    error::pytest.PytestUnhandledThreadExceptionWarning
INI
cd "$SCRATCH"
python3 -m venv venv
venv/bin/python -m pip install -q --disable-pip-version-check "$WHEEL" pytest "$@"
unset PYTHONPATH YESPO_LIB
export YESPO_EMULATOR="$EMULATOR"
venv/bin/python - "$SCRATCH" <<'PY'
import os, sys, yespo
scratch = sys.argv[1]
assert yespo.library_path.startswith(os.path.join(scratch, "venv")), yespo.library_path
assert not any(os.path.isfile(os.path.join(p, "Package.swift")) for p in [os.getcwd(), *(os.path.dirname(os.getcwd()),)])
maps = open("/proc/self/maps").read()
curl = sorted({line.split()[-1] for line in maps.splitlines() if "libcurl" in line})
print("yespo", yespo.__version__, "core", yespo.core_version(), "from", yespo.library_path)
print("libcurl mapped:", ", ".join(curl))
if os.environ.get("VENDORED") == "1":
    assert curl and all("/yespo.libs/" in p for p in curl), curl
PY
venv/bin/python -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-tests}
echo "wheel: $(basename "$WHEEL") passed the suite in a clean venv outside the repository"
