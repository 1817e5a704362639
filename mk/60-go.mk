# Go binding (bindings/go): go vet and the race-enabled test suite against the emulator, and the
# Python ⇄ Go cross-check of bindings/scenarios.md.
# cgo links the library found at $(YESPO_LIB) (default dist/lib/libyespo.so) with an rpath to it.
.PHONY: test-go test-bindings-cross
TEST_TARGETS += test-go
GO ?= go
GO_LIB_DIR = $(abspath $(dir $(YESPO_LIB)))
GO_ENV = GOPROXY=off GOFLAGS= CGO_LDFLAGS="-L$(GO_LIB_DIR) -Wl,-rpath,$(GO_LIB_DIR)"

# Build the library / emulator only when the paths in use do not exist yet.
test-go: $(if $(wildcard $(YESPO_LIB)),,release) $(if $(wildcard $(YESPO_EMULATOR)),,emulator)
	cd bindings/go && export $(GO_ENV) && \
	  $(GO) vet ./... && \
	  $(GO) test -race -count=1 -timeout 10m ./...

# Runs the scenarios through the Python binding (its venv, see 50-python.mk), then through Go,
# which fails on any difference between the two result files.
TEST_TARGETS += $(if $(and $(wildcard bindings/python/tests/scenarios.py),$(PY)),test-bindings-cross)
test-bindings-cross: $(if $(wildcard $(YESPO_LIB)),,release) $(if $(wildcard $(YESPO_EMULATOR)),,emulator)
	@$(MAKE) --no-print-directory python-venv
	@mkdir -p $(ROOT)/.tmp
	cd bindings/python/tests && YESPO_LIB= YESPO_EMULATOR=$(YESPO_EMULATOR) \
	  $(PY) scenarios.py $(ROOT)/.tmp/scenarios-python.json
	cd bindings/go && export $(GO_ENV) && \
	  YESPO_SCENARIO_OUT=$(ROOT)/.tmp/scenarios-go.json YESPO_SCENARIO_COMPARE=$(ROOT)/.tmp/scenarios-python.json \
	  $(GO) test -count=1 -run TestCrossBindingScenarios .
	@echo "Python and Go scenario results are equal"
