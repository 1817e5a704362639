# A short run (FUZZ_SMOKE_SECONDS, default 20 s) of every fuzz target inside `make test`.
# fuzz/abi is left out here because test-c (mk/30-abi.mk) already runs it.
.PHONY: fuzz-smoke
FUZZ_SMOKE_SECONDS ?= 20
TEST_TARGETS += fuzz-smoke

fuzz-smoke:
	@for t in fuzz/*/run.sh; do \
	  [ "$$t" = fuzz/abi/run.sh ] && continue; \
	  echo "=== $$t $(FUZZ_SMOKE_SECONDS)s"; bash $$t $(FUZZ_SMOKE_SECONDS) || exit 1; \
	done
