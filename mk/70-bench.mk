# The perf harness (bench/run.py). `make bench` is the full run (tens of minutes) and writes
# bench/results/; `make bench-smoke` runs every scenario and contender on small inputs in seconds
# and is part of `make test`, so the harness never rots.
.PHONY: bench bench-smoke bench-venv
BENCH_VENV := $(ROOT)/.venv-bench
TEST_TARGETS += bench-smoke

bench-venv: release
	@test -x $(BENCH_VENV)/bin/python || python3 -m venv $(BENCH_VENV)
	@$(BENCH_VENV)/bin/pip install -q --disable-pip-version-check requests aiohttp orjson matplotlib polars pyarrow
	@YESPO_LIB=$(YESPO_LIB) $(BENCH_VENV)/bin/pip install -q --disable-pip-version-check --force-reinstall --no-deps ./bindings/python

bench: emulator release bench-venv
	$(BENCH_VENV)/bin/python bench/run.py $(BENCH_ARGS)

bench-smoke: emulator release bench-venv
	$(BENCH_VENV)/bin/python bench/run.py --smoke $(BENCH_ARGS)

# Memory flat and time linear as the input grows: 100k to 10M CSV rows streamed through the CLI's
# standard input (bench/scale.py); writes bench/results/scale.{json,md,png}. About a minute here.
.PHONY: bench-scale
bench-scale: emulator release bench-venv
	$(BENCH_VENV)/bin/python bench/scale.py $(SCALE_ARGS)
