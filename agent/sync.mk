# sync.mk: the sync tests' helper (tests/sync/sync_seed.c), which logs
# sessions through the real store the way `run` does (with boot ids), for
# tests/integration/sync_*.sh. Outside $(BUILD)/tests so that run-unit.sh
# does not run it.

# Included before the Makefile's own `all:`: keep `all` the default goal.
all:

$(BUILD)/synctest/sync_seed: tests/sync/sync_seed.c $(BUILD)/libbbt-agent.a $(BUILD)/libbbt-common.a
	@mkdir -p $(dir $@)
	$(CC) $(AGENT_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS)
sync-tests: $(BUILD)/synctest/sync_seed
integration: sync-tests
.PHONY: sync-tests
