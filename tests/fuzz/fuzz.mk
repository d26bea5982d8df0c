# Fuzzing with Debian's clang and its libFuzzer (package libclang-rt-14-dev),
# included by the top-level Makefile. Everything lands in build-fuzz/.
#
#   make fuzz        each target for FUZZ_SECONDS (default 60)
#   make fuzz-short  the checked-in regression inputs, then each target for
#                    FUZZ_SHORT_SECONDS (default 5); fails on any crash
#
# Seeds are generated into build-fuzz/seeds/ from protocol/examples and the
# unit tests; new inputs go to build-fuzz/corpus/; crashes to
# build-fuzz/crashes/. tests/fuzz/corpus/<target>/ keeps only inputs that
# once crashed, replayed by every run.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SHORT_SECONDS ?= 5
FUZZ_BUILD := build-fuzz
FUZZ_TARGETS := decode flatjson auth auth_signed config policy extract \
	ingest_text
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g $(WARN) $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link -Iinclude -Iprotocol -Iserver/common \
	$(shell pkg-config --cflags $(PKGS))
FUZZ_LIBS := $(shell pkg-config --libs jansson libjwt openssl) -lm

# What each target links besides its own tests/fuzz/fuzz_NAME.c.
FUZZ_PROTO := $(PROTO_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_AUTH := $(addprefix $(FUZZ_BUILD)/server/common/,auth.o auth_keys.o util.o) \
	$(FUZZ_PROTO)
FUZZ_DEPS_decode := $(FUZZ_PROTO)
FUZZ_DEPS_flatjson := $(FUZZ_PROTO)
FUZZ_DEPS_auth := $(FUZZ_AUTH)
FUZZ_DEPS_auth_signed := $(FUZZ_AUTH)
FUZZ_DEPS_config := $(addprefix $(FUZZ_BUILD)/server/common/,config.o util.o)
FUZZ_DEPS_policy := $(addprefix $(FUZZ_BUILD)/server/support/,policy.o \
	policy_defaults.o member.o hours.o queue.o) $(FUZZ_AUTH)
FUZZ_DEPS_extract := $(addprefix $(FUZZ_BUILD)/server/mail/,extract.o \
	extract_lines.o html_text.o html_entity.o)
FUZZ_DEPS_ingest_text := $(addprefix $(FUZZ_BUILD)/server/,\
	inbound/ingest_text.o common/util.o) $(FUZZ_BUILD)/protocol/utf8.o
FUZZ_FLAGS_ingest_text := -Iserver/inbound
FUZZ_FLAGS_auth_signed := -DFUZZ_AUTH_SIGNED
FUZZ_SRC_auth_signed := tests/fuzz/fuzz_auth.c

FUZZ_BIN := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
FORMAT_SRC += $(wildcard tests/fuzz/*.[ch])
# Empty when clang cannot link a libFuzzer program here.
FUZZ_OK = $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, \
	unsigned long n) { return 0; }' | $(FUZZ_CC) -x c \
	-fsanitize=fuzzer,address,undefined - -o /dev/null 2>/dev/null && echo y)
FUZZ_SKIP = echo "fuzz: skipped: '$(FUZZ_CC)' cannot build libFuzzer programs \
(on Debian 12: apt-get install clang libclang-rt-14-dev)"

.PHONY: fuzz fuzz-short fuzz-build fuzz-seeds fuzz-run fuzz-clean
.PRECIOUS: $(FUZZ_BUILD)/%.o

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(dir $<) -MMD -MP -c $< -o $@

.SECONDEXPANSION:
$(FUZZ_BUILD)/fuzz_%: $$(or $$(FUZZ_SRC_$$*),tests/fuzz/fuzz_$$*.c) $$(FUZZ_DEPS_$$*)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS_$*) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

fuzz-seeds:
	@mkdir -p $(FUZZ_BUILD) && echo '*' > $(FUZZ_BUILD)/.gitignore
	@node tests/fuzz/seeds.mjs $(FUZZ_BUILD)/seeds

fuzz-build: $(FUZZ_BIN) fuzz-seeds

# Each run replays tests/fuzz/corpus/<target>/ first (see tests/fuzz/run).
fuzz-run:
	@for t in $(FUZZ_TARGETS); do \
		flags=; [ $$t = config ] && flags=-close_fd_mask=2; \
		tests/fuzz/run $(FUZZ_BUILD) $$t $(FUZZ_TIME) $$flags || exit 1; \
	done

fuzz:
	@if [ -z "$(FUZZ_OK)" ]; then $(FUZZ_SKIP); else \
		$(MAKE) --no-print-directory fuzz-build && \
		$(MAKE) --no-print-directory fuzz-run FUZZ_TIME=$(FUZZ_SECONDS); fi

fuzz-short:
	@if [ -z "$(FUZZ_OK)" ]; then $(FUZZ_SKIP); else \
		$(MAKE) --no-print-directory fuzz-build && \
		$(MAKE) --no-print-directory fuzz-run FUZZ_TIME=$(FUZZ_SHORT_SECONDS); fi

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

clean: fuzz-clean

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
