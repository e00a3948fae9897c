/*
 * rules: INI rule file -> struct points_rule, strictly checked.
 *
 * libinih calls us once per key; a refused key stops it and ini_parse returns
 * the line number, while our message waits in struct load. Numbers are read
 * with strtoll and range-checked: no value may make points negative or the
 * weekly window meaningless.
 */
#include "rules.h"

#include "bbt_time.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECTION "interactive_teaching"

struct load {
	struct points_rule *r;
	struct rules_stats s;
	int seen_eq;			/* [equipment_score] replaced its default */
	char msg[256];
};

static int read_int(const char *v, long long lo, long long hi, long long *out);

void rules_stats_default(struct rules_stats *s)
{
	static const struct rules_bracket baoji[] = { { 800, 3 }, { 600, 2 }, { 400, 1 } };

	memset(s, 0, sizeof(*s));
	s->equipment = 1;
	s->all_points = 4;
	memcpy(s->brackets, baoji, sizeof(baoji));
	s->nbrackets = 3;
	s->district_at_tenths = 600;
	s->district_points = 4;
}

/* "60", "62.5", "100" -> tenths of a percent, 0..1000. */
static int read_pct(const char *v, int64_t *tenths)
{
	int64_t n = 0;
	int digits = 0, dec = -1;

	for (const char *p = v; *p; p++) {
		if (*p == '.' && dec < 0 && digits > 0) {
			dec = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || digits > 4 || dec >= 1)
			return -1;
		n = n * 10 + (*p - '0');
		digits++;
		if (dec >= 0)
			dec++;
	}
	if (digits == 0 || dec == 0)
		return -1;
	if (dec < 0)
		n *= 10;
	if (n > 1000)
		return -1;
	*tenths = n;
	return 0;
}

/* "2026-10-31" -> day number. */
static int read_date(const char *v, int64_t *day)
{
	int f[3] = { 0 }, widths[3] = { 4, 2, 2 }, k = 0;
	const char *p = v;

	for (k = 0; k < 3; k++) {
		for (int i = 0; i < widths[k]; i++, p++) {
			if (*p < '0' || *p > '9')
				return -1;
			f[k] = f[k] * 10 + (*p - '0');
		}
		if (*p != (k < 2 ? '-' : '\0'))
			return -1;
		p++;
	}
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31)
		return -1;
	*day = bbt_days_from_civil(f[0], f[1], f[2]);
	/* Round trip: 2026-02-31 is not a date. */
	bbt_civil_from_days(*day, &widths[0], &widths[1], &widths[2]);
	return widths[0] == f[0] && widths[1] == f[1] && widths[2] == f[2] ? 0 : -1;
}

static int bad(struct load *l, const char *key, const char *v)
{
	snprintf(l->msg, sizeof(l->msg), "bad value '%.64s' for %.64s", v, key);
	return 0;
}

static int on_equipment(struct load *l, const char *key, const char *v)
{
	struct rules_stats *s = &l->s;
	long long n;
	int64_t t;

	if (!l->seen_eq) {
		s->equipment = 1;
		s->all_points = -1;
		s->nbrackets = 0;
		s->district_at_tenths = -1;
		s->district_points = 0;
		l->seen_eq = 1;
	}
	if (strcmp(key, "district_all_at") == 0)
		return read_pct(v, &s->district_at_tenths) == 0 ? 1 : bad(l, key, v);
	if (read_int(v, 0, 1000, &n) < 0)
		return bad(l, key, v);
	if (strcmp(key, "all") == 0)
		s->all_points = (int)n;
	else if (strcmp(key, "district") == 0)
		s->district_points = (int)n;
	else if (read_pct(key, &t) == 0) {
		size_t i = s->nbrackets;

		if (i == RULES_MAX_BRACKETS) {
			snprintf(l->msg, sizeof(l->msg), "more than %d brackets",
			    RULES_MAX_BRACKETS);
			return 0;
		}
		for (size_t k = 0; k < s->nbrackets; k++) {
			if (s->brackets[k].min_tenths == t) {
				snprintf(l->msg, sizeof(l->msg), "bracket %.64s twice", key);
				return 0;
			}
		}
		/* Keep them highest first. */
		while (i > 0 && s->brackets[i - 1].min_tenths < t) {
			s->brackets[i] = s->brackets[i - 1];
			i--;
		}
		s->brackets[i] = (struct rules_bracket){ t, (int)n };
		s->nbrackets++;
	} else {
		snprintf(l->msg, sizeof(l->msg), "unknown key '%.64s' (want all, a percent, "
		    "district_all_at or district)", key);
		return 0;
	}
	return 1;
}

static int on_target(struct load *l, const char *key, const char *v)
{
	struct rules_stats *s = &l->s;
	int64_t day, t;
	size_t i = s->ntargets;

	if (read_date(key, &day) < 0) {
		snprintf(l->msg, sizeof(l->msg), "bad date '%.64s' (want YYYY-MM-DD)", key);
		return 0;
	}
	if (read_pct(v, &t) < 0)
		return bad(l, key, v);
	if (i == RULES_MAX_TARGETS) {
		snprintf(l->msg, sizeof(l->msg), "more than %d targets", RULES_MAX_TARGETS);
		return 0;
	}
	for (size_t k = 0; k < s->ntargets; k++) {
		if (s->targets[k].day == day) {
			snprintf(l->msg, sizeof(l->msg), "date %.64s twice", key);
			return 0;
		}
	}
	while (i > 0 && s->targets[i - 1].day > day) {
		s->targets[i] = s->targets[i - 1];
		i--;
	}
	s->targets[i].day = day;
	s->targets[i].pct_tenths = t;
	s->ntargets++;
	return 1;
}

static int read_int(const char *v, long long lo, long long hi, long long *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static int set_text(struct load *l, const char *key, const char *v)
{
	if (strcmp(key, "name") == 0) {
		if (v[0] == '\0' || strlen(v) >= sizeof(l->r->name))
			goto bad;
		snprintf(l->r->name, sizeof(l->r->name), "%s", v);
		return 1;
	}
	/* bbt_tz_check takes "" as the local zone: a rule file must name one. */
	if (v[0] == '\0' || bbt_tz_check(v, NULL) < 0 || strlen(v) >= sizeof(l->r->week_zone))
		goto bad;
	snprintf(l->r->week_zone, sizeof(l->r->week_zone), "%s", v);
	return 1;
bad:
	snprintf(l->msg, sizeof(l->msg), "bad value '%.64s' for %s", v, key);
	return 0;
}

static int on_key(void *user, const char *section, const char *key, const char *v)
{
	struct load *l = user;
	long long n;

	if (strcmp(section, "equipment_score") == 0)
		return on_equipment(l, key, v);
	if (strcmp(section, "rollout_targets") == 0)
		return on_target(l, key, v);
	if (strcmp(section, SECTION) != 0) {
		snprintf(l->msg, sizeof(l->msg), "unknown section [%.64s] (want [%s], "
		    "[equipment_score] or [rollout_targets])", section, SECTION);
		return 0;
	}
	if (strcmp(key, "name") == 0 || strcmp(key, "week_zone") == 0)
		return set_text(l, key, v);
	if (strcmp(key, "points_per_session") == 0 && read_int(v, 0, 1000000, &n) == 0)
		l->r->points_per_session = (int)n;
	else if (strcmp(key, "min_duration_s") == 0 && read_int(v, 0, 86400, &n) == 0)
		l->r->min_duration_s = n;
	else if (strcmp(key, "max_per_week") == 0 && read_int(v, 0, 1000, &n) == 0)
		l->r->max_per_week = (int)n;
	else if (strcmp(key, "points_per_session") == 0 || strcmp(key, "min_duration_s") == 0 ||
	    strcmp(key, "max_per_week") == 0) {
		snprintf(l->msg, sizeof(l->msg), "bad value '%.64s' for %s", v, key);
		return 0;
	} else {
		snprintf(l->msg, sizeof(l->msg), "unknown key '%.64s'", key);
		return 0;
	}
	return 1;
}

/* ini_parse's result: 0, -2 (memory) or the first bad line. */
static int finish(const struct load *l, const char *name, int rc, struct points_rule *r,
    struct rules_stats *st, struct bbt_error *e)
{
	if (rc == -2)
		return bbt_error_set(e, "%s: out of memory", name);
	if (rc != 0)
		return bbt_error_set(e, "%s:%d: %s", name, rc,
		    l->msg[0] ? l->msg : "not an INI line");
	if (l->seen_eq && l->s.nbrackets == 0 && l->s.all_points < 0)
		return bbt_error_set(e, "%s: [equipment_score] has no bracket", name);
	if (r)
		*r = *l->r;
	if (st)
		*st = l->s;
	return 0;
}

static void load_init(struct load *l, struct points_rule *tmp)
{
	memset(l, 0, sizeof(*l));
	points_rule_default(tmp);
	l->r = tmp;
	rules_stats_default(&l->s);
}

int rules_load_all(const char *path, struct points_rule *r, struct rules_stats *st,
    struct bbt_error *e)
{
	struct points_rule tmp;
	struct load l;
	int rc;

	load_init(&l, &tmp);
	if (path == NULL) {
		if (access(RULES_DEFAULT_PATH, F_OK) != 0)
			return finish(&l, "defaults", 0, r, st, e);
		path = RULES_DEFAULT_PATH;
	}
	/* A file that has no [equipment_score] has no score (CONTRACT 5.6). */
	l.s.equipment = 0;
	rc = ini_parse(path, on_key, &l);
	if (rc == -1)
		return bbt_error_set(e, "%s: cannot open: %s", path, strerror(errno));
	return finish(&l, path, rc, r, st, e);
}

int rules_load(const char *path, struct points_rule *r, struct bbt_error *e)
{
	return rules_load_all(path, r, NULL, e);
}

int rules_parse_string_all(const char *name, const char *text, struct points_rule *r,
    struct rules_stats *st, struct bbt_error *e)
{
	struct points_rule tmp;
	struct load l;

	load_init(&l, &tmp);
	l.s.equipment = 0;
	return finish(&l, name, ini_parse_string(text, on_key, &l), r, st, e);
}

int rules_parse_string(const char *name, const char *text, struct points_rule *r,
    struct bbt_error *e)
{
	return rules_parse_string_all(name, text, r, NULL, e);
}
