# dashboard.mk: embeds the admin dashboard (server/dashboard/*) into the
# collector as a generated C source (see server/dashboard/gen-assets.sh).

# Included before the Makefile's own `all:`: keep it the default goal.
all:

# Chart.js comes from Debian's libjs-chart.js where the package installs it
# (never a copy in the tree); served as /chart.js under the same strict CSP.
CHARTJS ?= /usr/share/javascript/chart.js/chart.min.js
DASHBOARD_FILES = server/dashboard/index.html server/dashboard/dashboard.js \
	server/dashboard/dashboard.css server/dashboard/favicon.svg $(CHARTJS)
GEN_SRC    += $(BUILD)/gen/dashboard_assets.c
SERVER_OBJ += $(BUILD)/obj/gen/dashboard_assets.o

$(BUILD)/gen/dashboard_assets.c: $(DASHBOARD_FILES) server/dashboard/gen-assets.sh
	@mkdir -p $(dir $@)
	@echo "  GEN $@"
	@sh server/dashboard/gen-assets.sh $(DASHBOARD_FILES) > $@.tmp && mv $@.tmp $@ || \
		{ rm -f $@.tmp; exit 1; }

$(BUILD)/obj/gen/dashboard_assets.o: $(BUILD)/gen/dashboard_assets.c server/dashboard.h
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(SERVER_CPPFLAGS) $(CFLAGS) -c $< -o $@
