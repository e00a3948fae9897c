/*
 * daemon_thread: `run` with sync on a thread of the same process, the
 * Windows service's model (it owns the buffer and sync; its helper reads
 * input). On Linux `run` is the separate capture program instead
 * (agent/capture/, docs/agent-run.md), which never links this file: it is
 * what pulls the HTTP client in.
 */
#include "daemon.h"
#include "sync_loop.h"

static int link_start(void **h, const struct agent_config *cfg, void (*wake)(void *),
    void *arg, struct bbt_error *e)
{
	struct sync_thread *t;

	if (sync_thread_start(&t, cfg, e) < 0)
		return -1;
	sync_thread_on_settings(t, wake, arg);
	*h = t;
	return 0;
}

static void link_kick(void *h)
{
	sync_thread_kick(h);
}

static void link_reconfigure(void *h, const struct agent_config *cfg)
{
	sync_thread_reconfigure(h, cfg);
}

static int link_settings(void *h, struct detector_settings *out)
{
	return sync_thread_settings(h, out);
}

static void link_stop(void *h)
{
	sync_thread_stop(h);
}

static const struct daemon_link thread_link = {
	link_start, link_kick, link_reconfigure, link_settings, link_stop, NULL,
};

int daemon_run(const struct agent_config *cfg, const char *cli_config,
    const char *cli_state_dir)
{
	return daemon_run_link(cfg, cli_config, cli_state_dir, &thread_link);
}
