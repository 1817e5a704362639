# The shared request budget across processes and doors (issue 16, docs/beyond-one-machine.md):
# the CLI, the Python binding and the Go binding on one key and one redis-server (started by the
# tests on a free port, no persistence) against the emulator enforcing the budget. Uses the
# Python venv of 50-python.mk (with yespo installed) and builds its Go worker like 60-go.mk.
.PHONY: test-shared-budget
TEST_TARGETS += test-shared-budget

test-shared-budget: $(if $(wildcard $(YESPO_LIB)),,release) $(if $(wildcard $(YESPO_EMULATOR)),,emulator)
	@$(MAKE) --no-print-directory python-venv
	YESPO_LIB=$(abspath $(YESPO_LIB)) $(PY) -m pytest -q -p no:cacheprovider tests/shared_budget --ignore=tests/shared_budget/test_spark.py
