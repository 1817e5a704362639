# The Python binding: installs ./bindings/python (bundling libyespo.so) into a fresh virtualenv,
# type-checks it with mypy --strict and runs its pytest suite against the emulator.
.PHONY: test-python python-venv
TEST_TARGETS += test-python
PY_VENV := $(ROOT)/.venv-test
PY := $(PY_VENV)/bin/python

$(PY):
	python3 -m venv $(PY_VENV)
	$(PY) -m pip install -q --upgrade pip

# The optional packages the suite also covers: DataFrames (pandas, polars, pyarrow) and tqdm.
PY_TEST_DEPS := pytest mypy "orjson>=3.8" pandas polars pyarrow tqdm
python-venv: $(PY)
	$(PY) -m pip install -q $(PY_TEST_DEPS)
	YESPO_LIB=$(YESPO_LIB) $(PY) -m pip install -q --force-reinstall --no-deps ./bindings/python

# Build the library / emulator only when the paths in use do not exist yet.
# pytest runs with YESPO_LIB unset so that it loads the copy bundled by the install (proving the
# install is self-contained); that copy is $(YESPO_LIB).
test-python: $(if $(wildcard $(YESPO_LIB)),,lib) $(if $(wildcard $(YESPO_EMULATOR)),,emulator)
	@$(MAKE) --no-print-directory python-venv
	cd bindings/python && $(PY) -m mypy --strict src/yespo
	cd bindings/python && YESPO_LIB= YESPO_EMULATOR=$(YESPO_EMULATOR) $(PY) -m pytest -q -p no:cacheprovider tests
