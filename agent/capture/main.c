/*
 * bbt-agent-capture: the capture process of `bbt-agent run` on Linux
 * (CONTRACT 4.1, docs/agent-run.md). It reads input devices, runs the detector
 * and writes the buffer, and nothing else: it links no HTTP, TLS or USB
 * library (tests/integration/agent_run_nonet.sh checks its ELF NEEDED
 * list), confines itself (sandbox.h) before it opens a device, and tells
 * the sync process about a closed session by a file (kick.h), not a socket.
 *
 * `bbt-agent run` execs it with the global options it was given, so the
 * user-facing command stays `run`; it can also be started directly.
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>

#include "bbt_log.h"
#include "config.h"
#include "daemon.h"
#include "kick.h"
#include "resident.h"
#include "sandbox.h"
#include "store_mem.h"

/*
 * Memory (CONTRACT 8: idle PSS at most a minimal collectd's, docs/agent-run.md
 * has the figures): SQLite may keep CAPTURE_SQLITE_HEAP of cache (a
 * session is one row: it needs a few pages, not the default 2 MiB), blocks
 * from 64 KiB up are mmap'd so freeing them gives them back, and when the
 * loop goes idle the heap's free top is trimmed and the text the lesson
 * ran (SQLite's above all) leaves the process (resident.h).
 */
#define CAPTURE_SQLITE_HEAP (64 * 1024)
#define CAPTURE_MMAP_THRESHOLD (64 * 1024)

static void capture_idle(void *h)
{
	size_t kib = 0;
	int n;

	malloc_trim(0);
	n = resident_drop_text(&kib);
	if (n < 0)
		log_warn_errno("idle: cannot read /proc/self/smaps");
	else
		log_debug("idle: %zu KiB of %d clean file mapping(s) dropped", kib, n);
}

static const char usage_text[] = "usage: bbt-agent-capture [--config FILE] [--state-dir DIR]\n"
    "  the capture process of `bbt-agent run`: input devices -> detector -> buffer\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

int main(int argc, char **argv)
{
	const char *cli_config = NULL, *cli_state_dir = NULL;
	struct agent_config cfg;
	struct bbt_error err;
	int rc;

	struct daemon_link link = kick_link;

	mallopt(M_MMAP_THRESHOLD, CAPTURE_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, CAPTURE_MMAP_THRESHOLD);
	mallopt(M_ARENA_MAX, 1);
	bbt_log_init("bbt-agent", BBT_LOG_INFO);
	rc = config_cli_opts(argc, argv, 0, "bbt-agent-capture", usage, &cli_config,
	    &cli_state_dir);
	if (rc >= 0)
		return rc;
	if (optind != argc) {
		fprintf(stderr, "bbt-agent-capture: unexpected argument '%s'\n%s",
		    argv[optind], usage_text);
		return 2;
	}
	if (sandbox_confine(&err) < 0) {
		log_err("sandbox: %s", err.msg);
		return 1;
	}
	sandbox_probe();
	if (config_load(&cfg, cli_config, cli_state_dir, &err) < 0) {
		log_err("%s", err.msg);
		return 2;
	}
	store_mem_limit(CAPTURE_SQLITE_HEAP);
	link.idle = capture_idle;
	return daemon_run_link(&cfg, cli_config, cli_state_dir, &link);
}
