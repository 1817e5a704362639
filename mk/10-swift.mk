# Swift unit and integration tests of the engine (against the emulator over real HTTP).
.PHONY: test-swift
TEST_TARGETS += test-swift
test-swift: emulator
	$(SWIFT) test
