/*
 * clock: clock evidence and the correction of session times (see clock.h).
 *
 * The arithmetic is kept in microseconds and rounded to seconds only when
 * a session's times are written, so evidence taken a fraction of a second
 * from a session boundary does not shift it by a whole second twice.
 */
#include "clock.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

/* The platform layer knows where the boot id lives (platform.h). */
int clock_boot_id(char out[BBT_BOOT_ID_LEN], struct bbt_error *e)
{
	return platform_boot_id(out, e);
}

void clock_meta_key(const char *boot_id, char out[CLOCK_META_KEY_LEN])
{
	snprintf(out, CLOCK_META_KEY_LEN, "%s%s", CLOCK_META_PREFIX, boot_id);
}

void clock_evidence_format(const struct clock_evidence *ev, char *out, size_t n)
{
	snprintf(out, n, "%" PRId64 " %" PRId64, ev->boottime_us, ev->server_us);
}

int clock_evidence_parse(const char *s, struct clock_evidence *ev)
{
	char *end;
	long long b, t;

	b = strtoll(s, &end, 10);
	if (end == s || *end != ' ')
		return -1;
	s = end + 1;
	t = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || b < 0 || t <= 0)
		return -1;
	ev->boottime_us = b;
	ev->server_us = t;
	return 0;
}

int64_t clock_true_us(const struct clock_evidence *ev, int64_t boottime_us)
{
	return ev->server_us + (boottime_us - ev->boottime_us);
}

/* Round microseconds to the nearest second (times are positive). */
static int64_t us_to_s(int64_t us)
{
	return us >= 0 ? (us + 500000) / 1000000 : -((-us + 500000) / 1000000);
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

int clock_correct_session(struct bbt_session *s, const struct clock_evidence *ev)
{
	int64_t start, end;

	if (s->boot_id[0] == '\0')
		return 0;
	if (!ev) {
		if (s->flags & (BBT_FLAG_CLOCK_UNVERIFIED | BBT_FLAG_CLOCK_ADJUSTED))
			return 0;
		s->flags |= BBT_FLAG_CLOCK_UNVERIFIED;
		return 1;
	}
	start = us_to_s(clock_true_us(ev, s->boot_start_us));
	end = us_to_s(clock_true_us(ev, s->boot_end_us));
	if (abs64(start - s->start) <= CLOCK_TOLERANCE_S &&
	    abs64(end - s->end) <= CLOCK_TOLERANCE_S) {
		if (!(s->flags & BBT_FLAG_CLOCK_UNVERIFIED))
			return 0;
		/* Evidence now confirms the recorded times. */
		s->flags &= ~(unsigned)BBT_FLAG_CLOCK_UNVERIFIED;
		return 1;
	}
	s->start = start;
	s->end = end;
	s->duration_s = end - start;
	s->flags |= BBT_FLAG_CLOCK_ADJUSTED;
	s->flags &= ~(unsigned)BBT_FLAG_CLOCK_UNVERIFIED;
	return 1;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int64_t clock_trusted_time(int64_t build_epoch, int64_t local_s, int64_t evidence_s,
    int64_t floor_s)
{
	int64_t t = evidence_s > 0 ? evidence_s : local_s;

	return max64(max64(t, build_epoch), floor_s);
}

int clock_local_untrusted(int64_t build_epoch, int64_t local_s, int64_t evidence_s)
{
	if (local_s < build_epoch)
		return 1;
	return evidence_s > 0 && abs64(local_s - evidence_s) > CLOCK_UNTRUSTED_S;
}

int clock_probe_acceptable(int64_t date, int64_t not_before, int64_t not_after,
    int64_t build_epoch)
{
	if (date <= 0 || date < build_epoch)
		return 0;
	if (not_before <= 0 || not_after <= 0)
		return 0;
	return date >= not_before && date <= not_after;
}
