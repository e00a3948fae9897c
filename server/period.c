/*
 * period: the calendar every report shares (points, verify, stats,
 * teachers, fleet, schedule): a zone's UTC offset at an instant (memoised),
 * local midnights, ISO weeks and inclusive date ranges as half-open
 * [from, to) Unix-second intervals. Pure but for the zone database; no
 * setenv("TZ") (common/bbt_time.h).
 */
#include "period.h"

#include <stdio.h>
#include <string.h>

#include "bbt_time.h"

/*
 * A zone lookup costs tens of microseconds (TZ is switched and the zone file
 * re-read), and a bureau-wide report asks several per session. Offsets only
 * change at transitions, which since 1970 fall on multiples of 15 minutes of
 * UTC, so they are memoised per thread by 15-minute bucket.
 */
#define TZ_BUCKET_S 900
#define TZ_CACHE 1024

struct tz_memo {
	char zone[PERIOD_ZONE_LEN];
	int64_t bucket;
	int off;
	int used;
};

static _Thread_local struct tz_memo tz_cache[TZ_CACHE];

int period_tz_offset(const char *zone, int64_t t)
{
	int64_t bucket = bbt_floor_div(t, TZ_BUCKET_S);
	size_t h = (size_t)(bucket % TZ_CACHE + TZ_CACHE) % TZ_CACHE;
	struct tz_memo *m;

	if (zone == NULL || strlen(zone) >= PERIOD_ZONE_LEN)
		return bbt_tz_offset(zone, t);
	for (const char *p = zone; *p != '\0'; p++)
		h = (h * 31 + (unsigned char)*p) % TZ_CACHE;
	m = &tz_cache[h];
	if (m->used && m->bucket == bucket && strcmp(m->zone, zone) == 0)
		return m->off;
	m->off = bbt_tz_offset(zone, bucket * TZ_BUCKET_S);
	m->bucket = bucket;
	snprintf(m->zone, sizeof(m->zone), "%s", zone);
	m->used = 1;
	return m->off;
}

int64_t period_local_midnight(const char *zone, int64_t days)
{
	int64_t guess = days * 86400;
	int off = bbt_tz_offset(zone, guess);

	/* Second look: the offset at the guessed instant may differ from the real one. */
	off = bbt_tz_offset(zone, guess - off);
	return guess - off;
}

int period_week(const char *zone, const char *week, int64_t *from, int64_t *to,
    struct bbt_error *e)
{
	int64_t monday;

	if (bbt_iso_week_parse(week, &monday, e) < 0)
		return -1;
	*from = period_local_midnight(zone, monday);
	*to = period_local_midnight(zone, monday + 7);
	return 0;
}

int period_dates(const char *zone, const char *from_date, const char *to_date,
    int64_t *from, int64_t *to, struct bbt_error *e)
{
	int y, m, d;
	int64_t a, b;

	if (bbt_date_parse(from_date, &y, &m, &d, e) < 0)
		return bbt_error_prefix(e, "--from");
	a = bbt_days_from_civil(y, m, d);
	if (bbt_date_parse(to_date, &y, &m, &d, e) < 0)
		return bbt_error_prefix(e, "--to");
	b = bbt_days_from_civil(y, m, d);
	if (b < a)
		return bbt_error_set(e, "--to %s is before --from %s", to_date, from_date);
	if (b - a > 3660)
		return bbt_error_set(e, "period longer than ten years");
	*from = period_local_midnight(zone, a);
	*to = period_local_midnight(zone, b + 1);
	return 0;
}

/* Day number of the Monday of the ISO week holding instant t in zone. */
static int64_t monday_of(const char *zone, int64_t t)
{
	int64_t day = bbt_floor_div(t + period_tz_offset(zone, t), 86400);

	return day - (bbt_weekday_from_days(day) - 1);
}

void period_current(const char *zone, int64_t now, int64_t *from, int64_t *to)
{
	int64_t monday = monday_of(zone, now);

	*from = period_local_midnight(zone, monday);
	*to = period_local_midnight(zone, monday + 7);
}

void period_whole_weeks(const char *zone, int64_t from, int64_t to,
    int64_t *wfrom, int64_t *wto)
{
	*wfrom = period_local_midnight(zone, monday_of(zone, from));
	*wto = to <= from ? *wfrom : period_local_midnight(zone, monday_of(zone, to - 1) + 7);
}
