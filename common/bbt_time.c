/*
 * bbt_time: civil-date arithmetic (Howard Hinnant's days_from_civil
 * algorithm), ISO 8601 parsing and formatting with explicit offsets, and
 * the local offset (named zones are in bbt_tz.c, so that a program that
 * needs only its local zone does not link GLib).
 */
#include "bbt_time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t bbt_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void bbt_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int bbt_weekday_from_days(int64_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (days + 3) % 7;

	if (w < 0)
		w += 7;
	return (int)w + 1;
}

static int days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dim[m - 1];
}

/* Read exactly n digits; returns -1 if they are not all digits. */
static int read_digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

static int parse_ymd(const char **p, int *y, int *m, int *d)
{
	*y = read_digits(p, 4);
	if (*y < 0 || **p != '-')
		return -1;
	(*p)++;
	*m = read_digits(p, 2);
	if (*m < 1 || *m > 12 || **p != '-')
		return -1;
	(*p)++;
	*d = read_digits(p, 2);
	if (*d < 1 || *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int bbt_date_parse(const char *s, int *y, int *m, int *d, struct bbt_error *e)
{
	const char *p = s;

	if (s == NULL || parse_ymd(&p, y, m, d) < 0 || *p != '\0')
		return bbt_error_set(e, "bad date '%s' (want YYYY-MM-DD)",
		    s ? s : "");
	return 0;
}

static int parse_offset(const char **p, int *offset_s)
{
	int sign, hh, mm;

	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		*offset_s = 0;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return -1;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	hh = read_digits(p, 2);
	if (hh < 0 || hh > 23)
		return -1;
	if (**p == ':')
		(*p)++;
	mm = read_digits(p, 2);
	if (mm < 0 || mm > 59)
		return -1;
	*offset_s = sign * (hh * 3600 + mm * 60);
	return 0;
}

int bbt_time_parse_us(const char *s, int64_t *epoch_us, int *offset_s,
    struct bbt_error *e)
{
	const char *p = s;
	int y, mo, d, hh, mi, ss, off;
	int64_t frac = 0, scale = 100000;

	if (s == NULL || parse_ymd(&p, &y, &mo, &d) < 0)
		goto bad;
	if (*p != 'T' && *p != 't' && *p != ' ')
		goto bad;
	p++;
	hh = read_digits(&p, 2);
	if (hh < 0 || hh > 23 || *p++ != ':')
		goto bad;
	mi = read_digits(&p, 2);
	if (mi < 0 || mi > 59 || *p++ != ':')
		goto bad;
	ss = read_digits(&p, 2);
	if (ss < 0 || ss > 60)	/* 60: a leap second, folded into :59+1 */
		goto bad;
	if (*p == '.' || *p == ',') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (parse_offset(&p, &off) < 0 || *p != '\0')
		goto bad;
	*epoch_us = ((bbt_days_from_civil(y, mo, d) * 86400 + hh * 3600 +
	    mi * 60 + ss - off) * 1000000) + frac;
	if (offset_s != NULL)
		*offset_s = off;
	return 0;
bad:
	return bbt_error_set(e, "bad time '%.64s' (want ISO 8601 with an offset, "
	    "like 2026-11-23T08:00:05+08:00)", s ? s : "");
}

int bbt_time_parse(const char *s, int64_t *epoch, int *offset_s,
    struct bbt_error *e)
{
	int64_t us;

	if (bbt_time_parse_us(s, &us, offset_s, e) < 0)
		return -1;
	*epoch = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	return 0;
}

int64_t bbt_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Two decimal digits of n (0..99) at p. */
static void put2(char *p, int n)
{
	p[0] = (char)('0' + n / 10);
	p[1] = (char)('0' + n % 10);
}

void bbt_time_format(int64_t epoch, int offset_s, char out[BBT_ISO8601_LEN])
{
	int64_t local = epoch + offset_s;
	int64_t days = bbt_floor_div(local, 86400);
	int64_t sod = local - days * 86400;
	int y, m, d, a = offset_s < 0 ? -offset_s : offset_s;

	bbt_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999 || a >= 100 * 3600) {
		snprintf(out, BBT_ISO8601_LEN, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
		    y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
		    offset_s < 0 ? '-' : '+', a / 3600, a / 60 % 60);
		return;
	}
	/* The same text by hand: the collector formats one per heartbeat. */
	put2(out, y / 100);
	put2(out + 2, y % 100);
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, (int)(sod / 3600));
	out[13] = ':';
	put2(out + 14, (int)(sod / 60 % 60));
	out[16] = ':';
	put2(out + 17, (int)(sod % 60));
	out[19] = offset_s < 0 ? '-' : '+';
	put2(out + 20, a / 3600);
	out[22] = ':';
	put2(out + 23, a / 60 % 60);
	out[25] = '\0';
}

int bbt_tz_local_offset(int64_t epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	/* The local broken-down time read back as if UTC: portable where
	 * struct tm has no tm_gmtoff (the Windows CRT). */
	localtime_r(&t, &tm);
	return (int)(timegm(&tm) - t);
}

void bbt_iso_week(int64_t epoch, int offset_s, int *iso_year, int *iso_week)
{
	int64_t local = epoch + offset_s;
	int64_t days = bbt_floor_div(local, 86400);
	int64_t thursday = days - bbt_weekday_from_days(days) + 4;
	int y, m, d;

	bbt_civil_from_days(thursday, &y, &m, &d);
	*iso_year = y;
	*iso_week = (int)((thursday - bbt_days_from_civil(y, 1, 1)) / 7) + 1;
}

int bbt_iso_week_parse(const char *s, int64_t *monday_days, struct bbt_error *e)
{
	const char *p = s;
	int y, w, wy, ww;
	int64_t jan4, monday;

	if (s == NULL)
		goto bad;
	y = read_digits(&p, 4);
	if (y < 0 || *p++ != '-' || (*p != 'W' && *p != 'w'))
		goto bad;
	p++;
	w = read_digits(&p, 2);
	if (w < 1 || w > 53 || *p != '\0')
		goto bad;
	jan4 = bbt_days_from_civil(y, 1, 4);
	monday = jan4 - (bbt_weekday_from_days(jan4) - 1) + (int64_t)(w - 1) * 7;
	bbt_iso_week(monday * 86400, 0, &wy, &ww);
	if (wy != y || ww != w)
		goto bad;
	*monday_days = monday;
	return 0;
bad:
	return bbt_error_set(e, "bad ISO week '%.32s' (want like 2026-W48)",
	    s ? s : "");
}

static int64_t clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t bbt_clock_realtime_us(void)
{
	return clock_us(CLOCK_REALTIME);
}

int64_t bbt_clock_boottime_us(void)
{
	return clock_us(CLOCK_BOOTTIME);
}

int64_t bbt_clock_monotonic_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}
