# Swift unit and integration tests of the engine (against the emulator over real HTTP).
# The scale suite measures the process's RSS, so it runs alone, after the others: beside them
# (the 100k-orders test builds its CSV in the same process) it measured their memory too.
# (--skip/--filter match the test's type name, not its display name.)
.PHONY: test-swift
TEST_TARGETS += test-swift
test-swift: emulator
	$(SWIFT) test --skip UpsertJobScaleTests
	$(SWIFT) test --skip-build --filter UpsertJobScaleTests
