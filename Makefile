# vdeck — operator console for KVM/libvirt clusters.
# `make demo` and `make check` are the whole set-up on Debian 12 (see README).

PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
DATADIR   = $(PREFIX)/share/vdeck
MANDIR    = $(PREFIX)/share/man/man1
BASH_COMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSH_COMPDIR  ?= $(PREFIX)/share/zsh/site-functions
# make deb: the package is built in a copy of the tree here.
DEBDIR   ?= build/deb
VERSION  := 0.1.0

PKGS      = libvirt lua5.4 ncursesw libssh2 libxml-2.0 libcurl jansson
CC       ?= cc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lreadline -lpthread -lm

WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -Isrc $(PKG_CFLAGS) \
             -DVD_VERSION='"$(VERSION)"' -DVD_DATADIR='"$(DATADIR)"'

SRCS      := $(shell find src -name '*.c' ! -name main.c | sort)
OBJS      := $(SRCS:%.c=build/obj/%.o)
ASAN_OBJS := $(SRCS:%.c=build/asan/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)
UNIT_ASAN := $(UNIT_SRCS:tests/unit/%.c=build/tests-asan/%)
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# Fuzz targets (tests/fuzz/run.sh) link the parsers of foreign text and what they
# call, built by clang with coverage for libFuzzer.  A new target adds its files here.
FUZZ_CC   ?= clang
FUZZ_SRCS := $(sort $(wildcard src/core/*.c src/metrics/*.c)) src/conn/knownhosts.c \
             src/conn/ssh_crypto.c src/ops/snapxml.c src/ops/xml_devices.c \
             src/lua/inventory_load.c src/lua/inventory_metrics.c src/lua/safe_load.c src/model/inventory.c \
             src/tui/cmd_parse.c \
             src/model/libvirt_route.c src/lua/inventory_switch.c src/ops/xml_network.c \
             src/conn/virt_rpc_wire.c
FUZZ_OBJS := $(FUZZ_SRCS:%.c=build/fuzz/obj/%.o)
FUZZ_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
             -fno-sanitize-recover=undefined
# fuzz-long: each target runs this many executions or this many seconds, whichever comes first.
FUZZ_LONG_RUNS    ?= 1000000
FUZZ_LONG_SECONDS ?= 60

.PHONY: all deps deps-test demo check check-layers check-unit check-lua check-integration \
        check-asan check-fuzz fuzz fuzz-long bench install uninstall deb clean

all: vdeck

deps:
	@sh tools/deps.sh build

deps-test:
	@sh tools/deps.sh test

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -MMD -MP -c $< -o $@

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(FUZZ_CC) $(filter-out -Werror,$(ALL_CFLAGS)) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@

build/fuzz/libvdeck-fuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	@ar rcs $@ $^

build/libvdeck.a: $(OBJS)
	@rm -f $@
	@ar rcs $@ $^

build/libvdeck-asan.a: $(ASAN_OBJS)
	@rm -f $@
	@ar rcs $@ $^

vdeck: build/obj/src/main.o build/libvdeck.a
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/vdeck-asan: build/asan/src/main.o build/libvdeck-asan.a
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS)

build/tests/%: tests/unit/%.c build/libvdeck.a tests/unit/check.h
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< build/libvdeck.a $(PKG_LIBS)

build/tests-asan/%: tests/unit/%.c build/libvdeck-asan.a tests/unit/check.h
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $< build/libvdeck-asan.a $(PKG_LIBS)

# Sub-makes: pkg-config flags are read after deps installed the packages.
demo: deps
	@$(MAKE) --no-print-directory vdeck
	./vdeck --demo

# Strict (a skip fails unless tests/allowed-skips lists the test) when
# VDECK_STRICT=1 or CI=true, as in CI (.ci/run): see tests/run-all.sh.
check: deps-test
	@$(MAKE) --no-print-directory -j2 vdeck build/vdeck-asan $(UNIT_BINS) $(UNIT_ASAN)
	@sh tests/run-all.sh

check-layers: vdeck
	@sh tools/check-layers.sh

check-unit: $(UNIT_BINS)
	@sh tests/run-all.sh unit

check-lua: vdeck
	@sh tests/run-all.sh lua

check-integration: vdeck
	@sh tests/run-all.sh integration

check-asan: build/vdeck-asan $(UNIT_ASAN)
	@sh tests/run-all.sh asan

check-fuzz:
	@sh tests/fuzz/run.sh 5

fuzz:
	@sh tests/fuzz/run.sh $${FUZZ_SECONDS:-120}

# Long run; the figures of each target go to tests/fuzz/STATUS.md.
fuzz-long:
	@sh tests/fuzz/run.sh $(FUZZ_LONG_SECONDS) $(FUZZ_LONG_RUNS) tests/fuzz/STATUS.md

bench: vdeck
	@sh bench/run.sh

install: vdeck
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/lua/runbooks $(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(MANDIR)
	install -m 755 vdeck $(DESTDIR)$(BINDIR)/vdeck
	cp -R lua/. $(DESTDIR)$(DATADIR)/lua/
	cp -R themes/. $(DESTDIR)$(DATADIR)/themes/
	install -m 644 doc/vdeck.1 $(DESTDIR)$(MANDIR)/vdeck.1
	install -d $(DESTDIR)$(BASH_COMPDIR) $(DESTDIR)$(ZSH_COMPDIR)
	./vdeck --completion bash >$(DESTDIR)$(BASH_COMPDIR)/vdeck
	./vdeck --completion zsh >$(DESTDIR)$(ZSH_COMPDIR)/_vdeck
	chmod 644 $(DESTDIR)$(BASH_COMPDIR)/vdeck $(DESTDIR)$(ZSH_COMPDIR)/_vdeck
	install -d $(DESTDIR)$(DATADIR)/types
	./vdeck --lua-stubs $(DESTDIR)$(DATADIR)/types
	chmod 644 $(DESTDIR)$(DATADIR)/types/vdeck.lua

uninstall:
	rm -rf $(DESTDIR)$(BINDIR)/vdeck $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/vdeck.1 \
		$(DESTDIR)$(BASH_COMPDIR)/vdeck $(DESTDIR)$(ZSH_COMPDIR)/_vdeck

# The Debian package (debian/), built by dpkg-buildpackage in a copy of the
# tree under DEBDIR so the checkout stays clean; the .deb lands in DEBDIR.
# The package's version is debian/changelog's, which must be VERSION.
deb:
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version) && [ "$$v" = "$(VERSION)" ] || \
		{ echo "make deb: debian/changelog is at $$v, VERSION at $(VERSION): add an entry (dch -v $(VERSION))" >&2; exit 2; }
	rm -rf $(DEBDIR) && mkdir -p $(DEBDIR)/vdeck-$(VERSION)
	tar -cf - --exclude=./.git --exclude=./build --exclude=./vdeck --exclude='./$(DEBDIR)' . | \
		tar -xf - -C $(DEBDIR)/vdeck-$(VERSION)
	cd $(DEBDIR)/vdeck-$(VERSION) && DEB_BUILD_OPTIONS="$${DEB_BUILD_OPTIONS:-parallel=2}" \
		dpkg-buildpackage -us -uc -b
	@ls $(DEBDIR)/vdeck_$(VERSION)_*.deb

clean:
	rm -rf build vdeck

-include $(shell find build -name '*.d' 2>/dev/null)
