/*
 * reply: parse the collector's replies (enroll, heartbeat, sessions) into
 * plain structs the agent can trust; see reply.h for the rules. Pure: no
 * I/O, no globals, so a fuzzer drives it directly.
 */
#include "reply.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bbt_bundle.h"
#include "bbt_session.h"
#include "bbt_time.h"
#include "bbt_utf8.h"

/* Cut at a character boundary, then shown as bbt_text_scrub shows any
 * text from outside (one '?' for each control character or bad byte). */
void reply_sanitize(const char *in, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	size_t o = 0, left = strlen((const char *)p);

	if (n == 0)
		return;
	while (left > 0) {
		size_t k = bbt_utf8_char(p, left, NULL);

		k = k ? k : 1;		/* a bad byte: one '?' after the scrub */
		if (o + k >= n)
			break;
		memcpy(out + o, p, k);
		o += k;
		p += k;
		left -= k;
	}
	out[o] = '\0';
	bbt_text_scrub(out);
}

/* The body as a JSON object, with nothing but white space after it. */
static cJSON *parse_object(const char *body, size_t len)
{
	const char *end = NULL;
	cJSON *o;

	if (!body)
		return NULL;
	o = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	while (o && end && end < body + len && strchr(" \t\r\n", *end) && *end)
		end++;
	if (o && (!cJSON_IsObject(o) || end != body + len)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void reply_error_text(const char *body, size_t len, char *out, size_t n)
{
	cJSON *o = parse_object(body, len);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "error");

	reply_sanitize(cJSON_IsString(v) ? v->valuestring : "", out, n);
	cJSON_Delete(o);
}

static int server_time_of(const cJSON *o, int64_t floor_s, int64_t *us)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "server_time");
	int64_t v;
	int off;

	if (!cJSON_IsString(t) || bbt_time_parse_us(t->valuestring, &v, &off, NULL) < 0)
		return 0;
	if (v < floor_s * 1000000 || v >= REPLY_TIME_MAX_S * 1000000)
		return 0;
	*us = v;
	return 1;
}

int reply_server_time(const char *body, size_t len, int64_t floor_s, int64_t *us)
{
	cJSON *o = parse_object(body, len);
	int have = o ? server_time_of(o, floor_s, us) : 0;

	cJSON_Delete(o);
	return have;
}

/* ---- upload ---- */

struct index {
	const char *const *ids;
	size_t *order;		/* indexes of ids, sorted by id */
	size_t n;
};

/* Insertion sort of the batch's indexes by id: a batch is at most a few
 * hundred ids (SYNC_BATCH_MAX), and qsort has no context argument. */
static void sort_index(struct index *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		ix->order[i] = i;
	for (size_t i = 1; i < ix->n; i++) {
		size_t v = ix->order[i], j = i;

		while (j > 0 && strcmp(ix->ids[ix->order[j - 1]], ix->ids[v]) > 0) {
			ix->order[j] = ix->order[j - 1];
			j--;
		}
		ix->order[j] = v;
	}
}

/* Index of id in the batch, or n. */
static size_t find(const struct index *ix, const char *id)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, ix->ids[ix->order[mid]]);

		if (c == 0)
			return ix->order[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return ix->n;
}

/* Stronger outcomes win: rejected > accepted > duplicate. */
static int rank(enum reply_outcome o)
{
	static const int r[] = { 0, 2, 1, 3 };

	return r[o];
}

static void take_list(const cJSON *list, enum reply_outcome what,
    const struct index *ix, struct reply_item *items, struct reply_upload *out)
{
	const cJSON *it;

	if (!cJSON_IsArray(list))
		return;
	cJSON_ArrayForEach(it, list) {
		const cJSON *id = what == REPLY_REJECTED ?
		    cJSON_GetObjectItemCaseSensitive(it, "id") : it;
		const cJSON *err = what == REPLY_REJECTED ?
		    cJSON_GetObjectItemCaseSensitive(it, "error") : NULL;
		size_t i;

		if (!cJSON_IsString(id) || (i = find(ix, id->valuestring)) == ix->n) {
			out->foreign++;
			continue;
		}
		if (rank(what) <= rank(items[i].outcome))
			continue;
		items[i].outcome = what;
		if (what == REPLY_REJECTED)
			reply_sanitize(cJSON_IsString(err) && err->valuestring[0] ?
			    err->valuestring : "no reason given", items[i].error,
			    sizeof(items[i].error));
	}
}

int reply_upload_parse(const char *body, size_t len, const char *const *ids,
    size_t n, int64_t floor_s, struct reply_item *items, struct reply_upload *out,
    struct bbt_error *e)
{
	static const char *const names[] = { "accepted", "duplicate", "rejected" };
	static const enum reply_outcome what[] = { REPLY_ACCEPTED, REPLY_DUPLICATE,
	    REPLY_REJECTED };
	struct index ix = { ids, NULL, n };
	cJSON *o = parse_object(body, len);
	int lists = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		items[i].outcome = REPLY_NONE;
		items[i].error[0] = '\0';
	}
	if (!o)
		return bbt_error_set(e, "sessions: reply is not a JSON object");
	for (size_t l = 0; l < 3; l++)
		lists += cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, names[l]));
	if (lists == 0) {
		cJSON_Delete(o);
		return bbt_error_set(e, "sessions: reply has no accepted, duplicate "
		    "or rejected list");
	}
	ix.order = calloc(n ? n : 1, sizeof(*ix.order));
	if (!ix.order) {
		cJSON_Delete(o);
		return bbt_error_set(e, "out of memory");
	}
	sort_index(&ix);
	for (size_t l = 0; l < 3; l++)
		take_list(cJSON_GetObjectItemCaseSensitive(o, names[l]), what[l], &ix,
		    items, out);
	for (size_t i = 0; i < n; i++) {
		out->accepted += items[i].outcome == REPLY_ACCEPTED;
		out->duplicate += items[i].outcome == REPLY_DUPLICATE;
		out->rejected += items[i].outcome == REPLY_REJECTED;
	}
	out->has_server_time = server_time_of(o, floor_s, &out->server_us);
	free(ix.order);
	cJSON_Delete(o);
	return 0;
}

/* ---- heartbeat ---- */

/* 1 and *v if j is an integer in [lo, hi]. */
static int int_in(const cJSON *j, int lo, int hi, int *v)
{
	double d;

	if (!cJSON_IsNumber(j))
		return 0;
	d = j->valuedouble;
	if (!(d >= lo && d <= hi) || floor(d) != d)
		return 0;
	*v = (int)d;
	return 1;
}

static int settings_of(const cJSON *o, struct reply_heartbeat *out)
{
	/* The ranges agent.conf allows (config.c). */
	static const struct { const char *key; int lo, hi; } k[] = {
		{ "idle_gap", 1, 86400 },
		{ "min_session", 0, 86400 },
		{ "stuck_contact", 1, 86400 },
	};
	int *dst[] = { &out->settings.idle_gap, &out->settings.min_session,
	    &out->settings.stuck_contact };

	if (!cJSON_IsObject(o))
		return 0;
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k[i].key);

		if (v && !int_in(v, k[i].lo, k[i].hi, dst[i]))
			out->refused++;
	}
	return 1;
}

/* "collector_url" into out, if bbt_collector_url_valid takes it. */
static void collector_url_of(const cJSON *v, struct reply_heartbeat *out)
{
	const char *u;

	if (!v)
		return;
	u = cJSON_IsString(v) ? v->valuestring : "";
	out->bad_url = !bbt_collector_url_valid(u, sizeof(out->collector_url));
	if (!out->bad_url)
		snprintf(out->collector_url, sizeof(out->collector_url), "%s", u);
}

int reply_heartbeat_parse(const char *body, size_t len, int64_t floor_s,
    const struct detector_settings *cur, struct reply_heartbeat *out,
    struct bbt_error *e)
{
	cJSON *o = parse_object(body, len);

	memset(out, 0, sizeof(*out));
	out->settings = *cur;
	if (!o)
		return bbt_error_set(e, "heartbeat: reply is not a JSON object");
	out->has_server_time = server_time_of(o, floor_s, &out->server_us);
	out->has_settings = settings_of(cJSON_GetObjectItemCaseSensitive(o, "settings"),
	    out) || settings_of(cJSON_GetObjectItemCaseSensitive(o, "detector"), out);
	collector_url_of(cJSON_GetObjectItemCaseSensitive(o, "collector_url"), out);
	cJSON_Delete(o);
	return 0;
}

/* ---- enroll ---- */

static int token_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n >= REPLY_TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] < 0x21 || t[i] > 0x7e)
			return 0;
	return 1;
}

int reply_enroll_parse(const char *body, size_t len, struct reply_enroll *out,
    struct bbt_error *e)
{
	cJSON *o = parse_object(body, len);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "device_id");
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(o, "device_token");
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!o) {
		bbt_error_set(e, "enroll reply is not a JSON object");
		goto out;
	}
	if (cJSON_IsNumber(id) && id->valuedouble >= 1 &&
	    id->valuedouble <= 9007199254740992.0 &&
	    floor(id->valuedouble) == id->valuedouble) {
		snprintf(out->device_id, sizeof(out->device_id), "%.0f", id->valuedouble);
	} else if (cJSON_IsString(id) && bbt_bundle_device_id_valid(id->valuestring)) {
		snprintf(out->device_id, sizeof(out->device_id), "%s", id->valuestring);
	} else {
		bbt_error_set(e, "enroll reply without a usable device_id");
		goto out;
	}
	if (!cJSON_IsString(tok) || !token_ok(tok->valuestring)) {
		out->device_id[0] = '\0';
		bbt_error_set(e, "enroll reply without a usable device_token");
		goto out;
	}
	snprintf(out->device_token, sizeof(out->device_token), "%s", tok->valuestring);
	ret = 0;
out:
	cJSON_Delete(o);
	return ret;
}
