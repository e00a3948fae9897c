/*
 * db_points: the part of db_points.h that is the same on every backend.
 * db_timetable_replace checks every school of the file first (storing
 * nothing if one is unknown), then, in one transaction, clears each school's
 * slots and adds the file's through the backend's db_timetable_clear and
 * db_timetable_add (DB_TIMETABLE_BATCH slots a call), so a reader never
 * sees half of a file and a failed import leaves the old timetable as it
 * was.
 */
#include <stdlib.h>

#include "db.h"
#include "timetable.h"

static int check_schools(struct db *db, const char **schools, size_t n, struct bbt_error *e)
{
	struct db_school s;
	int found;

	for (size_t i = 0; i < n; i++) {
		if (db_school_get(db, schools[i], &s, &found, e) < 0)
			return -1;
		if (!found)
			return bbt_error_set(e, "unknown school %s (add it first: bbt-server school "
			    "add CODE NAME)", schools[i]);
	}
	return 0;
}

int db_timetable_replace(struct db *db, const struct timetable *tt, struct bbt_error *e)
{
	const char **schools = NULL;
	size_t n = timetable_schools(tt, &schools);
	int rc = -1;

	if (schools == NULL)
		return bbt_error_set(e, "out of memory");
	if (check_schools(db, schools, n, e) < 0 || db_begin(db, e) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (db_timetable_clear(db, schools[i], e) < 0)
			goto fail;
	}
	for (size_t i = 0; i < tt->n; i += DB_TIMETABLE_BATCH) {
		size_t k = tt->n - i < DB_TIMETABLE_BATCH ? tt->n - i : DB_TIMETABLE_BATCH;

		if (db_timetable_add(db, &tt->slots[i], k, e) < 0)
			goto fail;
	}
	rc = db_commit(db, e);
	goto out;
fail:
	db_rollback(db);
out:
	free(schools);
	return rc;
}
