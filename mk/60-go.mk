# Go binding (bindings/go): go vet and the race-enabled test suite against the emulator.
# cgo links the library found at $(YESPO_LIB) (default dist/lib/libyespo.so) with an rpath to it;
# the dist artefacts are built first only when the default paths are in use.
.PHONY: test-go
TEST_TARGETS += test-go
GO ?= go
GO_LIB_DIR = $(abspath $(dir $(YESPO_LIB)))
GO_TEST_DEPS := $(if $(filter $(DIST)/lib/libyespo.so,$(YESPO_LIB)),release) \
                $(if $(filter $(DIST)/bin/yespo-emulator,$(YESPO_EMULATOR)),emulator)

test-go: $(GO_TEST_DEPS)
	cd bindings/go && export GOPROXY=off GOFLAGS= \
	    CGO_LDFLAGS="-L$(GO_LIB_DIR) -Wl,-rpath,$(GO_LIB_DIR)" && \
	  $(GO) vet ./... && \
	  $(GO) test -race -count=1 -timeout 10m ./...
