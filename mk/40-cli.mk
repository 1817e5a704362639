# The CLI (`yespo`): its end-to-end suite — the real binary against the real emulator, pytest in a
# private venv — and `make demo`, the README's first command.
CLI_VENV := $(ROOT)/.build-cli-venv
CLI_PYTEST := $(CLI_VENV)/bin/python -m pytest -c tests/cli/pytest.ini tests/cli
.PHONY: test-cli test-cli-slow cli-venv
TEST_TARGETS += test-cli

cli-venv: $(CLI_VENV)/.ready
$(CLI_VENV)/.ready:
	python3 -m venv $(CLI_VENV)
	$(CLI_VENV)/bin/pip install -q --disable-pip-version-check pytest
	touch $@

# Everything but the 1M-row memory measurement (a few minutes on a busy machine: `test-cli-slow`).
test-cli: emulator release cli-venv
	$(CLI_PYTEST) -q -m "not slow"

test-cli-slow: emulator release cli-venv
	$(CLI_PYTEST) -q -s -m slow

demo:
	@$(ROOT)/scripts/demo.sh
