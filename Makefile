# chatd build. `make` builds build/chatd; `make SAN=1` builds an ASan/UBSan
# copy under build-san/. See README.md for run, test and bench.

PKGS := libwebsockets libuv jansson hiredis openssl libjwt
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
CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -MMD -MP \
	-Iinclude -Iprotocol -Iserver $(shell pkg-config --cflags $(PKGS))
LDLIBS := $(shell pkg-config --libs $(PKGS)) -lm
LDFLAGS := $(SANFLAGS)

PROTO_SRC := $(wildcard protocol/*.c)
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
PROTO_OBJ := $(PROTO_SRC:%.c=$(BUILD)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/lua_scripts.o
LUA := server/lua/open.lua server/lua/append.lua server/lua/read.lua
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/*.c)

.PHONY: all deps run test unit integration browser san-test valgrind-test bench clean format format-check

all: $(BUILD)/chatd $(UNIT_BIN) $(if $(BENCH_SRC),$(BUILD)/chatd-bench)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/gen/lua_scripts.c: $(LUA) scripts/embed-lua
	@mkdir -p $(dir $@)
	scripts/embed-lua $(LUA) > $@

$(BUILD)/gen/lua_scripts.o: $(BUILD)/gen/lua_scripts.c
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libproto.a: $(PROTO_OBJ)
	ar rcs $@ $^

$(BUILD)/libserver.a: $(SERVER_OBJ)
	ar rcs $@ $^

$(BUILD)/chatd: $(BUILD)/server/main.o $(BUILD)/libserver.a $(BUILD)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A unit test tests/unit/test_NAME.c links the protocol library, the server
# module server/NAME.c when there is one, and the modules listed in
# TEST_DEPS_NAME (server modules beside the unit, or stubs).

TEST_DEPS_ids := server/util.o
TEST_DEPS_auth := server/util.o server/auth_keys.o server/auth_mint.o
TEST_DEPS_hmap := server/util.o
TEST_DEPS_config := server/util.o
.SECONDEXPANSION:
$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libproto.a \
		$$(if $$(wildcard server/$$*.c),$(BUILD)/server/$$*.o) \
		$$(addprefix $(BUILD)/,$$(TEST_DEPS_$$*))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(filter %.c %.o,$^) $(BUILD)/libproto.a $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/chatd-bench: $(BENCH_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libserver.a $(BUILD)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@scripts/deps

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/chatd
	@scripts/run

unit: $(UNIT_BIN)
	@scripts/unit $(UNIT_BIN)

integration: $(BUILD)/chatd
	@CHATD_BIN=$(abspath $(BUILD)/chatd) node --test --test-concurrency=1 tests/integration/

browser: $(BUILD)/chatd
	@if [ -d tests/browser ]; then CHATD_BIN=$(abspath $(BUILD)/chatd) node --test --test-concurrency=1 tests/browser/; fi

san-test:
	@$(MAKE) --no-print-directory SAN=1 unit integration

valgrind-test: $(BUILD)/chatd
	@scripts/valgrind-check $(BUILD)/chatd

test: deps
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory browser
	@$(MAKE) --no-print-directory san-test
	@$(MAKE) --no-print-directory valgrind-test

bench: deps $(BUILD)/chatd $(BUILD)/chatd-bench
	@scripts/bench

format:
	clang-format -i $(wildcard include/chat/*.h protocol/*.[ch] server/*.[ch] tests/unit/*.[ch] tests/bench/*.[ch])

format-check:
	@clang-format --dry-run -Werror $(wildcard include/chat/*.h protocol/*.[ch] server/*.[ch] tests/unit/*.[ch] tests/bench/*.[ch])

clean:
	rm -rf build build-san

-include $(shell find build build-san -name '*.d' 2>/dev/null)
