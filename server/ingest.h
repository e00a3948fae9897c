/*
 * ingest: the collector's judgement of uploaded sessions (CONTRACT 5.3) and
 * their storage, shared by POST /api/v1/sessions and offline bundles.
 *
 * Judging is pure: a function of (session JSON, the device's school, server
 * time) with no I/O, so it is unit-tested and fuzzed without a server. A
 * session is rejected, alone, when it is malformed (bbt_session_from_json's
 * reason), ends before it starts, lasts over 24 h, starts or ends more than
 * INGEST_FUTURE_S after server time once the request's clock evidence is
 * taken into account (below), or names a "school" other than its device's
 * (the device's school always wins). Everything else goes to the database,
 * where a session whose id is already stored — from any device, by any
 * route — is a duplicate, counted once.
 *
 * Clock evidence (CONTRACT 4.4, 5.3): an upload carries "agent_time", the
 * agent's clock when it sent the batch, so offset = agent_time - server
 * time tells how far ahead the agent's clock is now. A session lying in the
 * future is the only one certainly stamped by a wrong clock, so only such a
 * session is corrected: when the offset is over INGEST_CLOCK_MIN_S, its
 * start and end move back by the offset and it is flagged clock_adjusted;
 * if it still lies in the future after that, it is rejected. A session not
 * in the future is never moved (it may predate the clock going wrong). No
 * (or an unreadable) agent_time, or an offset within INGEST_CLOCK_MIN_S:
 * no correction, a future session is rejected. Offline bundles carry no
 * request time (their header's "created" is the agent's clock at export,
 * days before the import), so they are judged without correction.
 *
 * Storing is one transaction for the whole batch: ingest_store returns 0
 * only after it is durably committed (db.h), and only then may the caller
 * acknowledge any id. On failure nothing of the batch is stored.
 */
#ifndef SERVER_INGEST_H
#define SERVER_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "bbt_error.h"
#include "bbt_session.h"
#include "db.h"

#define INGEST_FUTURE_S 300
/* An agent clock ahead by more than this is corrected for (see above). */
#define INGEST_CLOCK_MIN_S 300
#define INGEST_ERROR_LEN 160
/* Ids of rejected sessions are echoed back at most this long. */
#define INGEST_ID_LEN 64

enum ingest_result { INGEST_ACCEPTED, INGEST_DUPLICATE, INGEST_REJECTED };

struct ingest_item {
	char id[INGEST_ID_LEN];		/* as sent; "" when it was not a string */
	int has_id;
	struct bbt_session s;		/* valid unless rejected */
	enum ingest_result result;	/* ACCEPTED before storing = passed judgement */
	char error[INGEST_ERROR_LEN];	/* why rejected */
};

struct ingest_batch {
	struct ingest_item *items;
	size_t n;
	int has_agent_time;
	int64_t agent_time;		/* the agent's clock when it sent the batch */
	size_t adjusted;		/* sessions moved by the clock evidence */
	size_t accepted, duplicate, rejected;	/* after ingest_store */
};

/* The request's clock evidence: has = 0 when it carried none. */
struct ingest_clock {
	int has;
	int64_t offset;			/* agent_time - server time, seconds */
};

/*
 * Judge one session object: 0 with *s filled if it may be stored, -1 with
 * the reason in err if rejected. ingest_judge has no clock evidence;
 * ingest_judge_clock corrects a future session by clk (see above), setting
 * BBT_FLAG_CLOCK_ADJUSTED in s->flags when it did.
 */
int ingest_judge(const cJSON *obj, const char *device_school, int64_t now,
    struct bbt_session *s, char *err, size_t errlen);
int ingest_judge_clock(const cJSON *obj, const char *device_school, int64_t now,
    const struct ingest_clock *clk, struct bbt_session *s, char *err, size_t errlen);
/* Judge every element of a JSON array of sessions (at most max) into b,
 * without clock evidence (offline bundles). */
int ingest_judge_array(const cJSON *arr, size_t max, const char *device_school,
    int64_t now, struct ingest_batch *b, struct bbt_error *e);

enum ingest_body_error { INGEST_BODY_OK, INGEST_BODY_BAD, INGEST_BODY_TOO_MANY };
/*
 * Parse a POST /api/v1/sessions body ({"agent_time","sessions":[...]}) and
 * judge each session. Returns -1 when the body as a whole is unusable (not
 * UTF-8 JSON, not an object, no sessions array: *why = INGEST_BODY_BAD;
 * more than max sessions: INGEST_BODY_TOO_MANY), with e. A wrong or
 * missing agent_time never fails the body; a readable one is the clock
 * evidence every session of the body is judged with.
 */
int ingest_parse_body(const char *body, size_t len, size_t max, const char *device_school,
    int64_t now, struct ingest_batch *b, enum ingest_body_error *why, struct bbt_error *e);

/*
 * Ready the storage for the batch (db_session_ready of each session to be
 * stored): call it before opening a transaction around ingest_store, which
 * does it itself when it opens its own.
 */
int ingest_ready(struct db *db, const struct ingest_batch *b, struct bbt_error *e);
/*
 * Store the judged batch in one durable transaction; marks duplicates and
 * fills the counts. -1 (nothing stored, nothing to acknowledge) on failure.
 */
int ingest_store(struct db *db, struct ingest_batch *b, const struct db_session_origin *o,
    struct bbt_error *e);
/* The reply {"accepted","duplicate","rejected","server_time"}; NULL if out of memory. */
cJSON *ingest_reply(const struct ingest_batch *b, int64_t now);
void ingest_batch_free(struct ingest_batch *b);

#endif
