# `make install PREFIX=...` (DESTDIR honoured): this fragment installs the CLI and its shell
# completions, which swift-argument-parser generates from the command definitions; `install`
# depends on it (the library, header and yespo.pc are installed by the `install` rule itself).
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_ROOT = $(DESTDIR)$(PREFIX)
.PHONY: install install-cli uninstall-cli
install: install-cli

install-cli: $(if $(wildcard $(YESPO_CLI)),,release)
	install -d $(INSTALL_ROOT)/bin $(INSTALL_ROOT)/share/bash-completion/completions \
	    $(INSTALL_ROOT)/share/zsh/site-functions $(INSTALL_ROOT)/share/fish/vendor_completions.d
	install -m 755 $(YESPO_CLI) $(INSTALL_ROOT)/bin/yespo
	$(YESPO_CLI) --generate-completion-script bash > $(INSTALL_ROOT)/share/bash-completion/completions/yespo
	$(YESPO_CLI) --generate-completion-script zsh > $(INSTALL_ROOT)/share/zsh/site-functions/_yespo
	$(YESPO_CLI) --generate-completion-script fish > $(INSTALL_ROOT)/share/fish/vendor_completions.d/yespo.fish
	@echo "installed $(INSTALL_ROOT)/bin/yespo and its bash, zsh and fish completions"

uninstall-cli:
	rm -f $(INSTALL_ROOT)/bin/yespo $(INSTALL_ROOT)/share/bash-completion/completions/yespo \
	    $(INSTALL_ROOT)/share/zsh/site-functions/_yespo $(INSTALL_ROOT)/share/fish/vendor_completions.d/yespo.fish
