# Reliability: seeded chaos runs through the CLI, Python and Go (`make chaos`: 300 runs; a short
# version is part of `make test`), the Swift tests under AddressSanitizer and ThreadSanitizer
# (`make sanitize`), and long fuzzing runs of every fuzz target (`make fuzz FUZZ_SECONDS=600`).
.PHONY: chaos chaos-smoke sanitize fuzz
CHAOS_RUNS ?= 300
FUZZ_SECONDS ?= 600
TEST_TARGETS += chaos-smoke

chaos: emulator release bench-venv
	$(BENCH_VENV)/bin/python chaos/run.py --runs $(CHAOS_RUNS) --summary bench/results/chaos-latest.json

chaos-smoke: emulator release bench-venv
	$(BENCH_VENV)/bin/python chaos/run.py --runs 15 --first-seed 1000

# Under ASan, resident memory is dominated by shadow memory and the 256 MiB free quarantine, so a
# test that asserts an RSS ceiling measures ASan, not us; it runs in the plain `swift test`.
ASAN_SKIP ?= millionRowCSVInBoundedMemory
# ThreadSanitizer slows the engine ~10x: it runs the suites where threads meet (transport engine,
# jobs sharing a client, faults, single calls, sync commits on the job's callback thread), not
# the 300 000-row scale test or the single-threaded input readers; the shared budget's lease thread
# against Redis included. sanitizers/tsan.supp: the Mutex false positive only; LeakSanitizer
# ignores only XCTest's own runner objects (sanitizers/lsan.supp).
TSAN_SUITES ?= FlowControlTests|TransportEmulatorTests|UpsertJobSharingTests|UpsertJobFaultTests|UpsertJobEmulatorTests|SingleCallTests|JobHandlerCycleTests|SharedBudgetRedisTests|SyncTests

sanitize: emulator
	LSAN_OPTIONS=suppressions=$(ROOT)/sanitizers/lsan.supp $(SWIFT) test --sanitize=address --scratch-path .build-asan \
	    --skip '$(ASAN_SKIP)'
	TSAN_OPTIONS=suppressions=$(ROOT)/sanitizers/tsan.supp $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_SUITES)'

fuzz:
	@for t in fuzz/*/run.sh; do echo "=== $$t $(FUZZ_SECONDS)s"; bash $$t $(FUZZ_SECONDS) || exit 1; done
