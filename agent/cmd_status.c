/*
 * cmd_status: `bbt-agent status [--json]`, what an admin asks first: is
 * this machine enrolled, how much is waiting in the buffer, when did it
 * last reach the collector and what went wrong, how far off is its clock,
 * and how many sessions the collector rejected (kept in the quarantine:
 * `sessions --rejected`).
 *
 * It only reads: with no buffer yet it says so rather than creating one
 * (store_open_existing), so running it as root never leaves a root-owned
 * database behind. The meta keys are written by enroll.c and sync.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bbt_log.h"
#include "bbt_session.h"
#include "commands.h"
#include "store.h"

struct status {
	int have_db;
	char enrolled[16];		/* meta "enrolled": "1", "0", "revoked" */
	char device_id[128];
	char server_url[512];
	int64_t outbox, logged, rejected;
	int open_session;
	char last_sync[64];
	char last_error[512];
	int have_offset;
	int64_t clock_offset_s;		/* server minus local clock */
};

static int gather(struct store *st, struct status *s, struct bbt_error *e)
{
	struct bbt_session cp;
	char v[32];
	int rc;

	s->have_db = 1;
	store_meta_get(st, "enrolled", s->enrolled, sizeof(s->enrolled));
	store_meta_get(st, "device_id", s->device_id, sizeof(s->device_id));
	store_meta_get(st, "server_url", s->server_url, sizeof(s->server_url));
	store_meta_get(st, "last_sync", s->last_sync, sizeof(s->last_sync));
	store_meta_get(st, "last_sync_error", s->last_error, sizeof(s->last_error));
	if (store_meta_get(st, "clock_offset_s", v, sizeof(v)) > 0 && v[0] != '\0') {
		char *end;

		s->clock_offset_s = strtoll(v, &end, 10);
		s->have_offset = *end == '\0';
	}
	if (store_outbox_count(st, &s->outbox, e) < 0 ||
	    store_session_count(st, &s->logged, e) < 0 ||
	    store_quarantine_count(st, &s->rejected, e) < 0)
		return -1;
	rc = store_checkpoint_load(st, &cp, e);
	if (rc < 0)
		return -1;
	s->open_session = rc;
	return 0;
}

static const char *enrollment(const struct status *s)
{
	if (strcmp(s->enrolled, "1") == 0)
		return "enrolled";
	if (strcmp(s->enrolled, "revoked") == 0)
		return "revoked";
	return "not enrolled";
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v[0] != '\0')
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static int print_json(const struct agent_ctx *ctx, const struct status *s)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return -1;
	cJSON_AddStringToObject(o, "version", BBT_VERSION);
	cJSON_AddStringToObject(o, "state_dir", ctx->cfg.state_dir);
	add_str_or_null(o, "config", ctx->cfg.path);
	cJSON_AddBoolToObject(o, "enrolled", strcmp(s->enrolled, "1") == 0);
	cJSON_AddStringToObject(o, "enrollment", enrollment(s));
	add_str_or_null(o, "device_id", s->device_id);
	add_str_or_null(o, "server_url", s->server_url);
	cJSON_AddBoolToObject(o, "buffer", s->have_db);
	cJSON_AddNumberToObject(o, "outbox", (double)s->outbox);
	cJSON_AddNumberToObject(o, "logged", (double)s->logged);
	cJSON_AddNumberToObject(o, "rejected", (double)s->rejected);
	cJSON_AddBoolToObject(o, "open_session", s->open_session);
	add_str_or_null(o, "last_sync", s->last_sync);
	add_str_or_null(o, "last_sync_error", s->last_error);
	if (s->have_offset)
		cJSON_AddNumberToObject(o, "clock_offset_s", (double)s->clock_offset_s);
	else
		cJSON_AddNullToObject(o, "clock_offset_s");
	return bbt_json_print_line(o);
}

static void print_enrollment(const struct status *s)
{
	if (strcmp(s->enrolled, "1") == 0)
		printf("enrollment:    enrolled as %s at %s\n",
		    s->device_id[0] ? s->device_id : "?",
		    s->server_url[0] ? s->server_url : "?");
	else if (strcmp(s->enrolled, "revoked") == 0)
		printf("enrollment:    not enrolled (the server refused this device's "
		    "token; run bbt-agent enroll)\n");
	else
		printf("enrollment:    not enrolled\n");
}

static void print_clock(const struct status *s)
{
	int64_t off = s->clock_offset_s;

	if (!s->have_offset)
		printf("clock offset:  unknown (never met the server)\n");
	else if (off == 0)
		printf("clock offset:  0 s (agrees with the server)\n");
	else
		printf("clock offset:  %+" PRId64 " s (local clock %s the server's)\n",
		    off, off > 0 ? "behind" : "ahead of");
}

static void print_text(const struct agent_ctx *ctx, const struct status *s)
{
	printf("bbt-agent %s\n", BBT_VERSION);
	printf("config:        %s\n", ctx->cfg.path[0] ? ctx->cfg.path :
	    "(none, defaults)");
	printf("state dir:     %s\n", ctx->cfg.state_dir);
	print_enrollment(s);
	if (!s->have_db)
		printf("buffer:        none yet (the agent has not run here)\n");
	else
		printf("buffer:        %" PRId64 " waiting to sync, %" PRId64
		    " logged in total, open session: %s\n", s->outbox, s->logged,
		    s->open_session ? "yes" : "no");
	if (s->have_db)
		printf("rejected:      %" PRId64 " session%s kept in quarantine%s\n",
		    s->rejected, s->rejected == 1 ? "" : "s", s->rejected ?
		    " (bbt-agent sessions --rejected)" : "");
	printf("last sync:     %s\n", s->last_sync[0] ? s->last_sync : "never");
	printf("last error:    %s\n", s->last_error[0] ? s->last_error : "none");
	print_clock(s);
}

int cmd_status(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct status s = { 0 };
	struct store *st = NULL;
	struct bbt_error err;
	int c, json = 0, rc = 0;

	optind = 0;	/* glibc: restart parsing after main's own getopt */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if (store_open_existing(&st, ctx->cfg.state_dir, &err) < 0) {
		log_err("status: %s", err.msg);
		return 1;
	}
	if (st != NULL && gather(st, &s, &err) < 0) {
		log_err("status: %s", err.msg);
		rc = 1;
	}
	store_close(st);
	if (rc != 0)
		return rc;
	if (json)
		return print_json(ctx, &s) < 0 ? 1 : 0;
	print_text(ctx, &s);
	return 0;
usage:
	fprintf(c == 'h' ? stdout : stderr, "usage: bbt-agent status [--json]\n");
	return c == 'h' ? 0 : 2;
}
