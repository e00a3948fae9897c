/*
 * ingest_raw: the SQLite limit of bench/server-ingest.sh (issue 12).
 *
 *   ingest_raw DB ROWS
 *
 * Inserts the rows of ROWS (JSON written by ingest_load.py: an array of
 * batches, each an array of rows in the order of COLS below) into DB's
 * sessions table, one transaction per batch, with the collector's own
 * settings (WAL, synchronous=FULL, foreign_keys=ON) and one prepared
 * statement: what a program that does nothing but store these rows can
 * reach, so the collector's ratio to it is an honest one. Written in C
 * because a Python inserter was itself slower than the collector.
 * The rows are parsed before the clock starts. Prints rows/s.
 * Bench-only: no product code links it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#define NCOLS 17
static const char sql_insert[] =
	"INSERT INTO sessions (\"id\", \"device_id\", \"school\", \"room\", \"start\", "
	"\"end\", \"utc_offset\", \"duration_s\", \"touches\", \"active_minutes\", "
	"\"teacher\", \"input_name\", \"input_vid\", \"input_pid\", \"flags\", "
	"\"received_at\", \"via\") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "ingest_raw: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(1);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		die(NULL, path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(NULL, path);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void bind_row(sqlite3 *db, sqlite3_stmt *st, const cJSON *row)
{
	int i = 1;
	const cJSON *v;

	cJSON_ArrayForEach(v, row) {
		int rc;

		if (cJSON_IsString(v))
			rc = sqlite3_bind_text(st, i, v->valuestring, -1, SQLITE_STATIC);
		else if (cJSON_IsNumber(v))
			rc = sqlite3_bind_int64(st, i, (sqlite3_int64)v->valuedouble);
		else
			rc = sqlite3_bind_null(st, i);
		if (rc != SQLITE_OK)
			die(db, "bind");
		i++;
	}
	if (i != NCOLS + 1)
		die(NULL, "a row without 17 columns");
}

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(db, sql);
}

int main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL, *q = NULL;
	cJSON *rows, *batch, *row;
	struct timespec t0, t1;
	long n = 0;
	double el;

	if (argc != 3) {
		fprintf(stderr, "usage: ingest_raw DB ROWS\n");
		return 2;
	}
	rows = cJSON_Parse(slurp(argv[2]));
	if (!cJSON_IsArray(rows))
		die(NULL, "ROWS is not a JSON array");
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		die(db, argv[1]);
	exec(db, "PRAGMA journal_mode=WAL");
	exec(db, "PRAGMA synchronous=FULL");
	exec(db, "PRAGMA foreign_keys=ON");
	if (sqlite3_prepare_v2(db, sql_insert, -1, &st, NULL) != SQLITE_OK)
		die(db, "prepare");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cJSON_ArrayForEach(batch, rows) {
		exec(db, "BEGIN");
		cJSON_ArrayForEach(row, batch) {
			bind_row(db, st, row);
			if (sqlite3_step(st) != SQLITE_DONE)
				die(db, "insert");
			sqlite3_reset(st);
			n++;
		}
		exec(db, "COMMIT");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sessions", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW || sqlite3_column_int64(q, 0) != n)
		die(db, "the rows are not all there");
	sqlite3_finalize(q);
	sqlite3_finalize(st);
	sqlite3_close(db);
	printf("%.0f\n", (double)n / el);
	return 0;
}
