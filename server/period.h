/*
 * period: see period.c. Every period is [from, to) in Unix seconds; dates
 * and weeks are read in the zone given (the server's --tz, or the points
 * rule's week_zone for ISO weeks).
 */
#ifndef SERVER_PERIOD_H
#define SERVER_PERIOD_H

#include <stdint.h>

#include "bbt_error.h"

#define PERIOD_ZONE_LEN 64	/* a zone name's buffer (IANA names are short) */

/* UTC offset of zone at t (bbt_tz_offset, memoised per thread). */
int period_tz_offset(const char *zone, int64_t t);
/* Local midnight (zone) of day number `days` as Unix seconds. */
int64_t period_local_midnight(const char *zone, int64_t days);
/* [from, to) of ISO week "2026-W48" in zone. */
int period_week(const char *zone, const char *week, int64_t *from, int64_t *to,
    struct bbt_error *e);
/* [from 00:00, to + 1 day 00:00) of inclusive dates YYYY-MM-DD in zone. */
int period_dates(const char *zone, const char *from_date, const char *to_date,
    int64_t *from, int64_t *to, struct bbt_error *e);
/* The ISO week (in zone) holding `now`. */
void period_current(const char *zone, int64_t now, int64_t *from, int64_t *to);
/* Widen [from, to) to whole ISO weeks in zone: the weekly cap needs them. */
void period_whole_weeks(const char *zone, int64_t from, int64_t to,
    int64_t *wfrom, int64_t *wto);

#endif
