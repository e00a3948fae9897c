/*
 * reply: what the agent reads from the collector's replies (CONTRACT 4.4), as
 * pure functions of the reply body: no I/O, no store, no clock, so they are
 * unit-tested and fuzzed (tests/fuzz/fuzz_agent_reply.c) without a server.
 *
 * The collector is trusted with the device's sessions, not with the
 * device: a broken or hostile one must neither crash the agent nor make it
 * drop, misfile or misreport anything. So:
 *  - an upload reply only ever speaks for the ids of the batch it answers
 *    (an id of another outbox session, never sent, is ignored and
 *    counted in `foreign`); entries of the wrong type are ignored; an id
 *    named both rejected and accepted/duplicate counts as rejected (the
 *    agent then keeps it in quarantine, where nothing is lost);
 *  - a server_time is used only if it is an ISO 8601 time no earlier than
 *    the floor the caller gives (the agent's build) and before 2100;
 *  - detector settings are taken one by one, only integers inside the
 *    ranges agent.conf allows; anything else keeps the current value;
 *  - a new collector address (collector_url, the collector moved) is taken
 *    only as bbt_collector_url_valid allows, shorter than REPLY_URL_LEN;
 *    whether to follow it is sync.c's decision, not the reply's;
 *  - enrollment's device_id must be usable in a file name (bundles) and the
 *    device_token in an HTTP header (visible ASCII), else enrollment fails;
 *  - every text from the server that the agent keeps or prints (a
 *    rejection's reason, an error message) is cut to a bounded length on a
 *    UTF-8 boundary, with control characters and invalid UTF-8 shown as
 *    '?', so nothing the server says reaches a terminal raw.
 */
#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"
#include "detector.h"

/* Reasons and error messages are kept at most this long (with the NUL). */
#define REPLY_TEXT_LEN 200
#define REPLY_DEVICE_ID_LEN 64
#define REPLY_TOKEN_LEN 401
#define REPLY_URL_LEN 512		/* as enroll_state.url */
/* Server times from 2100 on are not believed. */
#define REPLY_TIME_MAX_S 4102444800LL

/* Copy in to out (n > 0), cut and made printable as described above. */
void reply_sanitize(const char *in, char *out, size_t n);

/* The "error" member of a JSON error body, sanitized; "" if none. */
void reply_error_text(const char *body, size_t len, char *out, size_t n);

/* 1 and *us if body is a JSON object with a believable "server_time". */
int reply_server_time(const char *body, size_t len, int64_t floor_s, int64_t *us);

enum reply_outcome {
	REPLY_NONE,		/* not named: stays in the outbox */
	REPLY_ACCEPTED,
	REPLY_DUPLICATE,
	REPLY_REJECTED,
};

struct reply_item {
	enum reply_outcome outcome;
	char error[REPLY_TEXT_LEN];	/* REPLY_REJECTED: the reason given */
};

struct reply_upload {
	size_t accepted, duplicate, rejected;	/* ids of the batch, each once */
	size_t foreign;		/* entries naming no id of the batch, or malformed */
	int has_server_time;
	int64_t server_us;
};

/*
 * The reply to POST /api/v1/sessions for a batch of n ids: items[i] gets
 * the outcome of ids[i]. -1 with e if the body is not a JSON object with
 * at least one of the three lists (then nothing may be acknowledged).
 */
int reply_upload_parse(const char *body, size_t len, const char *const *ids,
    size_t n, int64_t floor_s, struct reply_item *items, struct reply_upload *out,
    struct bbt_error *e);

struct reply_heartbeat {
	int has_server_time;
	int64_t server_us;
	int has_settings;		/* "settings" (or "detector") was an object */
	struct detector_settings settings;	/* cur, with the valid values sent */
	int refused;			/* settings values out of range or not integers */
	/* "collector_url": the address the collector says it moved to ("" if
	 * none, or not a usable https:// URL: then bad_url is 1). */
	char collector_url[REPLY_URL_LEN];
	int bad_url;
};

/* The reply to POST /api/v1/heartbeat; cur: the settings in force. -1 with
 * e if the body is not a JSON object. */
int reply_heartbeat_parse(const char *body, size_t len, int64_t floor_s,
    const struct detector_settings *cur, struct reply_heartbeat *out,
    struct bbt_error *e);

struct reply_enroll {
	char device_id[REPLY_DEVICE_ID_LEN];
	char device_token[REPLY_TOKEN_LEN];
};

/* The 201 reply to POST /api/v1/enroll; -1 with e unless both are usable. */
int reply_enroll_parse(const char *body, size_t len, struct reply_enroll *out,
    struct bbt_error *e);

#endif
