/*
 * cmd_enroll: `bbt-agent enroll [--server URL] [--token T] [--school CODE]
 * [--room NAME]`, flags overriding the [server] config. Enrolling again is
 * allowed (a re-imaged or revoked machine): the server keeps the device_id
 * of the same hw_id, and the device key in the state dir is reused.
 */
#include <getopt.h>
#include <stdio.h>

#include "bbt_log.h"
#include "commands.h"
#include "enroll.h"
#include "http_client.h"
#include "store.h"

int cmd_enroll(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 'S' },
		{ "token", required_argument, NULL, 't' },
		{ "school", required_argument, NULL, 's' },
		{ "room", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] = "usage: bbt-agent enroll [--server URL] [--token T] "
	    "[--school CODE] [--room NAME]\n  flags override [server] in the config\n";
	struct agent_config *cfg = &ctx->cfg;
	struct enroll_params p = { cfg->server.url, cfg->server.enroll_token,
	    cfg->server.school, cfg->server.room };
	struct store *st = NULL;
	struct bbt_error err;
	char id[64] = "";
	long status;
	int c;

	optind = 0;	/* glibc: restart parsing after main's own getopt */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S': p.url = optarg; break;
		case 't': p.token = optarg; break;
		case 's': p.school = optarg; break;
		case 'r': p.room = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bbt-agent: enroll: unexpected argument '%s'\n", argv[optind]);
		fputs(usage, stderr);
		return 2;
	}
	if (http_client_global_init(&err) < 0 ||
	    store_open(&st, cfg->state_dir, &err) < 0) {
		log_err("%s", err.msg);
		return 1;
	}
	if (enroll_run(st, cfg, &p, &status, &err) < 0) {
		log_err("enroll: %s", err.msg);
		store_close(st);
		return 1;
	}
	store_meta_get(st, "device_id", id, sizeof(id));
	printf("enrolled: device %s at %s\n", id, p.url);
	store_close(st);
	return 0;
}
