# The emulator's own suite: Swift Testing against the real server over loopback HTTP.
.PHONY: test-emulator
TEST_TARGETS += test-emulator
test-emulator:
	cd emulator && $(SWIFT) test
