# C ABI suite: the header as C99 and C++11, the smoke test against the emulator (also under
# valgrind), the NULL/garbage test, 16 threads, the exported-symbol check, loading without the
# Swift toolchain, and a short libFuzzer run. Builds into .build-c/ (git-ignored).
.PHONY: test-c test-c-run
TEST_TARGETS += test-c

C_BUILD := $(ROOT)/.build-c
YESPO_INCLUDE ?= $(DIST)/include
C_TESTS := $(ROOT)/tests/c
C_STRICT := -std=c99 -Wall -Wextra -Werror -pedantic -g
C_LINK := -L$(C_BUILD)/lib -lyespo -Wl,-rpath,$(C_BUILD)/lib -ljansson -lpthread
ABI_FUZZ_SECONDS ?= 30
VALGRIND := valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --suppressions=$(C_TESTS)/valgrind.supp

test-c: lib emulator
	@$(MAKE) --no-print-directory test-c-run

# Runs against whatever $(YESPO_LIB), $(YESPO_INCLUDE) and $(YESPO_EMULATOR) point at, building nothing
# of the Swift side (handy with the published /work/bin binaries).
test-c-run:
	@mkdir -p $(C_BUILD)/lib
	@ln -sf $(abspath $(YESPO_LIB)) $(C_BUILD)/lib/libyespo.so
	cc $(C_STRICT) -I$(YESPO_INCLUDE) -c $(C_TESTS)/testutil.c -o $(C_BUILD)/testutil.o
	cc $(C_STRICT) -I$(YESPO_INCLUDE) $(C_TESTS)/smoke.c $(C_TESTS)/smoke_calls.c $(C_TESTS)/smoke_sync.c $(C_TESTS)/smoke_orders.c $(C_BUILD)/testutil.o -o $(C_BUILD)/smoke $(C_LINK)
	cc $(C_STRICT) -I$(YESPO_INCLUDE) $(C_TESTS)/abuse.c $(C_BUILD)/testutil.o -o $(C_BUILD)/abuse $(C_LINK)
	cc $(C_STRICT) -I$(YESPO_INCLUDE) $(C_TESTS)/threads.c $(C_BUILD)/testutil.o -o $(C_BUILD)/threads $(C_LINK)
	cc $(C_STRICT) -I$(YESPO_INCLUDE) $(C_TESTS)/loadtest.c -o $(C_BUILD)/loadtest -ldl
	c++ -std=c++11 -Wall -Wextra -Werror -pedantic -I$(YESPO_INCLUDE) $(C_TESTS)/header_cpp.cpp -o $(C_BUILD)/header_cpp $(C_LINK)
	$(C_BUILD)/header_cpp
	$(C_TESTS)/check-symbols.sh $(YESPO_LIB) $(YESPO_INCLUDE)/yespo.h $(ROOT)/Sources/YespoABI/exports.map
	YESPO_REPO_ROOT=$(ROOT) $(C_BUILD)/smoke
	$(C_BUILD)/abuse
	$(C_BUILD)/threads
	YESPO_REPO_ROOT=$(ROOT) $(VALGRIND) $(C_BUILD)/smoke
	$(VALGRIND) $(C_BUILD)/abuse
	$(C_TESTS)/check-load.sh $(YESPO_LIB) $(C_BUILD)/loadtest
	$(ROOT)/fuzz/abi/run.sh $(ABI_FUZZ_SECONDS)
	@echo "test-c: all passed"
