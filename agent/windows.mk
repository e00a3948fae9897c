# windows.mk: `make windows` cross-builds the Windows agent with mingw-w64
# (CONTRACT 7) into build/windows/; `make windows-test` (a make test stage) runs
# its tests under wine (tests/windows/run.sh).
#
# - The static libraries (SQLite, cJSON, OpenSSL, libcurl, libusb, cmocka)
#   come from Debian source packages fetched at build time and built once
#   into build/windows/sysroot (packaging/windows/build-deps.sh; a second
#   run finds its stamps and does nothing).
# - The same agent/ and common/ sources as Linux, minus the Linux platform
#   (platform_linux.c) and the glib time zones (bbt_tz.c, server only),
#   plus the Windows-only agent/*_win.c. agent/win/include/bbt_wincompat.h
#   is force-included so the shared files need no #ifdef.
# Objects go to build/windows/obj, never mixed with the Linux ones.

# Included before the Makefile's own `all:`: keep `all` the default goal.
all:

WIN_HOST  = x86_64-w64-mingw32
WIN_CC    = $(WIN_HOST)-gcc
WIN_B     = build/windows
WIN_SYS   = $(WIN_B)/sysroot
WIN_DEPS_STAMP = $(WIN_SYS)/.stamp-libusb
WIN_CPPFLAGS = -Icommon -Iagent -Iagent/win -Iagent/win/include -I$(WIN_B)/gen -I$(WIN_SYS)/include -I$(WIN_SYS)/include/libusb-1.0 \
	-include agent/win/include/bbt_wincompat.h \
	-D__USE_MINGW_ANSI_STDIO=1 -D_POSIX_THREAD_SAFE_FUNCTIONS -D_WIN32_WINNT=0x0601 \
	-DWINVER=0x0601 -DNOMINMAX -DCURL_STATICLIB \
	-DCONFIG_DEFAULT_PATH='"%ProgramData%\\bbt-agent\\agent.conf"' \
	-DCONFIG_DEFAULT_STATE_DIR='win_program_data_dir()' \
	-DBBT_VERSION='"$(VERSION)"' -DBBT_BUILD_EPOCH=$(BUILD_EPOCH)LL
# -Wno-format: GCC checks mingw's printf attribute as msvcrt's (no %zu);
# the same formats are checked by the Linux build, and the C99 stdio
# (__USE_MINGW_ANSI_STDIO) prints them right.
WIN_CFLAGS  = -std=c11 $(WARN) -Wno-format -O2 -g
WIN_LDFLAGS = -static -municode
WIN_SYSLIBS = -lws2_32 -lcrypt32 -lbcrypt -ladvapi32 -lsecur32 -lgdi32 -luser32 -lhid -lpthread
WIN_LIBS  = -L$(WIN_SYS)/lib -lcurl -lssl -lcrypto -lsqlite3 -lcjson -lusb-1.0 \
	/usr/$(WIN_HOST)/lib/libz.a $(WIN_SYSLIBS)

WIN_COMMON_SRC = $(filter-out common/bbt_tz.c,$(COMMON_SRC))
WIN_AGENT_SRC  = $(sort $(filter-out agent/main.c agent/platform_linux.c $(WIN_COMPAT_SRC), \
	$(wildcard agent/*.c)) agent/win/classify.c agent/win/hidp_touch.c)
# The POSIX layer under common/ too: common's own objects call it.
WIN_COMPAT_SRC = agent/wincompat_win.c agent/winutil_win.c
WIN_COMMON_OBJ = $(WIN_COMMON_SRC:%.c=$(WIN_B)/obj/%.o) $(WIN_COMPAT_SRC:%.c=$(WIN_B)/obj/%.o)
WIN_AGENT_OBJ  = $(WIN_AGENT_SRC:%.c=$(WIN_B)/obj/%.o) $(WIN_B)/obj/gen/usbdb_table.o
WIN_AGENT_A    = $(WIN_B)/libbbt-agent.a
WIN_COMMON_A   = $(WIN_B)/libbbt-common.a
WIN_EXE        = $(WIN_B)/bbt-agent.exe
WIN_HELPER     = $(WIN_B)/bbt-agent-helper.exe
# The helper links its own file, the touch decoder, and the small ones it
# shares with the service, and nothing else: no socket, TLS or HTTP code
# can reach it.
WIN_HELPER_OBJ = $(WIN_B)/obj/agent/win/helper.o $(WIN_B)/obj/agent/win/classify.o \
	$(WIN_B)/obj/agent/winutil_win.o $(WIN_B)/obj/agent/win/hidp_touch.o \
	$(WIN_B)/obj/agent/hidtouch.o $(WIN_B)/obj/common/bbt_error.o

.PHONY: windows windows-deps windows-test
windows: $(WIN_EXE) $(WIN_HELPER) build/bbt-agent.msi

# The MSI (wixl): packaging/windows/bbt-agent.wxs; WIN_MSI_VERSION lets the
# upgrade test build a newer one. wixl has no ServiceConfig: msibuild adds
# the service's failure actions (restart after 10 s, 60 s, 5 min) as the
# MsiServiceConfigFailureActions table (MSI 5.0, Windows 7 and later) and
# the MsiConfigureServices action that applies it, between InstallServices
# and StartServices.
WIN_MSI_VERSION ?= $(VERSION)
WIN_MSI_FA = packaging/windows/MsiServiceConfigFailureActions.idt
build/bbt-agent.msi: packaging/windows/bbt-agent.wxs $(WIN_MSI_FA) $(WIN_EXE) $(WIN_HELPER)
	wixl -a x64 -D Version=$(WIN_MSI_VERSION) -D WinDir=$(WIN_B) -o $@.tmp $<
	cd $(dir $(WIN_MSI_FA)) && msibuild $(CURDIR)/$@.tmp -i $(notdir $(WIN_MSI_FA)) \
	  -q "INSERT INTO InstallExecuteSequence (Action, Condition, Sequence) \
	  VALUES ('MsiConfigureServices', 'VersionMsi >= \"5.00\"', 5840)"
	mv $@.tmp $@

windows-deps: $(WIN_DEPS_STAMP)
# Touched after the script: a changed script (a library rebuilt) rebuilds
# and relinks everything against the new sysroot.
$(WIN_DEPS_STAMP): packaging/windows/build-deps.sh
	@packaging/windows/build-deps.sh $(WIN_B)
	@touch $@

$(WIN_B)/obj/%.o: %.c $(WIN_DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  WINCC $<"
	@$(WIN_CC) $(WIN_CPPFLAGS) $(WIN_CFLAGS) -MMD -MP -c $< -o $@
# main.c unchanged; winmain_win.c's wmain calls it.
$(WIN_B)/obj/agent/main.o: agent/main.c $(WIN_DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  WINCC $<"
	@$(WIN_CC) $(WIN_CPPFLAGS) $(WIN_CFLAGS) -Dmain=bbt_agent_main -MMD -MP -c $< -o $@

$(WIN_B)/gen/usbdb_table.c: $(USBDB_TSV) $(USBDB_GEN)
	@mkdir -p $(dir $@)
	@awk -F'\t' -f $(USBDB_GEN) $(USBDB_TSV) > $@.tmp && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }
$(WIN_B)/obj/gen/usbdb_table.o: $(WIN_B)/gen/usbdb_table.c $(WIN_DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(WIN_CC) $(WIN_CPPFLAGS) $(WIN_CFLAGS) -c $< -o $@

$(WIN_AGENT_A): $(WIN_AGENT_OBJ)
	rm -f $@; $(WIN_HOST)-ar rcs $@ $^
$(WIN_COMMON_A): $(WIN_COMMON_OBJ)
	rm -f $@; $(WIN_HOST)-ar rcs $@ $^

$(WIN_EXE): $(WIN_B)/obj/agent/main.o $(WIN_AGENT_A) $(WIN_COMMON_A)
	$(WIN_CC) $(WIN_LDFLAGS) -o $@ $^ $(WIN_LIBS)
# -mwindows: no console window pops up at logon.
$(WIN_HELPER): $(WIN_HELPER_OBJ)
	$(WIN_CC) $(WIN_LDFLAGS) -mwindows -o $@ $^ -lhid -luser32

# Unit tests of the shared code, cross-built unchanged, and the Windows-only
# ones (tests/windows/unit/*.c); run under wine by tests/windows/run.sh.
# common_tz and common_time_session test the glib time-zone layer (bbt_tz.c),
# which the agent does not link.
WIN_UNIT_SRC = $(filter-out tests/unit/common_tz.c tests/unit/common_time_session.c, \
	$(sort $(wildcard tests/unit/agent_*.c tests/unit/common_*.c))) \
	$(sort $(wildcard tests/windows/unit/*.c))
WIN_UNIT_BIN = $(addprefix $(WIN_B)/tests/,$(notdir $(WIN_UNIT_SRC:.c=.exe)))
$(WIN_B)/tests/%.exe: tests/unit/%.c tests/windows/unit_shim.c $(WIN_AGENT_A) $(WIN_COMMON_A)
	@mkdir -p $(dir $@)
	@echo "  WINLD $@"
	@$(WIN_CC) $(WIN_CPPFLAGS) -include tests/windows/unit_shim.h $(WIN_CFLAGS) -static \
		-o $@ $^ -lcmocka $(WIN_LIBS)
$(WIN_B)/tests/%.exe: tests/windows/unit/%.c $(WIN_AGENT_A) $(WIN_COMMON_A)
	@mkdir -p $(dir $@)
	@echo "  WINLD $@"
	@$(WIN_CC) $(WIN_CPPFLAGS) $(WIN_CFLAGS) -static -o $@ $^ -lcmocka $(WIN_LIBS)
windows-unit: $(WIN_UNIT_BIN)

windows-test:
	@tests/windows/run.sh

-include $(shell find $(WIN_B)/obj -name '*.d' 2>/dev/null)

# Test tools run under wine (tests/windows/tools/*.c, one exe each).
WIN_TOOLS = $(patsubst tests/windows/tools/%.c,$(WIN_B)/tools/%.exe, \
	$(wildcard tests/windows/tools/*.c))
$(WIN_B)/tools/%.exe: tests/windows/tools/%.c
	@mkdir -p $(dir $@)
	@$(WIN_CC) -O2 -Wall -Werror -static -o $@ $< -luser32
windows-unit: $(WIN_TOOLS)
