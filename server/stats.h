/*
 * stats: the bureau's figures per school, per district and in total for a
 * period (CONTRACT 5.6). The arithmetic (adding schools up, coverage and hours
 * with one decimal) is pure and unit-tested; stats_report gathers each
 * school's counts from storage, its points from the points engine and its
 * live lessons from verify, so every figure agrees with those reports.
 *
 * Definitions (docs/stats.md): classrooms = rooms in the school's timetable
 * or with a device enrolled (and not revoked) at the period's end; devices
 * revoked before the period's end count for nothing; active classrooms = rooms with at least one
 * qualifying session (duration >= the rule's minimum) starting in the
 * period; coverage = active / classrooms; teaching hours = total duration of
 * the qualifying sessions; live lessons count lesson ends of that school.
 *
 * With the rule file's statistics sections (server/rules.h):
 *  - equipped_pct = timetable rooms whose device was seen in the period
 *    (contact or a session recorded then, db.h) / timetable rooms (a room
 *    with a device but no timetable is no classroom of Baoji's table, so it
 *    is in neither count), and equipment_score =
 *    the points of the highest bracket it reaches ("all" when every
 *    classroom is equipped); a district's district_score is the rule's
 *    district points when every one of its schools reaches district_all_at.
 *  - enrolled_pct = classrooms with a device enrolled before the period's
 *    end / classrooms; target_pct = the target whose due date is the latest
 *    on or before the period's last day (null before the first), target_met
 *    = enrolled_pct >= target_pct.
 * Shares for brackets and targets are truncated to tenths, never rounded up
 * into a bracket, and compared exactly: 599 of 1000 is 59.9, not 60.
 */
#ifndef SERVER_STATS_H
#define SERVER_STATS_H

#include <stdint.h>

#include "db.h"
#include "points.h"
#include "report.h"
#include "rules.h"
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

/* num / den in tenths of a percent, truncated; 0 with den 0. */
int64_t stats_share_tenths(int64_t num, int64_t den);
/*
 * The equipment score of a school with `equipped` of `classrooms` equipped
 * under rule r (r->equipment must be set); why (may be NULL) gets the
 * bracket and the reason in words.
 */
int stats_equipment_points(const struct rules_stats *r, int64_t equipped,
    int64_t classrooms, char *why, size_t len);
/* The index of the target in force on local day `day`; -1 before the first. */
int stats_target_index(const struct rules_stats *r, int64_t day);

struct stats_query {
	const char *from, *to;	/* inclusive dates, both or neither (current week) */
	const char *school;	/* NULL = every school, with district and total rows */
	int explain;		/* add an "explain" column: the bracket and target, why */
	int behind;		/* only rows whose rollout target is not met, worst first */
};

struct report *stats_report(struct db *db, const struct points_rule *rule,
    const struct rules_stats *rs, const char *zone, const struct stats_query *q,
    int64_t now, struct bbt_error *e);

#endif
