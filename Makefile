# crawld — top-level build. `make` builds release binaries into build/;
# `make test` runs every suite; `make debug` / `make asan` build and test the
# tracking-allocator / sanitizer variants in build/debug and build/asan.
VERSION := 0.1.0
BUILD ?= release
PREFIX ?= /usr/local
DESTDIR ?=

ifeq ($(BUILD),release)
OUT := build
MODE_CFLAGS := -O2 -g
MODE_LDFLAGS :=
else ifeq ($(BUILD),debug)
OUT := build/debug
MODE_CFLAGS := -O0 -g -DCRAWLD_DEBUG -fno-omit-frame-pointer
MODE_LDFLAGS := -rdynamic
else ifeq ($(BUILD),asan)
OUT := build/asan
MODE_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
MODE_LDFLAGS := -fsanitize=address,undefined
else
$(error BUILD must be release, debug or asan)
endif

CC ?= cc
CXX ?= g++
PKGS := libuv libcurl libidn2 gumbo libxml-2.0 sqlite3 libpq inih jansson libsystemd libpsl zlib libcrypto libzstd
# the HTTP API (daemon/api.c)
PKGS += libmicrohttpd
JS_PKG := mozjs-102
WORKER_PKGS := libseccomp
PKG_CONFIG ?= pkg-config
# pkg-config runs when a rule first needs its answer, not while make reads this
# file: `make deps` and `make clean` never ask about the libraries deps is about
# to install. $(call once,VAR,COMMAND) runs COMMAND on VAR's first use and makes
# VAR a simple variable holding the output, so each query runs once per make.
once = $(eval $(1) := $$(shell $(2)))$($(1))
PKG_CFLAGS = $(call once,PKG_CFLAGS,$(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(call once,PKG_LIBS,$(PKG_CONFIG) --libs $(PKGS))
JS_CFLAGS = $(call once,JS_CFLAGS,$(PKG_CONFIG) --cflags $(JS_PKG))
JS_LIBS = $(call once,JS_LIBS,$(PKG_CONFIG) --libs $(JS_PKG))
WORKER_PKG_CFLAGS = $(call once,WORKER_PKG_CFLAGS,$(PKG_CONFIG) --cflags $(WORKER_PKGS))
WORKER_PKG_LIBS = $(call once,WORKER_PKG_LIBS,$(PKG_CONFIG) --libs $(WORKER_PKGS))
CHECK_CFLAGS = $(call once,CHECK_CFLAGS,$(PKG_CONFIG) --cflags check)
CHECK_LIBS = $(call once,CHECK_LIBS,$(PKG_CONFIG) --libs check)

WARN := -Wall -Wextra -Werror
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(WARN) $(MODE_CFLAGS) -DCRAWLD_VERSION='"$(VERSION)"' \
	-Icommon -Iworker -Idaemon $(PKG_CFLAGS) $(WORKER_PKG_CFLAGS) -MMD -MP $(CFLAGS)
CXXFLAGS_ALL = -std=c++17 $(WARN) -Wno-dangling-pointer -Wno-invalid-offsetof -fno-rtti \
	$(filter-out -DCRAWLD_DEBUG,$(MODE_CFLAGS)) -Icommon -Iworker $(JS_CFLAGS) -MMD -MP $(CXXFLAGS)
LDFLAGS_ALL := -Wl,--as-needed $(MODE_LDFLAGS) $(LDFLAGS)
LIBS_ALL = $(PKG_LIBS) $(WORKER_PKG_LIBS) $(JS_LIBS) -lpthread -lm
# crawld and crawlctl never run JS: without libmozjs they stay small, and
# abort() is libc's (libmozjs exports its own abort(), see docs/platform-notes.md).
LIBS_DAEMON = $(PKG_LIBS) -lpthread -lm

COMMON_SRC := $(wildcard common/*.c)
WORKER_MAIN := worker/main.c
WORKER_SRC := $(filter-out $(WORKER_MAIN),$(wildcard worker/*.c))
JS_SRC := $(wildcard worker/js/*.cpp)
DAEMON_MAIN := daemon/crawld.c
CTL_MAIN := daemon/crawlctl.c
DAEMON_SRC := $(filter-out $(DAEMON_MAIN) $(CTL_MAIN),$(wildcard daemon/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
TESTLIB_SRC := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
BENCH_SRC := $(wildcard bench/bench_*.c)
BENCHUTIL_SRC := bench/benchutil.c

OBJ = $(patsubst %.c,$(OUT)/obj/%.o,$(1))
COMMON_OBJ := $(call OBJ,$(COMMON_SRC))
WORKER_OBJ := $(call OBJ,$(WORKER_SRC)) $(patsubst %.cpp,$(OUT)/obj/%.o,$(JS_SRC))
DAEMON_OBJ := $(call OBJ,$(DAEMON_SRC))
TESTLIB_OBJ := $(call OBJ,$(TESTLIB_SRC))

BINS := $(OUT)/crawld $(OUT)/crawld-worker $(OUT)/crawlctl
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))
BENCH_BINS := $(patsubst bench/%.c,$(OUT)/bench/%,$(BENCH_SRC))

.PHONY: all test test-unit unit debug asan clean deps bench bench-build bench-peers bench-net bench-jscorpus format format-check install check-config demo cluster-demo test-matrix
all: $(BINS)

$(OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(OUT)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_ALL) -c $< -o $@

$(OUT)/libcommon.a: $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(OUT)/libworker.a: $(WORKER_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(OUT)/libdaemon.a: $(DAEMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

LINK_LIBS := $(OUT)/libdaemon.a $(OUT)/libworker.a $(OUT)/libcommon.a

$(OUT)/crawld-worker: $(call OBJ,$(WORKER_MAIN)) $(LINK_LIBS)
	$(CXX) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)
$(OUT)/crawld: $(call OBJ,$(DAEMON_MAIN)) $(OUT)/libdaemon.a $(OUT)/libcommon.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_DAEMON)
$(OUT)/crawlctl: $(call OBJ,$(CTL_MAIN)) $(OUT)/libdaemon.a $(OUT)/libcommon.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_DAEMON)

$(OUT)/tests/%: $(OUT)/obj/tests/unit/%.o $(TESTLIB_OBJ) $(LINK_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@ $< $(TESTLIB_OBJ) $(LINK_LIBS) $(CHECK_LIBS) $(LIBS_ALL)
$(OUT)/obj/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -Itests/unit -c $< -o $@

$(OUT)/bench/%: $(OUT)/obj/bench/%.o $(LINK_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LINK_LIBS) $(LIBS_ALL)
# The programs that fetch pages share bench/benchutil.c (curl and gumbo).
$(OUT)/bench/bench_floor $(OUT)/bench/bench_pages: $(call OBJ,$(BENCHUTIL_SRC))

unit: $(UNIT_BINS)

# Every Check suite and every integration script; non-zero on any failure.
test: $(BINS) $(UNIT_BINS)
	@CRAWLD_BUILD=$(BUILD) bash tests/run.sh $(OUT)

# The fault scripts that exercise scheduling (worker kills, crawld kills,
# hostile pages, disk full) over the pairwise covering set of configurations
# in tests/faults/matrix.conf (tests/run_matrix.sh). Release build only.
ifeq ($(BUILD),release)
test-matrix: $(BINS)
	@bash tests/run_matrix.sh $(OUT)
else
test-matrix:
	$(error test-matrix runs on the release build only)
endif

# The Check suites alone (CI: once more as root without CAP_SYS_RESOURCE).
test-unit: $(UNIT_BINS)
	@CRAWLD_BUILD=$(BUILD) TESTS=unit bash tests/run.sh $(OUT)

debug:
	$(MAKE) BUILD=debug test
asan:
	$(MAKE) BUILD=asan test

# The bench programs built, not run (CI: they must not rot between runs).
bench-build: $(BENCH_BINS)

bench: $(BINS) $(BENCH_BINS)
	@bash bench/run.sh $(OUT)
	@$(MAKE) --no-print-directory bench-net
	@$(MAKE) --no-print-directory bench-peers
	@$(MAKE) --no-print-directory bench-jscorpus

# crawld, Scrapy and wget2 over 100 loopback origins that answer after 0, 50
# and 200 ms (bench/netbench.sh; LATENCIES, ORIGINS, PAGES, QUICK=1, ... from
# the environment); table in bench/results/netbench.md, which bench-peers'
# REPORT.md then carries (make bench runs this one first).
bench-net: $(BINS)
	@nice -n 5 bash bench/netbench.sh $(OUT)

# crawld against wget2, Scrapy, Crawlee and headless Chromium on a generated
# site and the Python docs (bench/bench_peers.sh; PAGES, JS_SHARE, RUNS, ...
# from the environment); report in bench/results/REPORT.md.
bench-peers: $(BINS) $(OUT)/bench/bench_floor
	@nice -n 5 bash bench/bench_peers.sh $(OUT)

# crawld --js against headless Chromium, page by page, on pages that load real
# libraries, esbuild-bundled apps and Debian's documentation packages
# (bench/jscorpus.sh; QUICK=1, ONLY=, DOCS=, ... from the environment);
# report in bench/results/jscorpus.md.
bench-jscorpus: $(BINS)
	@nice -n 5 bash bench/jscorpus.sh $(OUT)

deps:
	@bash .ci/deps.sh

demo: $(BINS)
	@CRAWLD_BIN=$(OUT) bash scripts/demo.sh

# Two crawld nodes on this host sharing one frontier on PostgreSQL (README).
cluster-demo: $(BINS)
	@CRAWLD_BIN=$(OUT) bash scripts/cluster-demo.sh

# format rewrites every C/C++ source in the house style (.clang-format);
# format-check fails, naming the files, when one is not in it (CI runs it).
# clang-format 14 (Debian 12's): another version may lay out a line otherwise.
FORMAT_SRC = $(wildcard common/*.[ch] worker/*.[ch] daemon/*.[ch] tests/unit/*.[ch] \
	tests/fuzz/*.[ch] bench/*.[ch] worker/js/*.cpp worker/js/*.h)
format:
	clang-format -i $(FORMAT_SRC)

format-check:
	@bad=$$(clang-format --dry-run $(FORMAT_SRC) 2>&1 | grep -oE '^[^ :]+:[0-9]+:[0-9]+: warning: code should be clang-formatted' | cut -d: -f1 | sort -u); \
	if [ -n "$$bad" ]; then echo "$$bad" | sed 's/^/not formatted (make format): /'; exit 1; fi; \
	echo "format-check: $(words $(FORMAT_SRC)) files formatted"

# install / uninstall: PREFIX (default /usr/local) and DESTDIR. crawld finds
# crawld-worker in ../lib/crawld/ from its own sbin/; the units' /usr/local
# paths are rewritten to PREFIX; an existing /etc/crawld/crawld.conf is kept.
# uninstall removes what install put (the config only while unmodified).
ifeq ($(PREFIX),/usr)
UNITDIR ?= /lib/systemd/system
else
UNITDIR ?= $(PREFIX)/lib/systemd/system
endif
I_SBIN := $(DESTDIR)$(PREFIX)/sbin
I_BIN := $(DESTDIR)$(PREFIX)/bin
I_LIB := $(DESTDIR)$(PREFIX)/lib/crawld
I_MAN := $(DESTDIR)$(PREFIX)/share/man
I_UNIT := $(DESTDIR)$(UNITDIR)
I_ETC := $(DESTDIR)/etc/crawld
.PHONY: uninstall
install: all
	install -d $(I_SBIN) $(I_BIN) $(I_LIB) $(I_UNIT) $(I_ETC) $(I_MAN)/man1 $(I_MAN)/man5 $(I_MAN)/man8
	install -m 755 $(OUT)/crawld $(I_SBIN)/crawld
	install -m 755 $(OUT)/crawlctl $(I_BIN)/crawlctl
	install -m 755 $(OUT)/crawld-worker $(I_LIB)/crawld-worker
	for u in crawld.service crawld.socket; do \
	    sed -e 's#/usr/local/sbin/#$(PREFIX)/sbin/#g' -e 's#/usr/local/bin/#$(PREFIX)/bin/#g' \
	        systemd/$$u > $(I_UNIT)/$$u.tmp && chmod 644 $(I_UNIT)/$$u.tmp && \
	    mv $(I_UNIT)/$$u.tmp $(I_UNIT)/$$u || exit 1; \
	done
	install -m 644 man/crawlctl.1 $(I_MAN)/man1/crawlctl.1
	install -m 644 man/crawld.conf.5 $(I_MAN)/man5/crawld.conf.5
	install -m 644 man/crawld.8 $(I_MAN)/man8/crawld.8
	@if [ -e $(I_ETC)/crawld.conf ]; then \
	    echo "install: keeping the existing $(I_ETC)/crawld.conf"; \
	else \
	    install -m 644 conf/crawld.conf $(I_ETC)/crawld.conf; \
	fi

uninstall:
	rm -f $(I_SBIN)/crawld $(I_BIN)/crawlctl $(I_LIB)/crawld-worker
	rm -f $(I_UNIT)/crawld.service $(I_UNIT)/crawld.socket
	rm -f $(I_MAN)/man1/crawlctl.1 $(I_MAN)/man5/crawld.conf.5 $(I_MAN)/man8/crawld.8
	@if [ -e $(I_ETC)/crawld.conf ] && ! cmp -s conf/crawld.conf $(I_ETC)/crawld.conf; then \
	    echo "uninstall: keeping $(I_ETC)/crawld.conf (modified)"; \
	else \
	    rm -f $(I_ETC)/crawld.conf; \
	fi
	-rmdir $(I_LIB) $(I_ETC) 2>/dev/null || true

clean:
	rm -rf build

-include tests/fuzz/fuzz.mk
-include $(shell find build -name '*.d' 2>/dev/null)
