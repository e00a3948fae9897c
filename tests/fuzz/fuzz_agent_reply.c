/* libFuzzer target: what the agent reads from a collector (agent/reply.c):
 * the upload reply (accepted/duplicate/rejected lists, server_time) for a
 * fixed batch, the heartbeat reply (server_time, detector settings), the
 * enrollment reply, error texts. Whatever a hostile collector sends, every
 * outcome must concern an id of the batch, once; a rejection has a printable
 * reason; settings stay in the agent.conf ranges; a believed server_time
 * lies between the floor and 2100; an accepted enrollment is file-name and
 * header safe. Never a crash, a leak or an unterminated string. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_bundle.h"
#include "reply.h"

#define FLOOR 1700000000LL

/* 1 if s is printable UTF-8 as reply_sanitize promises, shorter than n. */
static int printable(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, n);

	if (len >= n)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] < 0xa0)
			return 0;
	}
	return 1;
}

static void check_upload(const char *d, size_t size)
{
	static const char *const ids[] = {
		"00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000001",
		"00000000-0000-4000-8000-000000000002", "a", "",
	};
	struct reply_item it[5];
	struct reply_upload u;
	struct bbt_error e;
	size_t named = 0;

	if (reply_upload_parse(d, size, ids, 5, FLOOR, it, &u, &e) < 0) {
		for (size_t i = 0; i < 5; i++)
			if (it[i].outcome != REPLY_NONE)
				__builtin_trap();
		if (e.msg[0] == '\0')
			__builtin_trap();
		return;
	}
	for (size_t i = 0; i < 5; i++) {
		if (it[i].outcome > REPLY_REJECTED)
			__builtin_trap();
		named += it[i].outcome != REPLY_NONE;
		if (it[i].outcome == REPLY_REJECTED && (it[i].error[0] == '\0' ||
		    !printable(it[i].error, sizeof(it[i].error))))
			__builtin_trap();
	}
	if (u.accepted + u.duplicate + u.rejected != named || named > 5)
		__builtin_trap();
	if (u.has_server_time && (u.server_us < FLOOR * 1000000 ||
	    u.server_us >= REPLY_TIME_MAX_S * 1000000))
		__builtin_trap();
}

static void check_heartbeat(const char *d, size_t size)
{
	const struct detector_settings cur = { 600, 900, 120 };
	struct reply_heartbeat h;
	struct bbt_error e;

	if (reply_heartbeat_parse(d, size, FLOOR, &cur, &h, &e) < 0) {
		if (h.has_settings || h.has_server_time)
			__builtin_trap();
		return;
	}
	if (h.settings.idle_gap < 1 || h.settings.idle_gap > 86400 ||
	    h.settings.min_session < 0 || h.settings.min_session > 86400 ||
	    h.settings.stuck_contact < 1 || h.settings.stuck_contact > 86400 ||
	    h.refused < 0 || h.refused > 6)
		__builtin_trap();
	if (!h.has_settings && memcmp(&h.settings, &cur, sizeof(cur)) != 0)
		__builtin_trap();
	if (h.has_server_time && (h.server_us < FLOOR * 1000000 ||
	    h.server_us >= REPLY_TIME_MAX_S * 1000000))
		__builtin_trap();
}

static void check_enroll(const char *d, size_t size)
{
	struct reply_enroll en;
	struct bbt_error e;
	size_t n;

	if (reply_enroll_parse(d, size, &en, &e) < 0)
		return;
	if (!bbt_bundle_device_id_valid(en.device_id))
		__builtin_trap();
	n = strnlen(en.device_token, sizeof(en.device_token));
	if (n == 0 || n >= sizeof(en.device_token))
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (en.device_token[i] < 0x21 || en.device_token[i] > 0x7e)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	char msg[REPLY_TEXT_LEN], small[7];
	char *copy;
	int64_t us;

	check_upload(d, size);
	check_heartbeat(d, size);
	check_enroll(d, size);
	reply_error_text(d, size, msg, sizeof(msg));
	if (!printable(msg, sizeof(msg)))
		__builtin_trap();
	if (reply_server_time(d, size, FLOOR, &us) &&
	    (us < FLOOR * 1000000 || us >= REPLY_TIME_MAX_S * 1000000))
		__builtin_trap();
	/* The raw bytes as a text the agent would print. */
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	reply_sanitize(copy, msg, sizeof(msg));
	reply_sanitize(copy, small, sizeof(small));
	if (!printable(msg, sizeof(msg)) || !printable(small, sizeof(small)))
		__builtin_trap();
	free(copy);
	return 0;
}
