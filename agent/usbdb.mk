# usbdb.mk: turns the vendor table (firmware-notes/touch-devices.tsv) into a
# generated C source linked into the agent, and builds the libumockdev
# hotplug test program (tests/usb/), which cannot be a plain cmocka unit test
# because it must run under umockdev-wrapper (see tests/integration/usb_hotplug.sh).

# Included before the Makefile's own `all:`: name it first so that it stays
# the default goal of a bare `make`.
all:

USBDB_TSV = firmware-notes/touch-devices.tsv
USBDB_GEN = firmware-notes/gen-usbdb.awk
GEN_SRC   += $(BUILD)/gen/usbdb_table.c
AGENT_OBJ += $(BUILD)/obj/gen/usbdb_table.o

$(BUILD)/gen/usbdb_table.c: $(USBDB_TSV) $(USBDB_GEN)
	@mkdir -p $(dir $@)
	@echo "  GEN $@"
	@awk -F'\t' -f $(USBDB_GEN) $(USBDB_TSV) > $@.tmp && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

$(BUILD)/obj/gen/usbdb_table.o: $(BUILD)/gen/usbdb_table.c agent/usbdb.h
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(AGENT_CPPFLAGS) $(CFLAGS) -c $< -o $@

# The hotplug test program (libumockdev + cmocka), outside $(BUILD)/tests so
# that tests/run-unit.sh, which runs everything there bare, does not pick it up.
USB_TEST_PKGS = umockdev-1.0 glib-2.0 gobject-2.0 cmocka
$(BUILD)/usbtest/usb_hotplug: tests/usb/usb_hotplug.c $(BUILD)/libbbt-agent.a $(BUILD)/libbbt-common.a
	@mkdir -p $(dir $@)
	$(CC) $(AGENT_CPPFLAGS) $(CFLAGS) $(call pc_cflags,$(USB_TEST_PKGS)) $(LDFLAGS) \
		-o $@ $^ $(call pc_libs,$(USB_TEST_PKGS)) $(AGENT_LIBS)
usb-tests: $(BUILD)/usbtest/usb_hotplug
integration: usb-tests
.PHONY: usb-tests
