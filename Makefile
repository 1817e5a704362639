# yespo — the README's commands. `make demo` runs the main job against the bundled emulator,
# `make test` builds everything and runs every suite. Each part of the project owns one fragment
# in mk/ that adds its targets and appends its suite to TEST_TARGETS.
SHELL := /bin/bash
.DEFAULT_GOAL := build
ROOT := $(abspath .)
SWIFT ?= swift
DIST := $(ROOT)/dist
RELEASE_FLAGS := -c release -Xswiftc -static-stdlib
export YESPO_EMULATOR ?= $(DIST)/bin/yespo-emulator
export YESPO_LIB ?= $(DIST)/lib/libyespo.so
export YESPO_CLI ?= $(DIST)/bin/yespo

TEST_TARGETS :=
# Copies a build output into dist/ by rename, so a binary or library that is running (a test, a
# chaos run) keeps its old file and is never "text file busy" or half-written.
publish = cp $(1) $(2).tmp.$$$$ && mv -f $(2).tmp.$$$$ $(2)

.PHONY: deps build lib cli emulator release test demo clean
# Installs the system packages the build needs, only those missing (root or sudo).
deps:
	@$(ROOT)/scripts/deps.sh

build: deps
	$(SWIFT) build

# One release build makes both the static-stdlib libyespo.so and the CLI.
release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product yespo
	$(SWIFT) build $(RELEASE_FLAGS) --product yespo-cli
	@mkdir -p $(DIST)/lib $(DIST)/include $(DIST)/bin
	$(call publish,.build/release/libyespo.so,$(DIST)/lib/libyespo.so)
	$(call publish,include/yespo.h,$(DIST)/include/yespo.h)
	$(call publish,.build/release/yespo-cli,$(DIST)/bin/yespo)

lib cli: release

emulator: deps
	cd emulator && $(SWIFT) build -c release --product yespo-emulator
	@mkdir -p $(DIST)/bin
	$(call publish,emulator/.build/release/yespo-emulator,$(DIST)/bin/yespo-emulator)

include $(sort $(wildcard mk/*.mk))

test: deps emulator release
	@set -e; for t in $(TEST_TARGETS); do echo "=== make $$t ($$(date +%T))"; $(MAKE) --no-print-directory $$t; done
	@echo "=== all suites passed ($$(date +%T)): $(TEST_TARGETS)"

clean:
	rm -rf .build .build-* dist emulator/.build
