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

/* Read path (NULL = RULES_DEFAULT_PATH if present, else defaults) into r. */
int rules_load(const char *path, struct points_rule *r, struct bbt_error *e);
/* The same from text in memory; name is used in messages. */
int rules_parse_string(const char *name, const char *text, struct points_rule *r,
    struct bbt_error *e);
/* 1 if zone names a zone of the system tz database ("Asia/Shanghai", "UTC"). */
int rules_zone_valid(const char *zone);

#endif
