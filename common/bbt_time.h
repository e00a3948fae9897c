/*
 * bbt_time: ISO 8601 times with offsets, ISO weeks, and the process clocks.
 *
 * Times are carried as Unix seconds (UTC) plus, where a time must be shown,
 * the UTC offset in seconds east it is shown in. Parsing never consults the
 * machine's time zone: a time without an offset is an error, because a
 * session's meaning must not depend on where it is read. Zone-dependent
 * questions (the local offset, the ISO week in Asia/Shanghai) take the zone
 * name explicitly.
 */
#ifndef BBT_TIME_H
#define BBT_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"

#define BBT_ISO8601_LEN 32	/* "2026-11-23T08:00:05+08:00" + NUL, with room */

/* "YYYY-MM-DDTHH:MM:SS(.fff)?(Z|+HH:MM|+HHMM)"; also a space for 'T'. */
int bbt_time_parse(const char *s, int64_t *epoch, int *offset_s,
    struct bbt_error *e);
/* Like bbt_time_parse but keeps the fraction: microseconds since the epoch. */
int bbt_time_parse_us(const char *s, int64_t *epoch_us, int *offset_s,
    struct bbt_error *e);
/* Format epoch in the given offset: "2026-11-23T08:00:05+08:00". */
void bbt_time_format(int64_t epoch, int offset_s, char out[BBT_ISO8601_LEN]);

/* "YYYY-MM-DD" -> y, m, d (validated calendar date). */
int bbt_date_parse(const char *s, int *y, int *m, int *d, struct bbt_error *e);
/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t bbt_days_from_civil(int y, int m, int d);
void bbt_civil_from_days(int64_t days, int *y, int *m, int *d);
/* a / b rounded toward minus infinity (b != 0): the day of an instant
 * before 1970 is the one it falls in, not the one after. */
int64_t bbt_floor_div(int64_t a, int64_t b);
/* 1 = Monday .. 7 = Sunday for a day number from bbt_days_from_civil. */
int bbt_weekday_from_days(int64_t days);

/*
 * UTC offset (seconds east) of the named IANA zone at an instant; NULL or ""
 * means the process's local zone (TZ). Uses the system tz database; safe
 * from any thread (never changes TZ). A name that is not a zone gives 0:
 * check names where they come in with bbt_tz_check.
 */
int bbt_tz_offset(const char *zone, int64_t epoch);
/* The process's local offset (TZ, /etc/localtime) at epoch: the same as
 * bbt_tz_offset(NULL, epoch), without linking the zone database code. */
int bbt_tz_local_offset(int64_t epoch);
/* 0 if zone names a zone of the tz database (NULL or "": local), else -1
 * and "unknown time zone 'X' ...". */
int bbt_tz_check(const char *zone, struct bbt_error *e);

/* ISO 8601 week of the local date (epoch + offset_s): year and week 1..53. */
void bbt_iso_week(int64_t epoch, int offset_s, int *iso_year, int *iso_week);
/* "2026-W48" -> Monday 00:00 of that week as a day number; -1 on error. */
int bbt_iso_week_parse(const char *s, int64_t *monday_days, struct bbt_error *e);

/* Process clocks, in microseconds. BOOTTIME counts suspend. */
int64_t bbt_clock_realtime_us(void);
int64_t bbt_clock_boottime_us(void);
int64_t bbt_clock_monotonic_us(void);

#endif
