# HTTPS end to end (tests/tls): nginx from Debian (TLS + HTTP/2, a private CA the tests make with
# openssl) in front of the emulator; the CLI, Python and Go upsert through it with verification on,
# a wrong CA is fatal in each, and `yespo doctor` checks it. chaos-tls-smoke: a short chaos run of
# all four front ends through the same nginx. nginx comes from `make deps` (scripts/deps.sh).
.PHONY: test-tls chaos-tls-smoke
TEST_TARGETS += test-tls chaos-tls-smoke

# Build the library / CLI / emulator only when the paths in use do not exist yet (as test-python).
test-tls: $(if $(and $(wildcard $(YESPO_LIB)),$(wildcard $(YESPO_CLI))),,release) $(if $(wildcard $(YESPO_EMULATOR)),,emulator)
	@$(ROOT)/scripts/deps.sh
	@$(MAKE) --no-print-directory python-venv
	YESPO_LIB= YESPO_GO_LIB=$(abspath $(YESPO_LIB)) $(PY) -m pytest -q -c tests/tls/pytest.ini tests/tls

chaos-tls-smoke: emulator release bench-venv
	@$(ROOT)/scripts/deps.sh
	$(BENCH_VENV)/bin/python chaos/run.py --tls --runs 4 --first-seed 16
