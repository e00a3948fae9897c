/*
 * ingest: CONTRACT 5.3 — judge each uploaded session alone, store the good ones
 * exactly once in one durable transaction, and say what became of each id.
 * The judging half is pure (no I/O, time passed in) so the fuzzer and the
 * unit tests drive it directly; see ingest.h for the rules.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_time.h"
#include "bbt_utf8.h"
#include "http.h"
#include "ingest.h"

/*
 * bbt_session_from_json converts numbers to int64 after a range check done
 * in double; refuse absurd magnitudes first so no conversion can overflow.
 */
static int numbers_sane(const cJSON *obj, char *err, size_t errlen)
{
	static const char *const keys[] = { "duration_s", "touches", "active_minutes" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, keys[i]);

		if (cJSON_IsNumber(v) && !(fabs(v->valuedouble) < 9.0e15)) {
			snprintf(err, errlen, "field \"%s\" out of range", keys[i]);
			return -1;
		}
	}
	return 0;
}

static int in_future(const struct bbt_session *s, int64_t now)
{
	return s->start > now + INGEST_FUTURE_S || s->end > now + INGEST_FUTURE_S;
}

/*
 * A session in the future: move it back by the agent's clock offset when
 * the request proves the clock ahead, else (or if that is not enough) say
 * why it is refused. 0 if it may go on.
 */
static int judge_future(struct bbt_session *s, int64_t now,
    const struct ingest_clock *clk, int *adjusted, char *err, size_t errlen)
{
	if (!in_future(s, now))
		return 0;
	if (!clk || !clk->has) {
		snprintf(err, errlen, "lies in the future (more than %d s after server "
		    "time; no agent_time to correct the agent's clock by)",
		    INGEST_FUTURE_S);
		return -1;
	}
	if (clk->offset <= INGEST_CLOCK_MIN_S) {
		snprintf(err, errlen, "lies in the future (more than %d s after server "
		    "time; the agent's clock is %lld s off)", INGEST_FUTURE_S,
		    (long long)clk->offset);
		return -1;
	}
	s->start -= clk->offset;
	s->end -= clk->offset;
	s->flags |= BBT_FLAG_CLOCK_ADJUSTED;
	*adjusted = 1;
	if (in_future(s, now)) {
		snprintf(err, errlen, "lies in the future even after correcting for the "
		    "agent's clock, %lld s ahead", (long long)clk->offset);
		return -1;
	}
	return 0;
}

static int judge(const cJSON *obj, const char *device_school, int64_t now,
    const struct ingest_clock *clk, struct bbt_session *s, int *adjusted,
    char *err, size_t errlen)
{
	const cJSON *school = cJSON_GetObjectItemCaseSensitive(obj, "school");
	struct bbt_error e;

	if (cJSON_IsObject(obj) && numbers_sane(obj, err, errlen) < 0)
		return -1;
	if (bbt_session_from_json(obj, s, &e) < 0) {
		snprintf(err, errlen, "malformed: %s", bbt_error_msg(&e));
		return -1;
	}
	if (s->end < s->start) {
		snprintf(err, errlen, "ends before it starts");
		return -1;
	}
	if (s->duration_s > BBT_MAX_SESSION_S) {
		snprintf(err, errlen, "lasts %lld s, over 24 h", (long long)s->duration_s);
		return -1;
	}
	*adjusted = 0;
	if (judge_future(s, now, clk, adjusted, err, errlen) < 0)
		return -1;
	if (school && !cJSON_IsNull(school) && !cJSON_IsString(school)) {
		snprintf(err, errlen, "malformed: field \"school\" must be a string");
		return -1;
	}
	if (cJSON_IsString(school) && bbt_text_check(school->valuestring, "school", &e) < 0) {
		snprintf(err, errlen, "malformed: %s", bbt_error_msg(&e));
		return -1;
	}
	if (cJSON_IsString(school) && strcmp(school->valuestring, device_school) != 0) {
		snprintf(err, errlen, "session of another school (%.32s) than its device's "
		    "(%s)", school->valuestring, device_school);
		return -1;
	}
	return 0;
}

int ingest_judge_clock(const cJSON *obj, const char *device_school, int64_t now,
    const struct ingest_clock *clk, struct bbt_session *s, char *err, size_t errlen)
{
	int adjusted;

	return judge(obj, device_school, now, clk, s, &adjusted, err, errlen);
}

int ingest_judge(const cJSON *obj, const char *device_school, int64_t now,
    struct bbt_session *s, char *err, size_t errlen)
{
	return ingest_judge_clock(obj, device_school, now, NULL, s, err, errlen);
}

static void item_id(const cJSON *obj, struct ingest_item *it)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");

	if (!cJSON_IsString(id) || strlen(id->valuestring) >= sizeof(it->id) ||
	    !bbt_utf8_valid(id->valuestring, strlen(id->valuestring), 0) ||
	    bbt_text_check(id->valuestring, "id", NULL) < 0)
		return;	/* not echoed: "id": null */
	snprintf(it->id, sizeof(it->id), "%s", id->valuestring);
	it->has_id = 1;
}

static int judge_array(const cJSON *arr, size_t max, const char *device_school,
    int64_t now, const struct ingest_clock *clk, struct ingest_batch *b,
    struct bbt_error *e)
{
	const cJSON *obj;
	size_t n = 0;

	if (!cJSON_IsArray(arr))
		return bbt_error_set(e, "\"sessions\" must be an array");
	cJSON_ArrayForEach(obj, arr)
		n++;
	if (n > max)
		return bbt_error_set(e, "%zu sessions in one batch, at most %zu", n, max);
	b->items = calloc(n ? n : 1, sizeof(*b->items));
	if (!b->items)
		return bbt_error_set(e, "out of memory");
	b->n = 0;
	cJSON_ArrayForEach(obj, arr) {
		struct ingest_item *it = &b->items[b->n++];
		int adjusted = 0;

		if (cJSON_IsObject(obj))
			item_id(obj, it);
		if (judge(obj, device_school, now, clk, &it->s, &adjusted, it->error,
		    sizeof(it->error)) < 0)
			it->result = INGEST_REJECTED;
		else
			it->result = INGEST_ACCEPTED;
		if (it->result == INGEST_ACCEPTED) {
			b->adjusted += (size_t)adjusted;
			/* Echo the canonical (lowercase) id the database keys on. */
			snprintf(it->id, sizeof(it->id), "%s", it->s.id);
			it->has_id = 1;
		}
	}
	return 0;
}

int ingest_judge_array(const cJSON *arr, size_t max, const char *device_school,
    int64_t now, struct ingest_batch *b, struct bbt_error *e)
{
	return judge_array(arr, max, device_school, now, NULL, b, e);
}

int ingest_parse_body(const char *body, size_t len, size_t max, const char *device_school,
    int64_t now, struct ingest_batch *b, enum ingest_body_error *why, struct bbt_error *e)
{
	struct ingest_clock clk = { 0, 0 };
	const char *end = NULL;
	const cJSON *t, *arr;
	cJSON *root = NULL;
	char *marked = NULL;
	int off, rc = -1;

	memset(b, 0, sizeof(*b));
	*why = INGEST_BODY_BAD;
	if (!bbt_utf8_valid(body, len, 0))
		return bbt_error_set(e, "body is not valid UTF-8 text");
	/* An escaped NUL would cut a string short unseen: mark it, so the one
	 * session that holds it is rejected by bbt_session_from_json. */
	if (bbt_json_mark_nul(body, len, &marked) < 0)
		return bbt_error_set(e, "out of memory");
	if (marked != NULL)
		body = marked;
	root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!root) {
		free(marked);
		return bbt_error_set(e, "body is not valid JSON");
	}
	while (end && end < body + len && strchr(" \t\r\n", *end) && *end)
		end++;
	if (end != body + len) {
		bbt_error_set(e, "trailing bytes after the JSON body");
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		bbt_error_set(e, "body must be a JSON object");
		goto out;
	}
	t = cJSON_GetObjectItemCaseSensitive(root, "agent_time");
	if (cJSON_IsString(t) && bbt_time_parse(t->valuestring, &b->agent_time, &off,
	    NULL) == 0) {
		b->has_agent_time = 1;
		clk.has = 1;
		clk.offset = b->agent_time - now;
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "sessions");
	if (!arr) {
		bbt_error_set(e, "missing field \"sessions\"");
		goto out;
	}
	if (cJSON_IsArray(arr) && (size_t)cJSON_GetArraySize(arr) > max)
		*why = INGEST_BODY_TOO_MANY;
	rc = judge_array(arr, max, device_school, now, &clk, b, e);
	if (rc == 0)
		*why = INGEST_BODY_OK;
out:
	cJSON_Delete(root);
	free(marked);
	return rc;
}

int ingest_ready(struct db *db, const struct ingest_batch *b, struct bbt_error *e)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->items[i].result != INGEST_REJECTED &&
		    db_session_ready(db, b->items[i].s.start, e) < 0)
			return -1;
	}
	return 0;
}

/*
 * The sessions that passed judgement go to the database as one batch in
 * one transaction (one statement on PostgreSQL): acknowledged only after
 * its commit, all of it or none.
 */
int ingest_store(struct db *db, struct ingest_batch *b, const struct db_session_origin *o,
    struct bbt_error *e)
{
	size_t cap = b->n ? b->n : 1, k = 0;	/* calloc(0) may give NULL */
	const struct bbt_session **ss = calloc(cap, sizeof(*ss));
	unsigned char *ins = calloc(cap, 1);
	size_t *at = calloc(cap, sizeof(*at));	/* ss[j] is b->items[at[j]] */
	int rc = -1;

	if (!ss || !ins || !at) {
		bbt_error_set(e, "store sessions: out of memory");
		goto out;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (b->items[i].result == INGEST_REJECTED)
			continue;
		at[k] = i;
		ss[k++] = &b->items[i].s;
	}
	if (ingest_ready(db, b, e) < 0 || db_begin(db, e) < 0)
		goto out;
	if (db_sessions_insert(db, ss, k, o, ins, e) < 0) {
		db_rollback(db);
		goto out;
	}
	if (db_commit(db, e) < 0)
		goto out;
	b->accepted = b->duplicate = 0;
	for (size_t j = 0; j < k; j++) {
		b->items[at[j]].result = ins[j] ? INGEST_ACCEPTED : INGEST_DUPLICATE;
		if (ins[j])
			b->accepted++;
		else
			b->duplicate++;
	}
	b->rejected = b->n - k;
	rc = 0;
out:
	free(ss);
	free(ins);
	free(at);
	return rc;
}

cJSON *ingest_reply(const struct ingest_batch *b, int64_t now)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *acc = cJSON_AddArrayToObject(o, "accepted");
	cJSON *dup = cJSON_AddArrayToObject(o, "duplicate");
	cJSON *rej = cJSON_AddArrayToObject(o, "rejected");
	char t[BBT_ISO8601_LEN];

	if (!o || !acc || !dup || !rej)
		goto fail;
	for (size_t i = 0; i < b->n; i++) {
		const struct ingest_item *it = &b->items[i];
		cJSON *r;

		switch (it->result) {
		case INGEST_ACCEPTED:
			if (!cJSON_AddItemToArray(acc, cJSON_CreateString(it->id)))
				goto fail;
			break;
		case INGEST_DUPLICATE:
			if (!cJSON_AddItemToArray(dup, cJSON_CreateString(it->id)))
				goto fail;
			break;
		case INGEST_REJECTED:
			r = cJSON_CreateObject();
			if (!cJSON_AddItemToArray(rej, r) ||
			    !(it->has_id ? cJSON_AddStringToObject(r, "id", it->id) :
			    cJSON_AddNullToObject(r, "id")) ||
			    !cJSON_AddStringToObject(r, "error", it->error))
				goto fail;
			break;
		}
	}
	bbt_time_format(now, 0, t);
	if (!cJSON_AddStringToObject(o, "server_time", t))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

void ingest_batch_free(struct ingest_batch *b)
{
	free(b->items);
	b->items = NULL;
	b->n = 0;
}
