# chatd build. `make` builds build/chatd, the unit tests and the web apps
# (build/web); `make SAN=1` builds an ASan/UBSan copy under build-san/.
# See README.md for run, test and bench.

PKGS := libwebsockets libuv jansson hiredis openssl libjwt gmime-3.0 libcurl
CC ?= cc
SAN ?= 0

ifeq ($(SAN),1)
BUILD := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1 -g
else
BUILD := build
SANFLAGS :=
OPT := -O2 -g
endif

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-format-nonliteral -Werror
# Every file sees include/ (what one folder offers the others) and the
# private headers of its own folder only, so a folder cannot reach into
# another's internals. Unit tests see every folder.
CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -MMD -MP \
	-Iinclude $(shell pkg-config --cflags $(PKGS))
SERVER_DIRS := common support mail store cmd inbound mailer net
TEST_INC := -Iprotocol -Iserver $(addprefix -Iserver/,$(SERVER_DIRS))
LDLIBS := $(shell pkg-config --libs $(PKGS)) -lm
LDFLAGS := $(SANFLAGS)

PROTO_SRC := $(wildcard protocol/*.c)
SERVER_SRC := $(foreach d,$(SERVER_DIRS),$(wildcard server/$(d)/*.c))
TOP_SRC := server/main.c server/token_cmd.c server/migrate_cmd.c \
	server/migrate_route.c server/mail_parse_cmd.c server/mail_setup.c \
	server/mail_ingest_cmd.c server/mail_token_cmd.c server/mail_dead_cmd.c
PROTO_OBJ := $(PROTO_SRC:%.c=$(BUILD)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/lua_scripts.o
LUA := $(addprefix server/store/lua/,_append_common.lua _route.lua open.lua \
	append.lua read.lua page.lua outbox_take.lua outbox_done.lua \
	append_batch.lua page_up.lua route_enqueue.lua route_close.lua \
	route_assign.lua route_decline.lua route_presence.lua route_seen.lua \
	route_tick.lua route_snapshot.lua route_agents.lua route_apply.lua \
	mail_enqueue.lua mail_take.lua mail_finish.lua mail_nudge.lua \
	mail_notify.lua mail_due.lua nudge_take.lua email_reply.lua \
	mail_dead.lua)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/*.c)

FORMAT_SRC = $(wildcard include/chat/*.h include/chat/*/*.h protocol/*.[ch] \
	server/*.[ch] server/*/*.[ch] tests/unit/*.[ch] tests/bench/*.[ch] \
	tests/integration/*.[ch])

# The web apps as chatd serves them: web/ (plain ES modules, the source)
# bundled, content-hashed and precompressed by scripts/build-web.mjs
# (esbuild, from node_modules) into $(BUILD)/web; built again when
# anything under web/ changes.
WEB_SRC := $(shell find web -mindepth 1)

.PHONY: all web deps run test unit integration integration-cluster test-cluster browser san-test valgrind-test bench clean format format-check

all: $(BUILD)/chatd $(BUILD)/web/.built $(UNIT_BIN) $(if $(BENCH_SRC),$(BUILD)/chatd-bench)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(dir $<) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_INC) -c $< -o $@

$(BUILD)/gen/lua_scripts.c: $(LUA) scripts/embed-lua
	@mkdir -p $(dir $@)
	scripts/embed-lua $(LUA) > $@

$(BUILD)/gen/lua_scripts.o: $(BUILD)/gen/lua_scripts.c
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libproto.a: $(PROTO_OBJ)
	ar rcs $@ $^

$(BUILD)/libserver.a: $(SERVER_OBJ)
	ar rcs $@ $^

$(BUILD)/chatd: $(TOP_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libserver.a $(BUILD)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A unit test tests/unit/test_NAME.c links the protocol library, the server
# module server/*/NAME.c when there is one, and the modules listed in
# TEST_DEPS_NAME (server modules beside the unit, or stubs).

TEST_DEPS_ids := server/common/util.o
TEST_DEPS_auth := server/common/util.o server/common/auth_keys.o server/common/auth_mint.o
TEST_DEPS_hmap := server/common/util.o
TEST_DEPS_config := server/common/util.o
TEST_DEPS_outq := server/common/frame.o
TEST_DEPS_redis_uv := server/common/util.o
TEST_DEPS_actor := server/common/util.o
TEST_DEPS_batch := server/common/util.o server/store/keys.o
TEST_DEPS_policy := server/support/member.o server/support/policy_defaults.o \
	server/support/hours.o server/common/util.o server/common/auth.o \
	server/common/auth_keys.o
TEST_DEPS_hours := server/support/policy_defaults.o server/support/policy.o \
	server/support/member.o \
	server/common/auth.o server/common/auth_keys.o server/common/util.o
TEST_DEPS_queue := server/support/policy_defaults.o server/support/hours.o
TEST_DEPS_reply_token := server/common/util.o
TEST_DEPS_compose := server/mail/compose_body.o server/mail/compose_buf.o \
	server/mail/mime_header.o
TEST_DEPS_mail_build := server/mail/compose.o server/mail/compose_body.o \
	server/mail/compose_buf.o server/mail/mime_header.o \
	server/mail/reply_token.o server/common/util.o
TEST_DEPS_extract := server/mail/extract_lines.o server/mail/html_text.o \
	server/mail/html_entity.o
TEST_DEPS_chunked := server/common/util.o
TEST_DEPS_ingest_match := server/mail/reply_token.o server/mail/compose.o \
	server/mail/compose_body.o server/mail/compose_buf.o \
	server/mail/mime_header.o server/common/util.o
TEST_DEPS_ingest_text := server/common/util.o
TEST_DEPS_static_table := server/common/util.o server/common/hmap.o \
	server/common/static_http.o
TEST_DEPS_extract_corpus := server/mail/extract.o server/mail/extract_lines.o \
	server/mail/html_text.o server/mail/html_entity.o
.SECONDEXPANSION:
$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libproto.a \
		$$(patsubst %.c,$(BUILD)/%.o,$$(wildcard $$(addsuffix /$$*.c,$$(addprefix server/,$(SERVER_DIRS))))) \
		$$(addprefix $(BUILD)/,$$(TEST_DEPS_$$*))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_INC) -Itests/unit -o $@ $(filter %.c %.o,$^) $(BUILD)/libproto.a $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka)

# Integration-test programs: tests/integration/NAME.c links the server
# library and runs against real services the test starts.
$(BUILD)/tests/smtp_send_probe: $(BUILD)/tests/integration/smtp_send_probe.o $(BUILD)/libserver.a $(BUILD)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/chatd-bench: $(BENCH_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libserver.a $(BUILD)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

web: $(BUILD)/web/.built

$(BUILD)/web/.built: $(WEB_SRC) scripts/build-web.mjs node_modules/.package-lock.json
	@node scripts/build-web.mjs web $(BUILD)/web
	@touch $@

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

deps:
	@scripts/deps

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/chatd $(BUILD)/web/.built
	@scripts/run

unit: $(UNIT_BIN)
	@scripts/unit $(UNIT_BIN)

# Test files run two at a time (each has its own Redis and chatd on free
# ports); INTEGRATION_JOBS=1 runs them one by one.
INTEGRATION_JOBS ?= 2
integration: $(BUILD)/chatd $(BUILD)/tests/smtp_send_probe
	@CHATD_BIN=$(abspath $(BUILD)/chatd) SMTP_SEND_PROBE=$(abspath $(BUILD)/tests/smtp_send_probe) node --test --test-concurrency=$(INTEGRATION_JOBS) tests/integration/

# The suites that run on the Redis the harness starts, run again on a
# local Redis Cluster (three primaries, three replicas), one for them all.
CLUSTER_SUITES = $(shell grep -l 'useStack\|startRedis' tests/integration/*.test.mjs)
integration-cluster: $(BUILD)/chatd
	@CHATD_BIN=$(abspath $(BUILD)/chatd) node tests/integration/with-cluster.mjs $(CLUSTER_SUITES)

# The Redis Cluster tests at length (a short pass of them runs with the
# other integration tests): a local six-node cluster (scripts/redis-cluster),
# slots migrated and primaries killed under load.
test-cluster: $(BUILD)/chatd
	@CHATD_CLUSTER_LONG=1 CHATD_BIN=$(abspath $(BUILD)/chatd) node --test --test-concurrency=1 tests/integration/cluster.test.mjs

browser: $(BUILD)/chatd $(BUILD)/web/.built
	@if [ -d tests/browser ]; then CHATD_BIN=$(abspath $(BUILD)/chatd) node --test --test-concurrency=1 tests/browser/; fi

san-test:
	@$(MAKE) --no-print-directory SAN=1 unit integration

valgrind-test: $(BUILD)/chatd
	@scripts/valgrind-check $(BUILD)/chatd
	@scripts/valgrind-ingest-check $(BUILD)/chatd
	@scripts/valgrind-cluster-check $(BUILD)/chatd
	@scripts/valgrind-sentinel-check $(BUILD)/chatd

test: deps
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-short
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory integration-cluster
	@$(MAKE) --no-print-directory browser
	@$(MAKE) --no-print-directory san-test
	@$(MAKE) --no-print-directory valgrind-test

bench: deps $(BUILD)/chatd $(BUILD)/chatd-bench
	@scripts/bench

format:
	clang-format -i $(FORMAT_SRC)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_SRC)
	@scripts/layers

clean:
	rm -rf build build-san

include tests/fuzz/fuzz.mk
-include $(shell find build build-san -name '*.d' 2>/dev/null)
