/*
 * teachers: one row per teacher for a term or a year (CONTRACT 5.1 `teachers`,
 * the "具体数据" an award recommendation asks for), built from the points
 * engine's own weekly rows and verify's own lesson statuses, so its figures
 * are those of `points` and `verify` added up, never a second computation.
 *
 * The pure core (teachers_fold, teachers_live_match, teachers_sort) works on
 * arrays; teachers_report gathers them from storage.
 *
 * Definitions (docs/stats.md):
 *  - sessions, qualifying, credited, points: the sums over the teacher's
 *    weekly `points` rows of the period (same weeks, same sessions, same
 *    weekly cap); the unattributed sessions of a school are one row with
 *    teacher_id null, as in `points`.
 *  - teaching_hours: total duration of the qualifying sessions, tenths.
 *  - weeks_credited: weekly rows with at least one credited session.
 *  - live_delivered: lesson ends delivered (verify's rule) whose 主讲教师
 *    equals the timetable teacher_name of exactly one teacher_id of the
 *    delivering school. A name that no teacher of that school has, or that
 *    two teacher_ids share, counts for nobody (it is in `verify`, not here).
 *  - first, last: start of the teacher's first session and end of the last.
 * Rows are ordered by points (most first), then school, then teacher_id,
 * the unattributed of a school after its teachers.
 */
#ifndef SERVER_TEACHERS_H
#define SERVER_TEACHERS_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"
#include "points.h"
#include "report.h"
#include "timetable.h"

struct teachers_row {
	const char *school;
	const char *teacher_id;		/* NULL: the school's unattributed sessions */
	const char *teacher_name;
	int64_t sessions, qualifying, credited, points;
	int64_t qualifying_s;
	int64_t weeks_credited;
	int64_t live_delivered;
	int64_t first, last;		/* Unix seconds; 0 with no session */
};

/*
 * Fold the weekly points rows (points_rows over the evaluated sessions ss)
 * into one row per school and teacher: *out is malloc'd, strings point into
 * rows/ss and must outlive it.
 */
int teachers_fold(const struct points_row *rows, size_t nrows,
    const struct points_session *ss, struct teachers_row **out, size_t *nout,
    struct bbt_error *e);

/*
 * The teacher_id of the school whose timetable teacher_name is name, if
 * exactly one teacher_id has it: *id is set (pointing into slots) and 1 is
 * returned; 0 for no match, 2 when ambiguous (*id NULL for both).
 */
int teachers_live_match(const struct timetable_slot *slots, size_t nslots,
    const char *school, const char *name, const char **id);

/* Credit one delivered lesson of school/teacher_id to its row, adding the
 * row (no sessions) if the teacher has none yet. -1 if out of memory. */
int teachers_add_live(struct teachers_row **rows, size_t *n, const char *school,
    const char *teacher_id, const char *teacher_name);

/* Points descending, then school, teacher_id (unattributed last). */
void teachers_sort(struct teachers_row *rows, size_t n);

struct db;
/* The report for inclusive dates [from, to] in zone (both NULL: the current
 * ISO week), of one school (NULL = all). */
struct report *teachers_report(struct db *db, const struct points_rule *rule,
    const char *zone, const char *from, const char *to, int64_t now, const char *school,
    struct bbt_error *e);

#endif
