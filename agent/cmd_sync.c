/*
 * cmd_sync: `bbt-agent sync`, one heartbeat-and-upload pass now, without
 * waiting on any backoff, that also offers every quarantined session again
 * (the daemon does so once a day). Exit 0 only if the pass worked, the
 * outbox is empty afterwards and the collector rejected nothing (CONTRACT
 * 4.1); one summary line on stdout either way, and on stderr what was
 * rejected or left. A configured enroll_token enrolls first when the agent
 * has never enrolled (never after a 401: see sync.c).
 *
 * `sync --auto` is the sync process of the Linux units instead: one pass
 * only if one is due by the backoff state in the buffer (syncd.h).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "bbt_log.h"
#include "commands.h"
#include "enroll.h"
#include "http_client.h"
#include "store.h"
#include "sync.h"
#include "syncd.h"

static int maybe_enroll(struct store *st, const struct agent_config *cfg)
{
	struct enroll_params p = { cfg->server.url, cfg->server.enroll_token,
	    cfg->server.school, cfg->server.room };
	struct bbt_error err;
	long status;

	if (enroll_is_enrolled(st) || enroll_is_revoked(st) ||
	    !cfg->server.enroll_token[0] || !cfg->server.url[0])
		return 0;
	if (enroll_run(st, cfg, &p, &status, &err) < 0) {
		log_err("enroll: %s", err.msg);
		return -1;
	}
	return 0;
}

/* Every quarantined session goes into this pass's upload. */
static void reoffer_all(struct store *st)
{
	struct bbt_error err;
	int64_t n;

	if (!enroll_is_enrolled(st))
		return;
	if (store_quarantine_reoffer(st, INT64_MAX, &n, &err) < 0)
		log_warn("quarantine: %s", err.msg);
	else if (n > 0)
		log_info("offering %" PRId64 " rejected session%s to the server again",
		    n, n == 1 ? "" : "s");
}

int cmd_sync(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "auto", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] = "usage: bbt-agent sync [--auto]\n"
	    "  one upload pass now; exit 0 only if nothing is left unacknowledged\n"
	    "  --auto: a pass only if one is due (backoff, kick, interval), for the units\n";
	struct sync_result res;
	struct store *st = NULL;
	struct bbt_error err;
	int ok, c, autopass = 0;

	optind = 0;	/* glibc: restart parsing after main's own getopt */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'a') {
			autopass = 1;
			continue;
		}
		fputs(usage, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 2;
	}
	if (optind != argc) {
		fprintf(stderr, "bbt-agent: sync: unexpected argument '%s'\n%s", argv[optind],
		    usage);
		return 2;
	}
	if (autopass)
		return syncd_auto(&ctx->cfg);
	if (http_client_global_init(&err) < 0 ||
	    store_open(&st, ctx->cfg.state_dir, &err) < 0) {
		log_err("%s", err.msg);
		return 1;
	}
	if (maybe_enroll(st, &ctx->cfg) < 0) {
		store_close(st);
		return 1;
	}
	reoffer_all(st);
	ok = sync_pass(st, &ctx->cfg, NULL, &res, &err) == 0;
	if (!ok)
		log_err("sync: %s", err.msg);
	syncd_share_settings(&ctx->cfg, &res);
	printf("sync: %s: %" PRId64 " accepted, %" PRId64 " duplicate, %" PRId64
	    " rejected, %" PRId64 " left%s", ok ? "ok" : "failed",
	    res.accepted, res.duplicate, res.rejected, res.left,
	    res.too_big ? " (some too large for the server)" : "");
	if (res.quarantined > 0)
		printf(", %" PRId64 " in quarantine", res.quarantined);
	printf("\n");
	fflush(stdout);
	if (res.rejected > 0)
		log_err("sync: the collector rejected %" PRId64 " session%s; kept in "
		    "quarantine, see bbt-agent sessions --rejected", res.rejected,
		    res.rejected == 1 ? "" : "s");
	if (ok && res.left != 0)
		log_err("sync: %" PRId64 " session%s left unacknowledged", res.left,
		    res.left == 1 ? "" : "s");
	store_close(st);
	return ok && res.left == 0 && res.rejected == 0 ? 0 : 1;
}
