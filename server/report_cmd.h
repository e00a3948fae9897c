/*
 * report_cmd: one way to write a report command, after tmux's cmd_entry.
 * A report is a table entry (report_cmds.c): its name, usage text, the
 * options it takes and a build function. One runner serves every entry to
 * the CLI (`bbt-server points ...`, CONTRACT 5.1) and to the JSON API
 * (`GET /api/v1/points?...`, CONTRACT 5.2), so the two always agree and a new
 * report is one entry and one build function.
 *
 * The runner's order is the same for both: parse the options, load the rule
 * file if the entry needs it, check the period (a bad one is a CLI failure
 * or an HTTP 400, before any database work), open the database and check
 * --school (CLI; the API's connection and school scope come with the
 * request), build, then write (CLI: --format table|csv|json|xlsx, --out,
 * --lang; API: the JSON rows, or with format=csv|xlsx the same file the CLI
 * writes, as an attachment, lang=zh (default) or en for its headers).
 * Exit status: 0 ok, 1 the work failed, 2 the command line is wrong
 * (commands.h).
 *
 * The admin's lists of stored rows (`sessions`, `timetable list`, `token
 * list`, `device list`, `admin list`) are entries too, marked RC_LIST: the
 * same runner and skeleton, but --format table|csv|json only, the column
 * keys as headers, no --out or --lang, and no API twin (report_cmd_api
 * refuses them: tokens, device identities and admins are not served over
 * HTTP). Their
 * build functions live beside their commands (cmd_*.c, declared below).
 */
#ifndef SERVER_REPORT_CMD_H
#define SERVER_REPORT_CMD_H

#include <stdint.h>

#include "bbt_error.h"
#include "commands.h"
#include "http.h"
#include "points.h"
#include "report.h"
#include "rules.h"

/* Which options an entry takes (CLI --name, API query name in brackets). */
#define RC_WEEK		0x01u	/* --week (week) */
#define RC_PERIOD	0x02u	/* --from --to (from, to) */
#define RC_SCHOOL	0x04u	/* --school (school, held to a school admin's own) */
#define RC_EXPLAIN	0x08u	/* --explain (explain=1) */
#define RC_BEHIND	0x10u	/* --behind (behind=1) */
#define RC_OFFLINE	0x20u	/* --offline-after S (offline_after) */
#define RC_DEVICE	0x40u	/* --device ID (CLI only) */
#define RC_SHORT_SCHOOL	0x80u	/* -s as --school too (token list, device list had it) */
/* What an entry needs loaded before it is checked. */
#define RC_RULES	0x100u	/* the points rule */
#define RC_RULES_STATS	0x200u	/* the points rule and the stats sections */
/* What kind of entry: a list of stored rows (see above). */
#define RC_LIST		0x400u

/* The parsed options of one run. */
struct report_args {
	const char *week, *from, *to, *school, *device;
	int explain, behind;
	long offline_after;
	/* The shape to build for: REPORT_JSON for the API and --format json,
	 * REPORT_CSV for xlsx (flat rows, as a sheet needs), else the format. */
	enum report_format shape;
	int64_t pfrom, pto;	/* the period, set by the entry's check */
};

/* What a build reads besides its options. */
struct report_env {
	struct db *db;
	const struct points_rule *rule;		/* RC_RULES / RC_RULES_STATS */
	const struct rules_stats *rs;		/* RC_RULES_STATS */
	const char *zone;			/* the server zone (--tz) */
	int64_t now;
};

struct report_entry {
	const char *name;	/* the command, the API path's last part */
	const char *usage;	/* the whole usage text, newline-terminated */
	unsigned opts;		/* RC_* */
	const char *sheet;	/* the xlsx sheet name; NULL for RC_LIST */
	/* Check the options against env (no database yet); may set a->pfrom/pto.
	 * NULL: nothing to check. */
	int (*check)(struct report_args *a, const struct report_env *env, struct bbt_error *e);
	struct report *(*build)(const struct report_env *env, const struct report_args *a,
	    struct bbt_error *e);
};

/* The report entries (report_cmds.c), and the one named name or NULL. */
extern const struct report_entry report_cmd_entries[];
extern const size_t report_cmd_nentries;
const struct report_entry *report_cmd_find(const char *name);

/* The RC_LIST entries' parts, beside their commands: the usage texts they
 * share with the command's other subcommands, and the build functions. */
extern const char cmd_token_usage[], cmd_device_usage[], cmd_timetable_usage[],
    cmd_admin_usage[];
struct report *cmd_sessions_build(const struct report_env *env, const struct report_args *a,
    struct bbt_error *e);
struct report *cmd_timetable_list_build(const struct report_env *env,
    const struct report_args *a, struct bbt_error *e);
struct report *cmd_token_list_build(const struct report_env *env, const struct report_args *a,
    struct bbt_error *e);
struct report *cmd_device_list_build(const struct report_env *env,
    const struct report_args *a, struct bbt_error *e);
struct report *cmd_admin_list_build(const struct report_env *env, const struct report_args *a,
    struct bbt_error *e);

/* Run re as `bbt-server NAME argv...` (argv[0] the command's last word);
 * returns the exit status. */
int report_cmd_run(const struct report_entry *re, struct server_ctx *ctx, int argc,
    char **argv);
/* Answer an API request with re's rows as JSON. */
void report_cmd_api(const struct report_entry *re, struct http_request *req,
    struct http_response *res);

#endif
