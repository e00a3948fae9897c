# bbt build. `make` builds both programs; `make test` installs what is
# missing (make deps), then runs every test; see README.md.
#
# Sources are found by wildcard so a new module is a new file, not a
# Makefile edit:
#   common/*.c          -> $(BUILD)/libbbt-common.a  (linked by both programs)
#   agent/*.c           -> $(BUILD)/libbbt-agent.a + $(BUILD)/bbt-agent (main.c)
#   server/*.c          -> $(BUILD)/libbbt-server.a + $(BUILD)/bbt-server (main.c)
#   tests/unit/common_*.c, agent_*.c, server_*.c -> cmocka test binaries
#   tests/fuzz/fuzz_agent_*.c, fuzz_server_*.c, fuzz_common_*.c -> libFuzzer targets
# BUILD=dir puts every output elsewhere (parallel builds, sanitizer builds).

BUILD   ?= build
CC      ?= cc
SAN     ?=
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
BUILD_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || date +%s)

# Debian packages the build and the tests need (make deps installs them).
DEB_DEPS = build-essential clang pkg-config git ca-certificates tzdata \
	libcurl4-openssl-dev libcjson-dev libsqlite3-dev libusb-1.0-0-dev \
	libmicrohttpd-dev libssl-dev zlib1g-dev libinih-dev libcsv-dev libxlsxwriter-dev \
	libcmocka-dev libumockdev-dev umockdev evemu-tools faketime libglib2.0-dev \
	sqlite3 libpq-dev openssl curl python3 procps iproute2 strace time \
	debhelper lintian fakeroot man-db systemd systemd-container \
	reprepro gnupg ansible debootstrap openssh-server openssh-client haproxy \
	gcc-mingw-w64-x86-64 mingw-w64-tools libz-mingw-w64-dev wine wine64 wixl msitools \
	tcl dpkg-dev postgresql postgresql-common chromium libjs-chart.js fonts-noto-cjk \
	collectd-core

# sqlite3 is common's too: the shared storage layer (common/bbt_sqlite.*)
# is compiled and unit-tested with common's flags.
PKG_COMMON = libcjson libcrypto zlib glib-2.0 sqlite3
PKG_AGENT  = $(PKG_COMMON) libcurl libssl libusb-1.0 inih
PKG_SERVER = $(PKG_COMMON) libmicrohttpd libpq inih xlsxwriter

pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

WARN    = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
	-Wno-format-truncation -Wno-format-nonliteral
ifneq ($(findstring clang,$(CC)),)
WARN   += -Wno-unknown-warning-option
endif
ifeq ($(SAN),1)
OPT     = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN   = -fsanitize=address,undefined
else ifeq ($(SAN),thread)
OPT     = -O1 -g -fno-omit-frame-pointer -fsanitize=thread
LDSAN   = -fsanitize=thread
else ifeq ($(SAN),fuzz)
OPT     = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all
LDSAN   = -fsanitize=address,undefined
else
OPT     = -O2 -g
LDSAN   =
endif
CPPFLAGS += -D_GNU_SOURCE -I$(BUILD)/gen \
	-DBBT_VERSION='"$(VERSION)"' -DBBT_BUILD_EPOCH=$(BUILD_EPOCH)LL
# Each program's objects see common/ and their own directory only, with
# their own libraries' flags: an agent file that includes a server header
# (or the reverse) does not compile, so the compiler keeps the boundary.
COMMON_CPPFLAGS = $(CPPFLAGS) -Icommon $(call pc_cflags,$(PKG_COMMON))
AGENT_CPPFLAGS  = $(CPPFLAGS) -Icommon -Iagent $(call pc_cflags,$(PKG_AGENT))
SERVER_CPPFLAGS = $(CPPFLAGS) -Icommon -Iserver $(call pc_cflags,$(PKG_SERVER))
CFLAGS  += -std=c11 $(WARN) $(OPT) -fPIE
LDFLAGS += -pie -Wl,--as-needed $(LDSAN)

COMMON_SRC = $(sort $(wildcard common/*.c))
AGENT_SRC  = $(sort $(filter-out agent/main.c agent/%_win.c,$(wildcard agent/*.c)))
SERVER_SRC = $(sort $(filter-out server/main.c,$(wildcard server/*.c)))
COMMON_OBJ = $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
AGENT_OBJ  = $(AGENT_SRC:%.c=$(BUILD)/obj/%.o)
SERVER_OBJ = $(SERVER_SRC:%.c=$(BUILD)/obj/%.o)
GEN_SRC    =
# Modules may add generated sources and rules in their own fragment.
-include $(sort $(wildcard agent/*.mk server/*.mk common/*.mk))

AGENT_LIBS  = $(call pc_libs,$(PKG_AGENT)) -lpthread -lm
SERVER_LIBS = $(call pc_libs,$(PKG_SERVER)) -lcsv -lpthread -lm

# tests/unit/server_fixture.c is no test: it is linked into every server_*.
UNIT_SRC   = $(sort $(filter-out tests/unit/server_fixture.c,$(wildcard tests/unit/*_*.c)))
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC   = $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all deps deps-check test unit unit-run san tsan fuzz fuzz-build integration integration-pg \
	console-test \
	bench demo deb repo clean style test-mutants analyze
all: $(BUILD)/bbt-agent $(BUILD)/bbt-server

$(BUILD)/obj/common/%.o: common/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(COMMON_CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/obj/agent/%.o: agent/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(AGENT_CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/obj/server/%.o: server/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(SERVER_CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libbbt-common.a: $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^
$(BUILD)/libbbt-agent.a: $(AGENT_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^
$(BUILD)/libbbt-server.a: $(SERVER_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

$(BUILD)/bbt-agent: $(BUILD)/obj/agent/main.o $(BUILD)/libbbt-agent.a $(BUILD)/libbbt-common.a
	$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS)
$(BUILD)/bbt-server: $(BUILD)/obj/server/main.o $(BUILD)/libbbt-server.a $(BUILD)/libbbt-common.a
	$(CC) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS)

# Unit tests: the file name's prefix says which library it tests.
$(BUILD)/tests/common_%: tests/unit/common_%.c $(BUILD)/libbbt-common.a
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,cmocka $(PKG_COMMON)) -lm
$(BUILD)/tests/agent_%: tests/unit/agent_%.c $(BUILD)/libbbt-agent.a $(BUILD)/libbbt-common.a
	@mkdir -p $(dir $@)
	$(CC) $(AGENT_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,cmocka) $(AGENT_LIBS)
$(BUILD)/tests/server_%: tests/unit/server_%.c tests/unit/server_fixture.c \
    tests/unit/server_fixture.h $(BUILD)/libbbt-server.a $(BUILD)/libbbt-common.a
	@mkdir -p $(dir $@)
	$(CC) $(SERVER_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) \
	    $(call pc_libs,cmocka) $(SERVER_LIBS)

# Benchmark programs built on the server's library (bench/hb_flush.c);
# the stand-alone ones (hbload, mhd_bare, ingest_raw) are built by their
# scripts.
$(BUILD)/bench/%: bench/%.c $(BUILD)/libbbt-server.a $(BUILD)/libbbt-common.a
	@mkdir -p $(dir $@)
	$(CC) $(SERVER_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS)

unit: $(UNIT_BIN)
unit-run: unit
	@tests/run-unit.sh $(BUILD)/tests

# Fuzz targets (clang libFuzzer) in their own build tree. Every sanitizer
# report stops the run (-fno-sanitize-recover=all; run-fuzz.sh also sets
# halt_on_error), so undefined behaviour is a crash, not a log line.
FUZZ_BUILD = build/fuzz
fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SAN=fuzz $(FUZZ_BUILD)/libbbt-common.a \
		$(FUZZ_BUILD)/libbbt-agent.a $(FUZZ_BUILD)/libbbt-server.a
	@set -e; for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  case $$n in fuzz_agent_*) l="$(FUZZ_BUILD)/libbbt-agent.a"; \
	      i="$(AGENT_CPPFLAGS)"; k="$(AGENT_LIBS)";; \
	    fuzz_server_*) l="$(FUZZ_BUILD)/libbbt-server.a"; \
	      i="$(SERVER_CPPFLAGS)"; k="$(SERVER_LIBS)";; \
	    *) l=""; i="$(COMMON_CPPFLAGS)"; k="$(call pc_libs,$(PKG_COMMON)) -lm";; esac; \
	  echo "  FUZZ $$n"; clang $$i -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o $(FUZZ_BUILD)/$$n $$f $$l \
	    $(FUZZ_BUILD)/libbbt-common.a $$k; done
# Short runs in make test; FUZZ_SECONDS=600 make fuzz for a long one.
FUZZ_SECONDS ?= 10
fuzz: fuzz-build
	@tests/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Two scripts at a time (tests/run-integration.sh: each has its own temp dir
# and ephemeral ports; system-wide ones still run alone). JOBS=1 for one.
# san and tsan run theirs and build their trees JOBS at a time too.
JOBS ?= 2
# -j$(JOBS) for a sub-make, unless make was given its own -j (its jobserver
# then already bounds the sub-make; a forced -j would reset it). MAKEFLAGS
# has it as a word of its own ("s -j2 --jobserver-auth=3,4").
SUB_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))
integration: all
	@BBT_JOBS=$(JOBS) BBT_BUILD=$(abspath $(BUILD)) tests/run-integration.sh

# The admin console in headless Chromium against the demo data
# (tests/console/run.sh; playwright-core from npm into build/console-node).
console-test: all
	@BBT_BUILD=$(abspath $(BUILD)) tests/console/run.sh

# The collector's tests again on PostgreSQL (CONTRACT 5.7: both backends pass
# the same suite), on a throwaway cluster that tests/pg/cluster.sh starts
# for the run (BBT_TEST_DB=pg: each script gets its own database, copied
# from a migrated template): the storage conformance unit test, then every
# script that runs a collector, less PG_SKIP (SQLite's own files, or no
# database at all; docs/storage-postgresql.md says why for each).
PG_SKIP    = server_files.sh server_diskfull.sh server_cli.sh server_db_headers.sh \
	bundle_export.sh
PG_SCRIPTS = $(filter-out $(PG_SKIP),$(notdir $(wildcard tests/integration/server_*.sh \
	tests/integration/bundle_*.sh))) sync_server.sh sync_clock_ahead.sh \
	collectors_haproxy.sh agent_run_prompt_sync.sh sync_collector_move.sh
# The unit tests that take their database from $$BBT_TEST_DB_URL.
PG_UNITS   = server_db_conformance server_auth
integration-pg: all sync-tests $(addprefix $(BUILD)/tests/,$(PG_UNITS))
	@BBT_BUILD=$(abspath $(BUILD)) tests/pg/cluster.sh sh -c 'c=$${BBT_COUNTS:-/dev/null}; \
	  for u in $(PG_UNITS); do \
	    if $(BUILD)/tests/$$u > $(BUILD)/pg-$$u.log 2>&1; then \
	      echo "PASS unit $$u on PostgreSQL"; echo "unit:pg 1 0 0" >> $$c; \
	    else cat $(BUILD)/pg-$$u.log; echo "FAIL unit $$u on PostgreSQL"; \
	      echo "unit:pg 0 1 0" >> $$c; r=1; fi; \
	  done; \
	  BBT_JOBS=$(JOBS) tests/run-integration.sh $(PG_SCRIPTS) && exit $${r:-0}'

# The unit tests, then the real server, agent and CLI scripts, under
# ASan+UBSan. Every report is fatal (-fno-sanitize-recover=all; ASan always
# halts) and goes to a file (log_path), so one in a background daemon the
# script never checks still fails the run. The scripts run JOBS at a time,
# as in integration (none of them needs system-wide state, so run-
# integration.sh's default BBT_SERIAL holds); the runtimes add .PID to
# log_path, so each reporting process has a file of its own.
# - umockdev (agent_run_*, usb_devices): the agent starts through
#   tests/integration/lib/san_exec.sh, which runs it in the log directory
#   with a relative log_path: an absolute one makes ASan mkdir() at start-up,
#   before its interceptors exist, and umockdev's mkdir wrapper then calls a
#   NULL dlopen (SIGSEGV before main) whatever the LD_PRELOAD order.
# - faketime (sync_clock, sync_server): allocator_release_to_os_interval_ms=-1,
#   else ASan's allocator reads the time through libfaketime before that is
#   initialised, which allocates: a deadlock before main.
# Left out: usb_run_replay and usb_hotplug (umockdev too; they do not start
# their program through san_exec.sh yet, and usb_hotplug builds its own
# driver without SAN=1), usb_table (runs awk and cc, no bbt program) and
# zz_packaging (builds and installs its own .deb).
SAN_SCRIPTS = server_ bundle_ sync_ agent_replay agent_store_cli agent_cli agent_run_ \
	examples_demo usb_devices
san:
	$(MAKE) $(SUB_JOBS) BUILD=build/san SAN=1 CC=clang unit-run
	@$(MAKE) --no-print-directory $(SUB_JOBS) BUILD=build/san SAN=1 CC=clang all sync-tests
	@d=$$(mktemp -d /tmp/bbt-san.XXXXXX); \
	ASAN_OPTIONS=log_path=$$d/asan:detect_leaks=1:allocator_release_to_os_interval_ms=-1 \
	UBSAN_OPTIONS=log_path=$$d/ubsan:print_stacktrace=1:halt_on_error=1 \
	BBT_JOBS=$(JOBS) BBT_BUILD=$(abspath build/san) tests/run-integration.sh $(SAN_SCRIPTS); \
	rc=$$?; \
	if ls $$d/* >/dev/null 2>&1; then cat $$d/*; echo "sanitizer reports above"; rc=1; fi; \
	rm -rf $$d; exit $$rc

# ThreadSanitizer (clang) builds of both programs in build/tsan: the unit
# tests, then the collector's scripts (its worker threads) and the sync ones
# (the agent's sync thread beside its run loop). Any report is fatal
# (halt_on_error) and logged to a file, as in san; JOBS scripts at a time.
TSAN_SCRIPTS = server_ sync_ bundle_
tsan:
	@$(MAKE) --no-print-directory $(SUB_JOBS) BUILD=build/tsan SAN=thread CC=clang \
	  all unit sync-tests
	@d=$$(mktemp -d /tmp/bbt-tsan.XXXXXX); \
	export TSAN_OPTIONS=halt_on_error=1:log_path=$$d/tsan; \
	tests/run-unit.sh build/tsan/tests; rc=$$?; \
	BBT_JOBS=$(JOBS) BBT_BUILD=$(abspath build/tsan) tests/run-integration.sh \
	  $(TSAN_SCRIPTS) || rc=1; \
	if ls $$d/* >/dev/null 2>&1; then cat $$d/*; echo "sanitizer reports above"; rc=1; fi; \
	rm -rf $$d; exit $$rc

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	$$SUDO apt-get install -y -qq --no-install-recommends $(DEB_DEPS)

deps-check:
	@missing=$$(for p in $(DEB_DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	  | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing missing packages:" $$missing; \
	  $(MAKE) --no-print-directory deps; fi

# Each step is a separate make so that pkg-config runs after deps installed.
# Every stage runs even if one before failed; each runner appends
# "STAGE PASSED FAILED SKIPPED" to $(TEST_COUNTS), and the one closing line
# sums them over all stages (a stage that failed without counting a failure,
# a build error say, counts as one). A skip fails on CI (BBT_CI=1) or root.
TEST_COUNTS = $(abspath build)/test-counts
# The Windows sysroot (minutes of mostly single-threaded configure and
# compile on a cold build/) is built in the background, nice'd, while the
# stages before windows-test run (those are mostly waiting on daemons and
# timers); windows-test waits for it. Its log: build/windows-deps.log.
TEST_STAGES = unit-run analyze san tsan fuzz integration integration-pg console-test style windows-test
test:
	@$(MAKE) --no-print-directory deps-check
	@$(MAKE) --no-print-directory all
	@mkdir -p build; rm -f $(TEST_COUNTS); : > $(TEST_COUNTS); \
	export BBT_COUNTS=$(TEST_COUNTS); rc=0; \
	nice $(MAKE) --no-print-directory windows-deps > build/windows-deps.log 2>&1 & wpid=$$!; \
	nfail() { awk '{ f += $$3 } END { print f + 0 }' $(TEST_COUNTS); }; \
	for s in $(TEST_STAGES); do \
	  [ "$$s" != windows-test ] || wait $$wpid || tail -20 build/windows-deps.log; \
	  f0=$$(nfail); t0=$$(date +%s); \
	  if ! $(MAKE) --no-print-directory $$s; then rc=1; \
	    [ "$$(nfail)" != "$$f0" ] || echo "$$s 0 1 0" >> $(TEST_COUNTS); fi; \
	  echo "make test: stage $$s took $$(($$(date +%s) - t0)) s"; \
	done; \
	awk '{ p += $$2; f += $$3; k += $$4 } \
	  END { printf "make test: %d passed, %d failed, %d skipped\n", p, f, k; \
	  exit (f > 0) }' $(TEST_COUNTS) && [ $$rc = 0 ]

# Static analysis: gcc -fanalyzer over every source of common/, agent/ and
# server/, each with its program's flags, zero findings allowed. One log a
# file under $(BUILD)/analyze, remade only when the file or a header it
# reads changes; a finding that must stay is silenced at its line with the
# reason beside it (docs/STYLE.md). Counts "analyze PASSED FAILED 0" (files
# clean, files with findings) go to $(BBT_COUNTS).
ANALYZE_CC     = gcc
ANALYZE_CFLAGS = -std=c11 $(WARN) -O0 -fanalyzer -fdiagnostics-plain-output
ANALYZE_SRC    = $(COMMON_SRC) $(AGENT_SRC) agent/main.c $(CAPTURE_SRC) $(SERVER_SRC) server/main.c
ANALYZE_LOG    = $(ANALYZE_SRC:%.c=$(BUILD)/analyze/%.log)
$(BUILD)/analyze/common/%.log: common/%.c
	@mkdir -p $(dir $@)
	@echo "  ANALYZE $<"
	@$(ANALYZE_CC) $(COMMON_CPPFLAGS) $(ANALYZE_CFLAGS) -MMD -MP -MF $@.d -MT $@ -c $< \
		-o /dev/null > $@ 2>&1 || echo "$<: exit $$?" >> $@
$(BUILD)/analyze/agent/%.log: agent/%.c
	@mkdir -p $(dir $@)
	@echo "  ANALYZE $<"
	@$(ANALYZE_CC) $(AGENT_CPPFLAGS) $(ANALYZE_CFLAGS) -MMD -MP -MF $@.d -MT $@ -c $< \
		-o /dev/null > $@ 2>&1 || echo "$<: exit $$?" >> $@
$(BUILD)/analyze/server/%.log: server/%.c
	@mkdir -p $(dir $@)
	@echo "  ANALYZE $<"
	@$(ANALYZE_CC) $(SERVER_CPPFLAGS) $(ANALYZE_CFLAGS) -MMD -MP -MF $@.d -MT $@ -c $< \
		-o /dev/null > $@ 2>&1 || echo "$<: exit $$?" >> $@
# JOBS at a time unless make was given its own -j (2 cores: about 50 s cold,
# nice'd, with other builds running; well under a second when nothing changed).
analyze: $(GEN_SRC)
	@$(MAKE) --no-print-directory $(SUB_JOBS) $(ANALYZE_LOG)
	@pass=0; fail=0; for l in $(ANALYZE_LOG); do \
	  if [ -s $$l ]; then cat $$l; fail=$$((fail + 1)); else pass=$$((pass + 1)); fi; \
	done; echo "analyze: $$pass files clean, $$fail with findings"; \
	[ -z "$$BBT_COUNTS" ] || echo "analyze $$pass $$fail 0" >> "$$BBT_COUNTS"; \
	[ $$fail = 0 ]

# Planted one-line bugs in core behaviours, each of which a test must catch
# (tests/mutants.sh; slow, so not part of make test). MUTANTS=name,... for
# some; it builds in build/mutant and restores every file it touches.
test-mutants:
	@$(MAKE) --no-print-directory deps-check
	@tests/mutants.sh $(subst $(comma), ,$(MUTANTS))
comma := ,

bench:
	@$(MAKE) --no-print-directory deps-check
	@$(MAKE) --no-print-directory all sync-tests $(BUILD)/bench/hb_flush
	@BBT_BUILD=$(abspath $(BUILD)) bench/run.sh

demo:
	@$(MAKE) --no-print-directory deps-check
	@$(MAKE) --no-print-directory all
	@BBT_BUILD=$(abspath $(BUILD)) examples/demo.sh

deb:
	@$(MAKE) --no-print-directory deps-check
	@packaging/build-deb.sh

# A signed apt repository of both packages in build/repo (reprepro), signed
# by a key made for it in build/repo-private (packaging/build-repo.sh).
repo: deb
	@packaging/build-repo.sh

# The style check reads the objects too (exported symbols, with nm), and
# first proves on planted violations that each of its rules can fail.
style: $(COMMON_OBJ) $(AGENT_OBJ) $(SERVER_OBJ)
	@tests/style-check.sh --self-test
	@tests/style-check.sh --build $(BUILD)
	@tests/mutants.sh --check

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj $(BUILD)/analyze -name '*.d' 2>/dev/null)
