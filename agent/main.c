/*
 * bbt-agent: watches a classroom machine's input devices, detects teaching
 * sessions, buffers them durably and syncs them to the collector.
 *
 * main() is the plan: global options, config, then one subcommand.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bbt_log.h"
#include "commands.h"

static const struct {
	const char *name;
	int (*fn)(struct agent_ctx *, int, char **);
} commands[] = {
	{ "run", cmd_run },
	{ "replay", cmd_replay },
	{ "enroll", cmd_enroll },
	{ "sync", cmd_sync },
	{ "export", cmd_export },
	{ "status", cmd_status },
	{ "sessions", cmd_sessions },
	{ "devices", cmd_devices },
};

/* 1 if the subcommand's arguments ask for its usage: that needs no config. */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: bbt-agent [--config FILE] [--state-dir DIR] COMMAND\n"
	    "  run                          capture daemon: watch input devices, detect sessions,\n"
	    "                               buffer (no network; sync runs as its own process)\n"
	    "  replay --start TIME FILE...  feed evemu recordings through the detector;\n"
	    "                               time 0 of the recording is TIME (ISO 8601 with offset)\n"
	    "  enroll [--server URL] [--token T] [--school CODE] [--room NAME]\n"
	    "  sync [--auto]                one upload pass now; exit 0 only if nothing is left\n"
	    "                               (--auto: only if due, as the sync units run it)\n"
	    "  export --out DIR             write a signed offline bundle of unacknowledged sessions\n"
	    "  status [--json]              enrollment, buffer, last sync, clock offset\n"
	    "  sessions [--since DATE] [--json]\n"
	    "  devices [--json]             touch/whiteboard devices found\n"
	    "  --version, --help; COMMAND --help for its options\n"
	    "config: " CONFIG_DEFAULT_PATH " (or $BBT_AGENT_CONFIG)\n"
	    "exit status: 0 ok, 1 failure, 2 usage or configuration error\n", f);
}

int main(int argc, char **argv)
{
	struct agent_ctx ctx = { 0 };
	struct bbt_error err;
	int rc;

	bbt_log_init("bbt-agent", BBT_LOG_INFO);
	/* Stop at the subcommand, whose options are its own. */
	rc = config_cli_opts(argc, argv, 1, "bbt-agent", usage, &ctx.cli_config,
	    &ctx.cli_state_dir);
	if (rc >= 0)
		return rc;
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		if (wants_help(argc - optind, argv + optind)) {
			optind++;
			return commands[i].fn(&ctx, argc - optind + 1, argv + optind - 1);
		}
		if (config_load(&ctx.cfg, ctx.cli_config, ctx.cli_state_dir,
		    &err) < 0) {
			log_err("%s", err.msg);
			return 2;
		}
		bbt_log_set_level(bbt_log_level_from_name(ctx.cfg.log_level));
		optind++;
		return commands[i].fn(&ctx, argc - optind + 1, argv + optind - 1);
	}
	fprintf(stderr, "bbt-agent: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
