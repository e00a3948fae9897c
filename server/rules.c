/*
 * rules: INI rule file -> struct points_rule, strictly checked.
 *
 * libinih calls us once per key; a refused key stops it and ini_parse returns
 * the line number, while our message waits in struct load. Numbers are read
 * with strtoll and range-checked: no value may make points negative or the
 * weekly window meaningless.
 */
#include "rules.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTION "interactive_teaching"

struct load {
	struct points_rule *r;
	char msg[256];
};

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

int rules_zone_valid(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	struct stat st;

	if (zone == NULL || zone[0] == '\0' || zone[0] == '/' || strstr(zone, "..") != NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", zone);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int set_text(struct load *l, const char *key, const char *v)
{
	if (strcmp(key, "name") == 0) {
		if (v[0] == '\0' || strlen(v) >= sizeof(l->r->name))
			goto bad;
		snprintf(l->r->name, sizeof(l->r->name), "%s", v);
		return 1;
	}
	if (!rules_zone_valid(v) || strlen(v) >= sizeof(l->r->week_zone))
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

	if (strcmp(section, SECTION) != 0) {
		snprintf(l->msg, sizeof(l->msg), "unknown section [%.64s] (want [%s])",
		    section, SECTION);
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
    struct bbt_error *e)
{
	if (rc == -2)
		return bbt_error_set(e, "%s: out of memory", name);
	if (rc != 0)
		return bbt_error_set(e, "%s:%d: %s", name, rc,
		    l->msg[0] ? l->msg : "not an INI line");
	*r = *l->r;
	return 0;
}

int rules_load(const char *path, struct points_rule *r, struct bbt_error *e)
{
	struct points_rule tmp;
	struct load l = { .r = &tmp };
	int rc;

	points_rule_default(&tmp);
	if (path == NULL) {
		if (access(RULES_DEFAULT_PATH, F_OK) != 0) {
			*r = tmp;
			return 0;
		}
		path = RULES_DEFAULT_PATH;
	}
	rc = ini_parse(path, on_key, &l);
	if (rc == -1)
		return bbt_error_set(e, "%s: cannot open: %s", path, strerror(errno));
	return finish(&l, path, rc, r, e);
}

int rules_parse_string(const char *name, const char *text, struct points_rule *r,
    struct bbt_error *e)
{
	struct points_rule tmp;
	struct load l = { .r = &tmp };

	points_rule_default(&tmp);
	return finish(&l, name, ini_parse_string(text, on_key, &l), r, e);
}
