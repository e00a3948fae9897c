/*
 * cmd_sessions: `bbt-agent sessions [--since DATE] [--json]`, the sessions
 * this machine has logged (acknowledged ones are kept 180 days).
 *
 * The table is for people: times in each session's own recorded offset,
 * aligned columns, a summary line. --json prints one SPEC 4.3 object per
 * line, exactly what is (or was) sent to the server, plus one extra member
 * "synced" (true once the server acknowledged it); drop that member and
 * the line is the upload record. DATE is YYYY-MM-DD (local midnight of
 * this machine) or a full ISO 8601 time with offset.
 *
 * Read-only: with no buffer yet it prints nothing (see cmd_status.c why).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "bbt_log.h"
#include "bbt_time.h"
#include "commands.h"
#include "store.h"

struct walk {
	int json;
	int64_t n, unsynced;
};

/* --since: local midnight of YYYY-MM-DD, or an ISO 8601 time. */
static int parse_since(const char *arg, int64_t *since, struct bbt_error *e)
{
	struct tm tm = { 0 };
	int off, y, m, d;
	time_t t;

	if (strlen(arg) != 10)
		return bbt_time_parse(arg, since, &off, e);
	if (bbt_date_parse(arg, &y, &m, &d, e) < 0)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return bbt_error_set(e, "'%s': not a local date", arg);
	*since = (int64_t)t;
	return 0;
}

static void flags_text(unsigned flags, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < BBT_FLAG_COUNT; i++) {
		if (!(flags & (1u << i)))
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
		    used ? "," : "", bbt_flag_name(1u << i));
		if (used >= len)
			return;
	}
	if (used == 0)
		snprintf(buf, len, "-");
}

/* "2026-11-23 08:00" from an ISO string in the session's offset. */
static void short_time(int64_t t, int off, int with_date, char *out, size_t len)
{
	char iso[BBT_ISO8601_LEN];

	bbt_time_format(t, off, iso);
	if (with_date)
		snprintf(out, len, "%.10s %.5s", iso, iso + 11);
	else
		snprintf(out, len, "%.5s", iso + 11);
}

static int print_row(const struct bbt_session *s, int acked, void *arg)
{
	struct walk *w = arg;
	char start[32], end[32], dur[32], flags[96], iso_s[BBT_ISO8601_LEN],
	    iso_e[BBT_ISO8601_LEN];
	int64_t d = s->end - s->start;

	w->n++;
	w->unsynced += !acked;
	bbt_time_format(s->start, s->utc_offset, iso_s);
	bbt_time_format(s->end, s->utc_offset, iso_e);
	short_time(s->start, s->utc_offset, 1, start, sizeof(start));
	short_time(s->end, s->utc_offset, strncmp(iso_s, iso_e, 10) != 0, end,
	    sizeof(end));
	snprintf(dur, sizeof(dur), "%" PRId64 ":%02d:%02d", d / 3600,
	    (int)(d / 60 % 60), (int)(d % 60));
	flags_text(s->flags, flags, sizeof(flags));
	printf("%-16s  %-16s  %8s  %7d  %10d  %-6s  %-24s  %s\n", start, end, dur,
	    s->touches, s->active_minutes, acked ? "yes" : "no", flags, s->id);
	return 0;
}

static int print_json(const struct bbt_session *s, int acked, void *arg)
{
	struct walk *w = arg;
	cJSON *o = bbt_session_to_json(s);
	char *line;

	if (o == NULL)
		return -1;
	w->n++;
	cJSON_AddBoolToObject(o, "synced", acked);
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (line == NULL)
		return -1;
	printf("%s\n", line);
	free(line);
	return 0;
}

static int list(struct agent_ctx *ctx, int64_t since, int json,
    struct bbt_error *e)
{
	struct walk w = { .json = json };
	struct store *st = NULL;
	int rc;

	if (store_open_existing(&st, ctx->cfg.state_dir, e) < 0)
		return -1;
	if (!json)
		printf("%-16s  %-16s  %8s  %7s  %10s  %-6s  %-24s  %s\n", "START",
		    "END", "DURATION", "TOUCHES", "ACTIVE MIN", "SYNCED", "FLAGS", "ID");
	rc = st == NULL ? 0 : store_sessions_each(st, since,
	    json ? print_json : print_row, &w, e);
	store_close(st);
	if (rc != 0) {
		/* Only a failing callback (out of memory) leaves no message. */
		if (e->msg[0] == '\0')
			bbt_error_set(e, "out of memory");
		return -1;
	}
	if (!json)
		printf("%" PRId64 " session%s, %" PRId64 " not yet synced\n", w.n,
		    w.n == 1 ? "" : "s", w.unsynced);
	return 0;
}

int cmd_sessions(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bbt_error err = { "" };
	int64_t since = INT64_MIN;
	int c, json = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j') {
			json = 1;
		} else if (c == 's') {
			if (parse_since(optarg, &since, &err) < 0) {
				log_err("sessions: --since %s: %s (want YYYY-MM-DD or "
				    "an ISO 8601 time with offset)", optarg, err.msg);
				return 2;
			}
		} else {
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (list(ctx, since, json, &err) < 0) {
		log_err("sessions: %s", err.msg);
		return 1;
	}
	return 0;
usage:
	fprintf(c == 'h' ? stdout : stderr,
	    "usage: bbt-agent sessions [--since DATE] [--json]\n"
	    "  DATE: YYYY-MM-DD (local) or an ISO 8601 time with offset\n");
	return c == 'h' ? 0 : 2;
}
