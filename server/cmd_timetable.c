/*
 * cmd_timetable: `bbt-server timetable import FILE.csv` (CONTRACT 5.4), and
 * `timetable list [--school CODE]`: the slots in force, as stored, so an
 * admin sees what the points report attributes against (read-only; a list
 * entry of the report table, report_cmds.c).
 *
 * The whole file is parsed and validated before the database is touched,
 * then stored in one transaction that replaces the timetable of every school
 * in the file: a bad row ("FILE:LINE: reason") or an unknown school stores
 * nothing at all.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "db.h"
#include "report.h"
#include "report_cmd.h"
#include "timetable.h"

const char cmd_timetable_usage[] = "usage: bbt-server timetable import FILE.csv\n"
    "  (a file whose name starts with '-': timetable import -- FILE.csv)\n"
    "       bbt-server timetable list [--school CODE] [--format table|csv|json]\n";

enum { L_SCHOOL, L_ROOM, L_WEEKDAY, L_START, L_END, L_TID, L_TNAME, L_SUBJECT, L_N };

static int slot_row(struct report *rep, const struct timetable_slot *t)
{
	char hm[2][8];
	int rc = 0;

	snprintf(hm[0], sizeof(hm[0]), "%02d:%02d", t->start_min / 60, t->start_min % 60);
	snprintf(hm[1], sizeof(hm[1]), "%02d:%02d", t->end_min / 60, t->end_min % 60);
	rc |= report_row(rep);
	rc |= report_str(rep, L_SCHOOL, t->school);
	rc |= report_str(rep, L_ROOM, t->room);
	rc |= report_int(rep, L_WEEKDAY, t->weekday);
	rc |= report_str(rep, L_START, hm[0]);
	rc |= report_str(rep, L_END, hm[1]);
	rc |= report_str(rep, L_TID, t->teacher_id);
	rc |= report_str(rep, L_TNAME, t->teacher_name);
	rc |= report_str(rep, L_SUBJECT, t->subject);
	return rc;
}

struct report *cmd_timetable_list_build(const struct report_env *env,
    const struct report_args *a, struct bbt_error *e)
{
	static const char *const cols[L_N] = { "school", "room", "weekday", "start", "end",
		"teacher_id", "teacher_name", "subject" };
	struct report *rep;
	struct timetable tt;
	int rc = -1;

	if (db_timetable_load(env->db, a->school, &tt, e) < 0)
		return NULL;
	rep = report_new(L_N, cols);
	if (rep == NULL || report_code_column(rep, L_SCHOOL) < 0 ||
	    report_code_column(rep, L_TID) < 0)
		goto out;
	for (size_t i = 0; i < tt.n; i++)
		if (slot_row(rep, &tt.slots[i]) != 0)
			goto out;
	rc = 0;
out:
	timetable_free(&tt);
	if (rc == 0)
		return rep;
	report_free(rep);
	bbt_error_set(e, "out of memory");
	return NULL;
}

static int import(struct server_ctx *ctx, const char *path)
{
	struct timetable tt;
	struct bbt_error e;
	struct db *db = NULL;
	const char **schools = NULL;
	size_t nschools;
	int rc = 1;

	if (timetable_parse_file(path, &tt, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		return 1;
	}
	if (tt.n == 0) {
		fprintf(stderr, "bbt-server: %s: no timetable rows (nothing stored)\n", path);
		goto out;
	}
	if (cmd_db_open(ctx, &db, &e) < 0 || db_timetable_replace(db, &tt, &e) < 0) {
		fprintf(stderr, "bbt-server: %s: %s (nothing stored)\n", path, bbt_error_msg(&e));
		goto out;
	}
	nschools = timetable_schools(&tt, &schools);
	printf("timetable: %zu slots stored, replacing the timetable of", tt.n);
	for (size_t i = 0; i < nschools; i++)
		printf(" %s", schools[i]);
	printf("\n");
	rc = 0;
out:
	free(schools);
	cmd_db_close(db);
	timetable_free(&tt);
	return rc;
}

static int usage(FILE *f)
{
	return cmd_usage(f, cmd_timetable_usage);
}

int cmd_timetable(struct server_ctx *ctx, int argc, char **argv)
{
	/* Options may come before or after "import"; getopt moves them first. */
	int rc = cmd_help_opts(argc, argv, usage);

	if (rc >= 0)
		return rc;
	if (optind < argc && strcmp(argv[optind], "import") != 0)
		fprintf(stderr, "bbt-server timetable: unknown subcommand '%s'\n", argv[optind]);
	if (argc - optind != 2 || strcmp(argv[optind], "import") != 0)
		return usage(stderr);
	return import(ctx, argv[optind + 1]);
}
