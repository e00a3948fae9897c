/*
 * rules: the points rule file (INI, read with libinih), so a bureau changes
 * the numbers without a rebuild.
 *
 *   [interactive_teaching]
 *   name = 互动授课
 *   points_per_session = 5
 *   min_duration_s = 900
 *   max_per_week = 2          ; 0 = no weekly cap
 *   week_zone = Asia/Shanghai
 *
 *   [equipment_score]       ; Baoji's 基础建设与应用 row (CONTRACT 5.6)
 *   all = 4                 ; every classroom's device reported
 *   80 = 3                  ; at least 80 % (inclusive; one decimal allowed)
 *   60 = 2
 *   40 = 1
 *   district_all_at = 60    ; a district whose every school reaches this share
 *   district = 4            ; ... earns this
 *   [rollout_targets]       ; Hubei's pilot: date = percent of classrooms enrolled
 *   2026-10-31 = 50
 *
 * A section given replaces that section's built-in default as a whole (a
 * city's bracket table is the file's, not a merge); the built-in defaults
 * are the shipped file: Baoji's published brackets and no rollout targets.
 * Keys left out keep the built-in default (points_rule_default). An unknown
 * section or key, or a value out of range, is an error naming the line: a
 * misspelt key silently ignored would pay teachers by the wrong rule.
 * Without --rules the installed file RULES_DEFAULT_PATH is read if it
 * exists, else the built-in defaults (which equal the shipped file) apply.
 */
#ifndef SERVER_RULES_H
#define SERVER_RULES_H

#include "bbt_error.h"
#include "points.h"

#define RULES_DEFAULT_PATH "/etc/bbt-server/points.ini"

#define RULES_MAX_BRACKETS 16
#define RULES_MAX_TARGETS 32

struct rules_bracket {
	int64_t min_tenths;		/* share of classrooms, tenths of a percent */
	int points;
};

/* The statistics sections of the rule file. */
struct rules_stats {
	int equipment;			/* 0: no [equipment_score], no score */
	int all_points;			/* -1 = no "all" key */
	struct rules_bracket brackets[RULES_MAX_BRACKETS];	/* highest first */
	size_t nbrackets;
	int64_t district_at_tenths;	/* -1 = no district score */
	int district_points;
	struct {
		int64_t day;		/* the due date, days since 1970-01-01 */
		int64_t pct_tenths;
	} targets[RULES_MAX_TARGETS];	/* by date */
	size_t ntargets;
};

/* The built-in statistics sections (those of the shipped file). */
void rules_stats_default(struct rules_stats *s);

/* Read path (NULL = RULES_DEFAULT_PATH if present, else defaults) into r. */
int rules_load(const char *path, struct points_rule *r, struct bbt_error *e);
/* The same from text in memory; name is used in messages. */
int rules_parse_string(const char *name, const char *text, struct points_rule *r,
    struct bbt_error *e);
/* The same file's statistics sections (either output may be NULL). */
int rules_load_all(const char *path, struct points_rule *r, struct rules_stats *s,
    struct bbt_error *e);
int rules_parse_string_all(const char *name, const char *text, struct points_rule *r,
    struct rules_stats *s, struct bbt_error *e);

#endif
