/*
 * hb_flush DB N: the time of one heartbeat flush of N devices on a quiet
 * collector's database, the way server/heartbeat.c writes it
 * (db_devices_heartbeat: one batch; on PostgreSQL one statement) beside
 * the way it wrote it before (db_device_heartbeat and
 * db_device_interval_set for each device, in one transaction: on
 * PostgreSQL two round trips a device). bench/heartbeat.sh runs it after
 * the load, on the same database; the heartbeat bench's own flush figure
 * is taken under full load, where both cores are busy serving requests.
 * It enrolls N devices of a school of its own. Figures only: the median
 * of five flushes each way, alternated so drift in the machine's load
 * falls on both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bbt_time.h"
#include "db.h"

#define ROUNDS 5

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Enroll n devices of school code; their ids into ids[i] (64 bytes each). */
static int enroll_all(struct db *db, const char *code, int n, char (*ids)[64],
    struct bbt_error *e)
{
	struct db_device d;
	int how;

	if (db_begin(db, e) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		memset(&d, 0, sizeof(d));
		snprintf(d.device_id, sizeof(d.device_id), "%s-d%d", code, i);
		snprintf(d.hw_id, sizeof(d.hw_id), "%s-h%d", code, i);
		snprintf(d.school, sizeof(d.school), "%s", code);
		snprintf(d.room, sizeof(d.room), "r%d", i);
		snprintf(d.hostname, sizeof(d.hostname), "h%d", i);
		snprintf(d.agent_version, sizeof(d.agent_version), "bench");
		snprintf(d.public_key, sizeof(d.public_key), "k%d", i);
		snprintf(d.token_hash, sizeof(d.token_hash), "%.8s%056d", code + 1, i);
		d.enrolled_at = (bbt_clock_realtime_us() / 1000000);
		if (db_device_enroll(db, &d, &how, e) < 0) {
			db_rollback(db);
			return -1;
		}
		snprintf(ids[i], 64, "%s", d.device_id);
	}
	return db_commit(db, e);
}

/* One flush the old way: two statements a device, one transaction. */
static int flush_each(struct db *db, const struct db_heartbeat *hb, int n,
    struct bbt_error *e)
{
	if (db_begin(db, e) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (db_device_heartbeat(db, hb[i].device_id, hb[i].now, hb[i].clock_offset_s,
		    hb[i].agent_version, hb[i].buffer_depth, hb[i].devices_json, e) < 0 ||
		    db_device_interval_set(db, hb[i].device_id, hb[i].interval_s, e) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_commit(db, e);
}

static int run(struct db *db, int n, struct bbt_error *e)
{
	char code[32], (*ids)[64] = calloc((size_t)n, 64);
	struct db_heartbeat *hb = calloc((size_t)n, sizeof(*hb));
	struct db_school s = { 0 };
	double each[ROUNDS], batch[ROUNDS];
	int64_t t0, now = (bbt_clock_realtime_us() / 1000000);
	int rc = -1;

	if (!ids || !hb) {
		bbt_error_set(e, "out of memory");
		goto out;
	}
	snprintf(code, sizeof(code), "9%08lld", (long long)(now % 100000000));
	snprintf(s.code, sizeof(s.code), "%s", code);
	snprintf(s.name, sizeof(s.name), "flush bench");
	if (db_school_add(db, &s, e) < 0 || enroll_all(db, code, n, ids, e) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		hb[i] = (struct db_heartbeat){ ids[i], now, -2, 0, 300, "bench",
		    "[{\"name\":\"IRTOUCH\",\"vid\":\"6615\",\"pid\":\"0070\"}]" };
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < n; i++)
			hb[i].now++;
		t0 = bbt_clock_monotonic_us();
		if (flush_each(db, hb, n, e) < 0)
			goto out;
		each[r] = (double)(bbt_clock_monotonic_us() - t0) / 1000;
		for (int i = 0; i < n; i++)
			hb[i].now++;
		t0 = bbt_clock_monotonic_us();
		if (db_devices_heartbeat(db, hb, (size_t)n, e) < 0)
			goto out;
		batch[r] = (double)(bbt_clock_monotonic_us() - t0) / 1000;
	}
	qsort(each, ROUNDS, sizeof(double), cmp_double);
	qsort(batch, ROUNDS, sizeof(double), cmp_double);
	printf("one flush of %d heartbeats, quiet: %.1f ms as one batch, %.1f ms as "
	    "statements per device (before; median of %d, batch %.2f of it)\n", n,
	    batch[ROUNDS / 2], each[ROUNDS / 2], ROUNDS,
	    each[ROUNDS / 2] > 0 ? batch[ROUNDS / 2] / each[ROUNDS / 2] : 0);
	rc = 0;
out:
	free(ids);
	free(hb);
	return rc;
}

int main(int argc, char **argv)
{
	struct db *db;
	struct bbt_error e;
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc != 3 || n <= 0 || n > 200000) {
		fprintf(stderr, "usage: hb_flush DB N (1 <= N <= 200000)\n");
		return 2;
	}
	if (db_open(argv[1], &db, &e) < 0) {
		fprintf(stderr, "hb_flush: %s\n", bbt_error_msg(&e));
		return 1;
	}
	if (run(db, n, &e) < 0) {
		fprintf(stderr, "hb_flush: %s\n", bbt_error_msg(&e));
		db_close(db);
		return 1;
	}
	db_close(db);
	return 0;
}
