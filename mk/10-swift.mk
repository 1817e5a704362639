# Swift unit and integration tests of the engine (against the emulator over real HTTP).
# The scale suite measures the process's RSS, so it runs alone, after the others: beside them
# (the 100k-orders test builds its CSV in the same process) it measured their memory too.
.PHONY: test-swift
TEST_TARGETS += test-swift
test-swift: emulator
	$(SWIFT) test --skip "Upsert job at scale"
	$(SWIFT) test --skip-build --filter "Upsert job at scale"
