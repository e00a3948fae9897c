# capture.mk: bbt-agent-capture, the capture process of `run` on Linux
# (agent/capture/, docs/agent-run.md). It links the agent's archive but
# only the libraries its objects need: no libcurl, OpenSSL, libusb or
# gnutls (so a missing symbol from those is a link error here, and
# tests/integration/agent_run_nonet.sh checks the ELF NEEDED list).
# --gc-sections drops the functions of shared objects it never calls
# (bbt_session.o's JSON half, say), and with them their libraries.

# Included before the Makefile's own `all:`: keep `all` the default goal.
all:

CAPTURE_SRC  = $(sort $(wildcard agent/capture/*.c))
CAPTURE_OBJ  = $(CAPTURE_SRC:%.c=$(BUILD)/obj/%.o)
CAPTURE_PKG  = sqlite3 inih glib-2.0 libcjson
CAPTURE_LIBS = $(call pc_libs,$(CAPTURE_PKG)) -lm

$(BUILD)/bbt-agent-capture: $(CAPTURE_OBJ) $(BUILD)/libbbt-agent.a $(BUILD)/libbbt-common.a
	$(CC) $(LDFLAGS) -Wl,--gc-sections -o $@ $^ $(CAPTURE_LIBS)
all: $(BUILD)/bbt-agent-capture

# Function and data sections in the agent's and common's objects, so that
# --gc-sections above keeps only what capture calls (the JSON half of
# bbt_session.o, most of store.o's queries): a smaller resident binary,
# and libcjson no longer NEEDED.
$(BUILD)/obj/agent/%.o $(BUILD)/obj/common/%.o: CFLAGS += -ffunction-sections -fdata-sections
