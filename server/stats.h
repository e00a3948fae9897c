/*
 * stats: the bureau's figures per school, per district and in total for a
 * period (SPEC 5.6). The arithmetic (adding schools up, coverage and hours
 * with one decimal) is pure and unit-tested; stats_report gathers each
 * school's counts from storage, its points from the points engine and its
 * live lessons from verify, so every figure agrees with those reports.
 *
 * Definitions (docs/stats.md): classrooms = rooms in the school's timetable
 * or with an enrolled device; active classrooms = rooms with at least one
 * qualifying session (duration >= the rule's minimum) starting in the
 * period; coverage = active / classrooms; teaching hours = total duration of
 * the qualifying sessions; live lessons count lesson ends of that school.
 */
#ifndef SERVER_STATS_H
#define SERVER_STATS_H

#include <stdint.h>

#include "db.h"
#include "points.h"
#include "report.h"
#include "verify.h"

struct stats_figures {
	struct db_school_counts c;
	int64_t points;
	struct verify_tally live;
};

/* into += add. */
void stats_add(struct stats_figures *into, const struct stats_figures *add);
/* Coverage in tenths of a percent, rounded half up; 0 with no classrooms. */
int64_t stats_coverage_tenths(const struct stats_figures *f);
/* Teaching hours in tenths, rounded half up. */
int64_t stats_hours_tenths(const struct stats_figures *f);

/* The report for [from, to) dates (NULL, NULL = the current ISO week), of
 * one school (NULL = every school, with district and total rows). */
struct report *stats_report(struct db *db, const struct points_rule *rule,
    const char *zone, const char *from, const char *to, int64_t now, const char *school,
    struct bbt_error *e);

#endif
