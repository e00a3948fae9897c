/*
 * report_cmds: the report entries (report_cmd.h), one per report command
 * and its GET /api/v1/<name> twin: points (CONTRACT 5.4), verify (5.5), stats
 * (5.6), devices and teachers (5.1); then the admin's lists of stored rows
 * (RC_LIST, CLI only): sessions, timetable list, token list, device list,
 * admin list, whose build functions live beside their commands (cmd_*.c).
 * Each is its options, its period check and a build function over the
 * module that computes it; the runner does the rest. A new report is one
 * entry here and one build function.
 */
#include "report_cmd.h"

#include "fleet.h"
#include "points_report.h"
#include "stats.h"
#include "teachers.h"
#include "verify.h"

/* points, teachers: --week or --from/--to in the rule's week zone. */
static int check_points(struct report_args *a, const struct report_env *env,
    struct bbt_error *e)
{
	struct points_query q = { a->week, a->from, a->to, a->school, a->explain };

	return points_query_period(&q, env->zone, env->rule, env->now, &a->pfrom, &a->pto, e);
}

/* verify, stats: --from/--to dates, else the current ISO week. */
static int check_dates(struct report_args *a, const struct report_env *env,
    struct bbt_error *e)
{
	return verify_period(env->zone, a->from, a->to, env->now, &a->pfrom, &a->pto, e);
}

static struct report *build_points(const struct report_env *env, const struct report_args *a,
    struct bbt_error *e)
{
	struct points_query q = { a->week, a->from, a->to, a->school, a->explain };

	return points_report_query(env->db, env->rule, env->zone, &q, env->now, a->shape, e);
}

static struct report *build_verify(const struct report_env *env, const struct report_args *a,
    struct bbt_error *e)
{
	return verify_report(env->db, a->school, env->zone, a->pfrom, a->pto, e);
}

static struct report *build_stats(const struct report_env *env, const struct report_args *a,
    struct bbt_error *e)
{
	struct stats_query q = { a->from, a->to, a->school, a->explain, a->behind };

	return stats_report(env->db, env->rule, env->rs, env->zone, &q, env->now, e);
}

static struct report *build_devices(const struct report_env *env,
    const struct report_args *a, struct bbt_error *e)
{
	return fleet_devices_report(env->db, a->school, env->zone, env->now, a->offline_after, e);
}

static struct report *build_teachers(const struct report_env *env,
    const struct report_args *a, struct bbt_error *e)
{
	return teachers_report(env->db, env->rule, env->zone, a->from, a->to, env->now,
	    a->school, e);
}

const struct report_entry report_cmd_entries[] = {
	{ "points",
	    "usage: bbt-server points [--week 2026-W48 | --from DATE --to DATE] [--school CODE]\n"
	    "                         [--explain] [--format table|csv|json|xlsx] [--out FILE]\n"
	    "                         [--lang zh|en]\n",
	    RC_WEEK | RC_PERIOD | RC_SCHOOL | RC_EXPLAIN | RC_RULES, "积分",
	    check_points, build_points },
	{ "verify",
	    "usage: bbt-server verify [--from DATE --to DATE] [--school CODE]\n"
	    "                         [--format table|csv|json|xlsx] [--out FILE] [--lang zh|en]\n",
	    RC_PERIOD | RC_SCHOOL, "核验", check_dates, build_verify },
	{ "stats",
	    "usage: bbt-server stats [--from DATE --to DATE] [--school CODE] [--explain] "
	    "[--behind]\n"
	    "                        [--format table|csv|json|xlsx] [--out FILE] [--lang zh|en]\n",
	    RC_PERIOD | RC_SCHOOL | RC_EXPLAIN | RC_BEHIND | RC_RULES_STATS, "统计",
	    check_dates, build_stats },
	{ "devices",
	    "usage: bbt-server devices [--school CODE] [--offline-after SECONDS]\n"
	    "                          [--format table|csv|json|xlsx] [--out FILE] [--lang zh|en]\n",
	    RC_SCHOOL | RC_OFFLINE, "设备", NULL, build_devices },
	{ "teachers",
	    "usage: bbt-server teachers [--from DATE --to DATE] [--school CODE]\n"
	    "                           [--format table|csv|json|xlsx] [--out FILE]\n"
	    "                           [--lang zh|en]\n",
	    RC_PERIOD | RC_SCHOOL | RC_RULES, "教师", check_points, build_teachers },
	{ "sessions",
	    "usage: bbt-server sessions [--school CODE] [--device ID] [--format table|csv|json]\n",
	    RC_LIST | RC_SCHOOL | RC_DEVICE, NULL, NULL, cmd_sessions_build },
	{ "timetable list", cmd_timetable_usage, RC_LIST | RC_SCHOOL, NULL, NULL,
	    cmd_timetable_list_build },
	{ "token list", cmd_token_usage, RC_LIST | RC_SCHOOL | RC_SHORT_SCHOOL, NULL, NULL,
	    cmd_token_list_build },
	{ "device list", cmd_device_usage, RC_LIST | RC_SCHOOL | RC_SHORT_SCHOOL, NULL, NULL,
	    cmd_device_list_build },
	{ "admin list", cmd_admin_usage, RC_LIST, NULL, NULL, cmd_admin_list_build },
};

const size_t report_cmd_nentries = sizeof(report_cmd_entries) / sizeof(report_cmd_entries[0]);
