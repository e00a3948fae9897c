/* sync: placeholder until the sync issue lands; see sync.h. */
#include "sync.h"

#include <stddef.h>

int sync_thread_start(struct sync_thread **out, const struct agent_config *cfg,
    struct bbt_error *e)
{
	*out = NULL;
	return 0;
}

void sync_thread_kick(struct sync_thread *st)
{
}

void sync_thread_reconfigure(struct sync_thread *st, const struct agent_config *cfg)
{
}

int sync_thread_settings(struct sync_thread *st, struct detector_settings *out)
{
	return 0;
}

void sync_thread_stop(struct sync_thread *st)
{
}
