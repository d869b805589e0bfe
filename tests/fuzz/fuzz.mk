# tests/fuzz/fuzz.mk — libFuzzer targets, included by the top-level Makefile.
#
# `make fuzz` builds every target with clang (libFuzzer + ASan + UBSan) into
# build/fuzz/ and runs each for FUZZ_SECONDS over its seed corpus
# (tests/fuzz/corpus/NAME, read only) and a working corpus
# (build/fuzz/corpus/NAME, where new inputs go); crashes land in
# build/fuzz/crashes/NAME/. `make fuzz-smoke` (CI) replays every seed and
# every regression case (tests/fuzz/regressions/NAME) and fuzzes briefly;
# it fails on any crash, leak or timeout. Both go through tests/fuzz/run.sh.
# `make fuzz FUZZ_TARGETS=url FUZZ_SECONDS=600` runs one target longer.
#
# The project sources a target needs are compiled again with clang (not
# taken from the gcc archives) so the sanitizers and coverage see them.
# Nothing here links libmozjs.

FUZZ_CC ?= clang
FUZZ_OUT := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= control frame robots url config html scan result fieldspec
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
	-Wall -Wextra -DCRAWLD_VERSION='"$(VERSION)"' -Icommon -Iworker -Idaemon \
	$(call once,FUZZ_PKG_CFLAGS,$(PKG_CONFIG) --cflags libuv libcurl gumbo libxml-2.0 inih jansson) -MMD -MP

# Per target: the project sources beside tests/fuzz/fuzz_NAME.c, and libraries.
FUZZ_SRC_control := daemon/control.c common/alloc.c common/log.c common/utf8.c
FUZZ_LIBS_control = $(call once,FUZZ_LIBS_control,$(PKG_CONFIG) --libs libuv jansson)
FUZZ_SRC_frame := common/frame.c common/arena.c common/alloc.c
FUZZ_SRC_robots := common/robots.c common/alloc.c
FUZZ_SRC_url := common/url.c common/arena.c common/alloc.c
FUZZ_LIBS_url = $(call once,FUZZ_LIBS_url,$(PKG_CONFIG) --libs libcurl libidn2)
FUZZ_SRC_config := common/config.c common/session.c
FUZZ_LIBS_config = $(call once,FUZZ_LIBS_config,$(PKG_CONFIG) --libs inih)
FUZZ_SRC_result := common/wire.c common/json_alloc.c common/frame.c common/jsonv.c common/utf8.c common/arena.c common/alloc.c
FUZZ_LIBS_result = $(call once,FUZZ_LIBS_result,$(PKG_CONFIG) --libs jansson)
FUZZ_SRC_html := worker/html.c worker/html_extract.c worker/html_charset.c worker/tags.c \
	common/url.c common/arena.c common/alloc.c
FUZZ_LIBS_html = $(call once,FUZZ_LIBS_html,$(PKG_CONFIG) --libs gumbo libcurl libidn2)
FUZZ_SRC_scan := worker/scan.c worker/scan_xml.c worker/html.c worker/html_extract.c \
	worker/html_charset.c worker/tags.c common/utf8.c common/url.c common/arena.c common/alloc.c
FUZZ_LIBS_scan = $(call once,FUZZ_LIBS_scan,$(PKG_CONFIG) --libs libxml-2.0 gumbo libcurl libidn2)
FUZZ_SRC_fieldspec := common/fieldspec.c common/selector.c common/utf8.c common/arena.c common/alloc.c
FUZZ_LIBS_fieldspec = $(call once,FUZZ_LIBS_fieldspec,$(PKG_CONFIG) --libs jansson)

FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_TARGETS))

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

define FUZZ_TARGET_RULE
$(FUZZ_OUT)/fuzz_$(1): $(FUZZ_OUT)/obj/tests/fuzz/fuzz_$(1).o $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_SRC_$(1)))
	$$(FUZZ_CC) $$(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$^ $$(FUZZ_LIBS_$(1)) -lpthread -lm
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULE,$(t))))

.PHONY: fuzz fuzz-smoke fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh fuzz $(FUZZ_OUT) $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_BINS)
	@bash tests/fuzz/run.sh smoke $(FUZZ_OUT) $(FUZZ_TARGETS)
