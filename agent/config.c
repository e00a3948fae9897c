/* config: placeholder; see config.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

void config_defaults(struct agent_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", CONFIG_DEFAULT_STATE_DIR);
	snprintf(c->log_level, sizeof(c->log_level), "info");
	c->detector.idle_gap = 600;
	c->detector.min_session = 900;
	c->detector.stuck_contact = 120;
	c->sync.interval = 300;
	c->sync.backoff_cap = 3600;
}

int config_load(struct agent_config *c, const char *cli_path,
    const char *cli_state_dir, struct bbt_error *e)
{
	config_defaults(c);
	if (cli_state_dir != NULL)
		snprintf(c->state_dir, sizeof(c->state_dir), "%s", cli_state_dir);
	return 0;
}
