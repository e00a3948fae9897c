/*
 * cmd_sessions: `bbt-agent sessions [--since DATE] [--rejected] [--json]`,
 * the sessions this machine has logged (acknowledged ones are kept 180
 * days), or with --rejected those the collector refused, kept in the
 * quarantine with its reason (never deleted).
 *
 * The table is for people: times in each session's own recorded offset,
 * aligned columns, a summary line. --json prints one CONTRACT 4.3 object per
 * line, exactly what is (or was) sent to the server, plus one extra member
 * "synced" (true once the server acknowledged it; false for a rejected
 * one); drop that member and the line is the upload record. With
 * --rejected the extra member is "rejected" instead: {"error", "first",
 * "last" (ISO 8601, this machine's offset), "count", "reoffered"}. DATE is
 * YYYY-MM-DD (local midnight of this machine) or a full ISO 8601 time with
 * offset.
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
#include "reply.h"
#include "store.h"

struct walk {
	int json;
	int64_t since;
	int64_t n, unsynced, rejected;
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
	w->unsynced += acked == STORE_OUTBOX;
	w->rejected += acked == STORE_REJECTED;
	bbt_time_format(s->start, s->utc_offset, iso_s);
	bbt_time_format(s->end, s->utc_offset, iso_e);
	short_time(s->start, s->utc_offset, 1, start, sizeof(start));
	short_time(s->end, s->utc_offset, strncmp(iso_s, iso_e, 10) != 0, end,
	    sizeof(end));
	snprintf(dur, sizeof(dur), "%" PRId64 ":%02d:%02d", d / 3600,
	    (int)(d / 60 % 60), (int)(d % 60));
	if (bbt_flags_format(s->flags, ",", flags, sizeof(flags)) == 0)
		snprintf(flags, sizeof(flags), "-");
	printf("%-16s  %-16s  %8s  %7d  %10d  %-8s  %-24s  %s\n", start, end, dur,
	    s->touches, s->active_minutes, acked == STORE_ACKED ? "yes" :
	    acked == STORE_REJECTED ? "rejected" : "no", flags, s->id);
	return 0;
}

static int print_json(const struct bbt_session *s, int acked, void *arg)
{
	struct walk *w = arg;
	cJSON *o = bbt_session_to_json(s);

	if (o == NULL)
		return -1;
	w->n++;
	cJSON_AddBoolToObject(o, "synced", acked == STORE_ACKED);
	return bbt_json_print_line(o);
}

/* A rejection time, in this machine's offset. */
static void local_iso(int64_t t, char out[BBT_ISO8601_LEN])
{
	bbt_time_format(t, bbt_tz_local_offset(t), out);
}

static int print_rejected_row(const struct bbt_session *s,
    const struct store_rejection *r, void *arg)
{
	struct walk *w = arg;
	char start[32], last[BBT_ISO8601_LEN], dur[32], why[STORE_REASON_LEN];
	int64_t d = s->end - s->start;

	if (s->start < w->since)
		return 0;
	w->n++;
	short_time(s->start, s->utc_offset, 1, start, sizeof(start));
	snprintf(dur, sizeof(dur), "%" PRId64 ":%02d:%02d", d / 3600,
	    (int)(d / 60 % 60), (int)(d % 60));
	local_iso(r->last_at, last);
	/* Stored sanitized (reply.c); sanitize again, the file may be older. */
	reply_sanitize(r->error, why, sizeof(why));
	printf("%-16s  %8s  %-25s  %5" PRId64 "  %-36s  %s%s\n", start, dur, last,
	    r->count, s->id, why, r->reoffered ? " (being offered again)" : "");
	return 0;
}

static int print_rejected_json(const struct bbt_session *s,
    const struct store_rejection *r, void *arg)
{
	struct walk *w = arg;
	cJSON *o, *q;
	char t1[BBT_ISO8601_LEN], t2[BBT_ISO8601_LEN], why[STORE_REASON_LEN];

	if (s->start < w->since)
		return 0;
	o = bbt_session_to_json(s);
	if (o == NULL)
		return -1;
	w->n++;
	local_iso(r->first_at, t1);
	local_iso(r->last_at, t2);
	reply_sanitize(r->error, why, sizeof(why));
	q = cJSON_AddObjectToObject(o, "rejected");
	if (!q || !cJSON_AddStringToObject(q, "error", why) ||
	    !cJSON_AddStringToObject(q, "first", t1) ||
	    !cJSON_AddStringToObject(q, "last", t2) ||
	    !cJSON_AddNumberToObject(q, "count", (double)r->count) ||
	    !cJSON_AddBoolToObject(q, "reoffered", r->reoffered)) {
		cJSON_Delete(o);
		return -1;
	}
	return bbt_json_print_line(o);
}

static int list(struct agent_ctx *ctx, int64_t since, int rejected, int json,
    struct bbt_error *e)
{
	struct walk w = { .json = json, .since = since };
	struct store *st = NULL;
	int rc;

	if (store_open_existing(&st, ctx->cfg.state_dir, e) < 0)
		return -1;
	if (!json && rejected)
		printf("%-16s  %8s  %-25s  %5s  %-36s  %s\n", "START", "DURATION",
		    "LAST REJECTED", "TIMES", "ID", "REASON");
	else if (!json)
		printf("%-16s  %-16s  %8s  %7s  %10s  %-8s  %-24s  %s\n", "START",
		    "END", "DURATION", "TOUCHES", "ACTIVE MIN", "SYNCED", "FLAGS", "ID");
	if (st == NULL)
		rc = 0;
	else if (rejected)
		rc = store_quarantine_each(st, json ? print_rejected_json :
		    print_rejected_row, &w, e);
	else
		rc = store_sessions_each(st, since, json ? print_json : print_row, &w, e);
	store_close(st);
	if (rc != 0) {
		/* Only a failing callback (out of memory) leaves no message. */
		if (e->msg[0] == '\0')
			bbt_error_set(e, "out of memory");
		return -1;
	}
	if (!json && rejected)
		printf("%" PRId64 " session%s rejected by the collector, kept in "
		    "quarantine\n", w.n, w.n == 1 ? "" : "s");
	else if (!json)
		printf("%" PRId64 " session%s, %" PRId64 " not yet synced, %" PRId64
		    " rejected\n", w.n, w.n == 1 ? "" : "s", w.unsynced, w.rejected);
	return 0;
}

int cmd_sessions(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "rejected", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bbt_error err = { "" };
	int64_t since = INT64_MIN;
	int c, json = 0, rejected = 0;

	optind = 0;	/* glibc: restart parsing after main's own getopt */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j') {
			json = 1;
		} else if (c == 'r') {
			rejected = 1;
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
	if (list(ctx, since, rejected, json, &err) < 0) {
		log_err("sessions: %s", err.msg);
		return 1;
	}
	return 0;
usage:
	fprintf(c == 'h' ? stdout : stderr,
	    "usage: bbt-agent sessions [--since DATE] [--rejected] [--json]\n"
	    "  DATE: YYYY-MM-DD (local) or an ISO 8601 time with offset\n"
	    "  --rejected: sessions the collector refused, with its reason\n");
	return c == 'h' ? 0 : 2;
}
