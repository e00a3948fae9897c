/*
 * Unit tests of agent/store.c on real SQLite files in a fresh temp dir:
 * schema and migration, file modes, the outbox, checkpoints and recovery,
 * a corrupt file moved aside, a full disk, pruning, and the heal races
 * between two processes and between threads of one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifndef _WIN32
#include <sys/wait.h>
#endif
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

struct fx {
	char dir[256];
	char state[300];
};

static int rm_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/bbt-store-test.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	/* A dir that does not exist yet, two levels down: store_open makes it. */
	snprintf(f->state, sizeof(f->state), "%s/var/state", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	rm_tree(f->dir);
	free(f);
	return 0;
}

static struct bbt_session mk(int i, int64_t start, int64_t dur)
{
	struct bbt_session s;

	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "00000000-0000-4000-8000-%012d", i);
	s.start = start;
	s.end = start + dur;
	s.duration_s = dur;
	s.utc_offset = 8 * 3600;
	s.touches = 10 + i;
	s.active_minutes = (int)(dur / 60);
	snprintf(s.input.name, sizeof(s.input.name), "IRTOUCH Infrared Touch");
	snprintf(s.input.vid, sizeof(s.input.vid), "6615");
	snprintf(s.input.pid, sizeof(s.input.pid), "0070");
	snprintf(s.boot_id, sizeof(s.boot_id), "11111111-2222-4333-8444-555555555555");
	s.boot_start_us = 1000000LL * (100 + i);
	s.boot_end_us = s.boot_start_us + dur * 1000000LL;
	return s;
}

static struct store *open_ok(const char *dir)
{
	struct store *st = NULL;
	struct bbt_error e = { "" };

	if (store_open(&st, dir, &e) < 0)
		fail_msg("store_open: %s", e.msg);
	return st;
}

static int user_version(struct store *st)
{
	sqlite3_stmt *q;
	int v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "PRAGMA user_version",
	    -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

static void sql(struct store *st, const char *text)
{
	char *err = NULL;

	if (sqlite3_exec(store_sqlite(st), text, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", text, err);
}

static mode_t mode_of(const char *dir, const char *name)
{
	char p[512];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (stat(p, &sb) < 0)
		fail_msg("stat %s failed", p);
	return sb.st_mode & 0777;
}

static int64_t outbox(struct store *st)
{
	int64_t n = -1;

	assert_int_equal(store_outbox_count(st, &n, NULL), 0);
	return n;
}

static void test_fresh_schema_and_modes(void **state)
{
	struct fx *f = *state;
	struct bbt_session s = mk(1, 1795000000, 1000);
	struct store *st;
	mode_t old = umask(0);	/* the store must not rely on the caller's umask */

	st = open_ok(f->state);
	umask(old);
	assert_int_equal(user_version(st), 2);
	assert_int_equal(store_session_add(st, &s, NULL), 0);
	assert_int_equal(mode_of(f->state, ""), 0700);
	assert_int_equal(mode_of(f->state, STORE_DB_NAME), 0600);
	/* WAL mode: the -wal and -shm files exist while a connection is open. */
	assert_int_equal(mode_of(f->state, STORE_DB_NAME "-wal"), 0600);
	assert_int_equal(mode_of(f->state, STORE_DB_NAME "-shm"), 0600);
	store_close(st);

	/* Reopening is idempotent: same version, nothing lost. */
	st = open_ok(f->state);
	assert_int_equal(user_version(st), 2);
	assert_int_equal(outbox(st), 1);
	store_close(st);
}

static void test_empty_file_migrates(void **state)
{
	struct fx *f = *state;
	char p[512];
	struct store *st;
	int fd;

	mkdir(f->dir, 0700);
	snprintf(p, sizeof(p), "%s/" STORE_DB_NAME, f->dir);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	st = open_ok(f->dir);
	assert_int_equal(user_version(st), 2);
	assert_int_equal(outbox(st), 0);
	/* An existing looser file is tightened. */
	assert_int_equal(mode_of(f->dir, STORE_DB_NAME), 0600);
	store_close(st);
}

static void test_newer_schema_refused(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_error e = { "" };
	DIR *d;
	struct dirent *de;

	sql(st, "PRAGMA user_version = 99");
	store_close(st);
	assert_int_equal(store_open(&st, f->state, &e), -1);
	assert_non_null(strstr(e.msg, "99"));
	/* Not corrupt: it must stay where it is. */
	d = opendir(f->state);
	while ((de = readdir(d)) != NULL)
		assert_null(strstr(de->d_name, "corrupt"));
	closedir(d);
	assert_int_equal(mode_of(f->state, STORE_DB_NAME), 0600);
}

static void assert_same(const struct bbt_session *a, const struct bbt_session *b)
{
	assert_string_equal(a->id, b->id);
	assert_int_equal(a->start, b->start);
	assert_int_equal(a->end, b->end);
	assert_int_equal(a->utc_offset, b->utc_offset);
	assert_int_equal(a->duration_s, b->end - b->start);
	assert_int_equal(a->touches, b->touches);
	assert_int_equal(a->active_minutes, b->active_minutes);
	assert_string_equal(a->teacher, b->teacher);
	assert_string_equal(a->input.name, b->input.name);
	assert_string_equal(a->input.vid, b->input.vid);
	assert_string_equal(a->input.pid, b->input.pid);
	assert_int_equal(a->flags, b->flags);
	assert_string_equal(a->boot_id, b->boot_id);
	assert_int_equal(a->boot_start_us, b->boot_start_us);
	assert_int_equal(a->boot_end_us, b->boot_end_us);
}

static void test_outbox(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_session in[3], out[8];
	const char *ack[] = { in[1].id, "ffffffff-0000-4000-8000-000000000000" };
	size_t n = 99;

	in[0] = mk(1, 1795000000, 1000);
	in[1] = mk(2, 1795010000, 2000);
	in[2] = mk(3, 1795005000, 1500);
	in[2].flags = BBT_FLAG_STUCK_CONTACT;
	snprintf(in[2].teacher, sizeof(in[2].teacher), "张老师");
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_session_add(st, &in[i], NULL), 0);
	assert_int_equal(outbox(st), 3);
	/* The same id twice is refused, the first copy kept. */
	assert_int_equal(store_session_add(st, &in[0], NULL), -1);
	assert_int_equal(outbox(st), 3);

	/* Oldest logged first, every field intact, at most max. */
	assert_int_equal(store_outbox_list(st, out, 8, &n, NULL), 0);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++)
		assert_same(&out[i], &in[i]);
	assert_int_equal(store_outbox_list(st, out, 2, &n, NULL), 0);
	assert_int_equal(n, 2);

	/* Ack one known id and one unknown: the unknown is ignored. */
	ack[0] = in[1].id;
	assert_int_equal(store_outbox_ack(st, ack, 2, NULL), 0);
	assert_int_equal(outbox(st), 2);
	assert_int_equal(store_outbox_list(st, out, 8, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].id, in[0].id);
	assert_string_equal(out[1].id, in[2].id);
	/* Acked sessions are kept for `sessions`. */
	{
		int64_t total = 0;

		assert_int_equal(store_session_count(st, &total, NULL), 0);
		assert_int_equal(total, 3);
	}
	/* Acking again changes nothing. */
	assert_int_equal(store_outbox_ack(st, ack, 1, NULL), 0);
	assert_int_equal(outbox(st), 2);
	store_close(st);
}

struct seen {
	char ids[8][BBT_UUID_LEN];
	int acked[8];
	int n;
};

static int collect(const struct bbt_session *s, int acked, void *arg)
{
	struct seen *w = arg;

	snprintf(w->ids[w->n], BBT_UUID_LEN, "%s", s->id);
	w->acked[w->n++] = acked;
	return 0;
}

static int stop_at_first(const struct bbt_session *s, int acked, void *arg)
{
	(*(int *)arg)++;
	return 7;
}

static void test_sessions_each(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_session a = mk(1, 1795000000, 1000), b = mk(2, 1795020000, 1000),
	    c = mk(3, 1795010000, 1000);
	const char *ack[] = { c.id };
	struct seen w = { .n = 0 };
	int calls = 0;

	store_session_add(st, &a, NULL);
	store_session_add(st, &b, NULL);
	store_session_add(st, &c, NULL);
	store_outbox_ack(st, ack, 1, NULL);
	/* By start time, since inclusive. */
	assert_int_equal(store_sessions_each(st, 1795010000, collect, &w, NULL), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.ids[0], c.id);
	assert_int_equal(w.acked[0], 1);
	assert_string_equal(w.ids[1], b.id);
	assert_int_equal(w.acked[1], 0);
	assert_int_equal(store_sessions_each(st, 0, stop_at_first, &calls, NULL), 7);
	assert_int_equal(calls, 1);
	store_close(st);
}

static void test_update_times(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_session s = mk(1, 1000, 1200), out;
	struct bbt_error e = { "" };
	size_t n;

	store_session_add(st, &s, NULL);
	s.start = 1795000000;
	s.end = s.start + 1200;
	s.flags |= BBT_FLAG_CLOCK_ADJUSTED;
	assert_int_equal(store_session_update_times(st, &s, NULL), 0);
	assert_int_equal(store_outbox_list(st, &out, 1, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_same(&out, &s);
	s = mk(9, 1, 1);
	assert_int_equal(store_session_update_times(st, &s, &e), -1);
	store_close(st);
}

static void test_checkpoint_and_add_clears(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_session open = mk(1, 1795000000, 300), out, other = mk(2, 1, 1000);

	assert_int_equal(store_checkpoint_load(st, &out, NULL), 0);
	assert_int_equal(store_checkpoint_save(st, &open, NULL), 0);
	open.end += 60;
	open.touches += 5;
	assert_int_equal(store_checkpoint_save(st, &open, NULL), 0);
	assert_int_equal(store_checkpoint_load(st, &out, NULL), 1);
	assert_same(&out, &open);
	/* A different session's add leaves the checkpoint alone. */
	assert_int_equal(store_session_add(st, &other, NULL), 0);
	assert_int_equal(store_checkpoint_load(st, &out, NULL), 1);
	/* The checkpointed session's own add clears it. */
	open.end += 600;
	assert_int_equal(store_session_add(st, &open, NULL), 0);
	assert_int_equal(store_checkpoint_load(st, &out, NULL), 0);
	assert_int_equal(outbox(st), 2);
	/* Explicit clear. */
	store_checkpoint_save(st, &other, NULL);
	assert_int_equal(store_checkpoint_clear(st, NULL), 0);
	assert_int_equal(store_checkpoint_load(st, &out, NULL), 0);
	store_close(st);
}

static void test_recover_boundary(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_session cp = mk(1, 1795000000, 900), out, listed;
	size_t n;

	/* No checkpoint: nothing to do. */
	assert_int_equal(store_recover(st, 900, &out, NULL), 0);

	/* Exactly min_session: logged, flagged, ending at the checkpoint's end. */
	cp.flags = BBT_FLAG_STUCK_CONTACT;
	store_checkpoint_save(st, &cp, NULL);
	store_close(st);	/* the "crash" */
	st = open_ok(f->state);
	assert_int_equal(store_recover(st, 900, &out, NULL), 1);
	assert_int_equal(out.flags, BBT_FLAG_STUCK_CONTACT | BBT_FLAG_RECOVERED);
	assert_int_equal(out.end, cp.end);
	assert_int_equal(out.duration_s, 900);
	assert_int_equal(store_checkpoint_load(st, &listed, NULL), 0);
	assert_int_equal(store_outbox_list(st, &listed, 1, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_same(&listed, &out);
	/* Running recovery again logs nothing more. */
	assert_int_equal(store_recover(st, 900, &out, NULL), 0);
	assert_int_equal(outbox(st), 1);

	/* One second short: not logged, checkpoint still cleared. */
	cp = mk(2, 1795100000, 899);
	store_checkpoint_save(st, &cp, NULL);
	assert_int_equal(store_recover(st, 900, &out, NULL), 0);
	assert_int_equal(store_checkpoint_load(st, &listed, NULL), 0);
	assert_int_equal(outbox(st), 1);
	store_close(st);
}

static void test_meta(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	char v[8];

	assert_int_equal(store_meta_get(st, "device_id", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(store_meta_set(st, "device_id", "abcdefghijk", NULL), 0);
	assert_int_equal(store_meta_get(st, "device_id", v, sizeof(v)), 1);
	assert_string_equal(v, "abcdefg");	/* truncated to the buffer */
	assert_int_equal(store_meta_set(st, "last_sync_error", "", NULL), 0);
	assert_int_equal(store_meta_get(st, "last_sync_error", v, sizeof(v)), 1);
	assert_string_equal(v, "");
	assert_int_equal(store_meta_delete(st, "device_id", NULL), 0);
	assert_int_equal(store_meta_get(st, "device_id", v, sizeof(v)), 0);
	store_close(st);
	/* Persisted across opens. */
	st = open_ok(f->state);
	assert_int_equal(store_meta_get(st, "last_sync_error", v, sizeof(v)), 1);
	store_close(st);
}

static int read_file(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return -1;
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return (int)n;
}

static void test_corrupt_moved_aside(void **state)
{
	struct fx *f = *state;
	static const char junk[] = "this is not an SQLite database, just junk\n";
	char p[512], log[512], buf[4096], aside[512] = "";
	struct store *st;
	struct dirent *de;
	DIR *d;
	FILE *fp;
	int saved, fd, nfound = 0;

	mkdir(f->dir, 0700);
	snprintf(p, sizeof(p), "%s/" STORE_DB_NAME, f->dir);
	fp = fopen(p, "w");
	for (int i = 0; i < 200; i++)
		fputs(junk, fp);
	fclose(fp);
	snprintf(p, sizeof(p), "%s/" STORE_DB_NAME "-wal", f->dir);
	fp = fopen(p, "w");
	fputs("stale wal", fp);
	fclose(fp);

	/* Capture the log line. */
	snprintf(log, sizeof(log), "%s/log", f->dir);
	fflush(stderr);
	saved = dup(2);
	fd = open(log, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	st = open_ok(f->dir);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	/* A new, working, empty buffer. */
	assert_int_equal(outbox(st), 0);
	assert_int_equal(user_version(st), 2);
	{
		struct bbt_session s = mk(1, 1795000000, 1000);

		assert_int_equal(store_session_add(st, &s, NULL), 0);
	}
	store_close(st);

	/* The old file kept, unchanged, beside it (with its -wal). */
	d = opendir(f->dir);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, STORE_DB_NAME ".corrupt-", 18) != 0)
			continue;
		if (strstr(de->d_name, "-wal") != NULL) {
			nfound += 10;
			continue;
		}
		nfound++;
		snprintf(aside, sizeof(aside), "%s/%s", f->dir, de->d_name);
	}
	closedir(d);
	assert_int_equal(nfound, 11);
	assert_true(read_file(aside, buf, sizeof(buf)) > 0);
	assert_memory_equal(buf, junk, sizeof(junk) - 1);

	/* One error line naming both paths. */
	assert_true(read_file(log, buf, sizeof(buf)) > 0);
	snprintf(p, sizeof(p), "%s/" STORE_DB_NAME, f->dir);
	assert_non_null(strstr(buf, "error"));
	assert_non_null(strstr(buf, p));
	assert_non_null(strstr(buf, aside));
	{
		int lines = 0;

		for (char *c = buf; *c; c++)
			lines += *c == '\n';
		assert_int_equal(lines, 1);
	}
}

/* A real database with a damaged page: quick_check finds it. */
static void test_damaged_pages_moved_aside(void **state)
{
	struct fx *f = *state;
	char p[512], junk[4096];
	struct store *st = open_ok(f->dir);
	struct bbt_session s;
	struct dirent *de;
	DIR *d;
	FILE *fp;
	int found = 0;

	for (int i = 0; i < 50; i++) {
		s = mk(i, 1795000000 + i, 1000);
		store_session_add(st, &s, NULL);
	}
	sql(st, "PRAGMA wal_checkpoint(TRUNCATE)");
	store_close(st);
	snprintf(p, sizeof(p), "%s/" STORE_DB_NAME, f->dir);
	memset(junk, 0x5a, sizeof(junk));
	fp = fopen(p, "r+");
	fseek(fp, 4096, SEEK_SET);	/* page 2 onwards; the header stays valid */
	fwrite(junk, 1, sizeof(junk), fp);
	fwrite(junk, 1, sizeof(junk), fp);
	fclose(fp);

	st = open_ok(f->dir);
	assert_int_equal(outbox(st), 0);
	store_close(st);
	d = opendir(f->dir);
	while ((de = readdir(d)) != NULL)
		found += strncmp(de->d_name, STORE_DB_NAME ".corrupt-", 18) == 0 &&
		    strstr(de->d_name, "wal") == NULL && strstr(de->d_name, "shm") == NULL;
	closedir(d);
	assert_int_equal(found, 1);
}

static void test_disk_full(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_error e = { "" };
	struct bbt_session s;
	char q[96];
	int i, rc = 0;
	sqlite3_stmt *pc;
	int pages = 0;

	for (i = 0; i < 5; i++) {
		s = mk(i, 1795000000 + i * 3600, 1000);
		assert_int_equal(store_session_add(st, &s, NULL), 0);
	}
	/* Simulate a full disk: no page beyond what the file has now. */
	sqlite3_prepare_v2(store_sqlite(st), "PRAGMA page_count", -1, &pc, NULL);
	assert_int_equal(sqlite3_step(pc), SQLITE_ROW);
	pages = sqlite3_column_int(pc, 0);
	sqlite3_finalize(pc);
	snprintf(q, sizeof(q), "PRAGMA max_page_count = %d", pages);
	sql(st, q);
	for (i = 5; i < 2000 && rc == 0; i++) {
		s = mk(i, 1795000000 + i * 3600, 1000);
		memset(s.teacher, 'x', sizeof(s.teacher) - 1);
		s.teacher[sizeof(s.teacher) - 1] = '\0';
		rc = store_session_add(st, &s, &e);
	}
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "full"));
	/* Nothing committed before is lost; the failed one is not half there. */
	{
		int64_t total = 0;

		assert_int_equal(store_session_count(st, &total, NULL), 0);
		assert_int_equal(total, i - 1);
		assert_int_equal(outbox(st), i - 1);
	}
	store_close(st);

	/* Space comes back (a new connection has no limit): adds work again. */
	st = open_ok(f->state);
	assert_int_equal(outbox(st), i - 1);
	assert_int_equal(store_session_add(st, &s, NULL), 0);
	assert_int_equal(outbox(st), i);
	store_close(st);
}

static void test_prune_old_acked(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_session a = mk(1, 1000000, 1000), b = mk(2, 1000000, 1000),
	    c = mk(3, 1795000000, 1000);
	const char *ack[] = { a.id, c.id };
	int64_t total = 0;

	store_session_add(st, &a, NULL);
	store_session_add(st, &b, NULL);
	store_session_add(st, &c, NULL);
	store_outbox_ack(st, ack, 2, NULL);
	/* a: acked 181 days ago; b: never acked (kept whatever its age). */
	sql(st, "UPDATE sessions SET acked_at = strftime('%s','now') - 181*86400"
	    " WHERE id LIKE '%000000000001'");
	sql(st, "UPDATE sessions SET logged_at = 1000 WHERE id LIKE '%000000000002'");
	store_close(st);
	st = open_ok(f->state);
	assert_int_equal(store_session_count(st, &total, NULL), 0);
	assert_int_equal(total, 2);
	assert_int_equal(outbox(st), 1);
	store_close(st);
}

static void test_two_connections(void **state)
{
	struct fx *f = *state;
	struct store *a = open_ok(f->state), *b = open_ok(f->state);
	struct bbt_session s = mk(1, 1795000000, 1000);
	const char *ack[] = { s.id };

	assert_int_equal(store_session_add(a, &s, NULL), 0);
	assert_int_equal(outbox(b), 1);
	assert_int_equal(store_outbox_ack(b, ack, 1, NULL), 0);
	assert_int_equal(outbox(a), 0);
	store_close(a);
	store_close(b);
}

struct writer {
	const char *dir;
	int base, n, failures;
};

/* A second thread with its own connection, as the sync thread has. */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct store *st = NULL;
	struct bbt_error e;

	if (store_open(&st, w->dir, &e) < 0) {
		w->failures = w->n;
		return NULL;
	}
	for (int i = 0; i < w->n; i++) {
		struct bbt_session s = mk(w->base + i, 1795000000 + w->base + i, 1000);
		const char *ids[] = { s.id };
		char v[16];

		snprintf(v, sizeof(v), "%d", i);
		if (store_session_add(st, &s, &e) < 0 ||
		    store_meta_set(st, "counter", v, &e) < 0 ||
		    (i % 2 && store_outbox_ack(st, ids, 1, &e) < 0))
			w->failures++;
	}
	store_close(st);
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	struct fx *f = *state;
	struct writer w[2] = { { f->state, 0, 100, 0 }, { f->state, 1000, 100, 0 } };
	pthread_t t[2];
	struct store *st;
	int64_t total = 0;

	store_close(open_ok(f->state));	/* schema first: both then only write */
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].failures, 0);
	assert_int_equal(w[1].failures, 0);
	st = open_ok(f->state);
	assert_int_equal(store_session_count(st, &total, NULL), 0);
	assert_int_equal(total, 200);
	assert_int_equal(outbox(st), 100);
	store_close(st);
}

static void test_open_existing(void **state)
{
	struct fx *f = *state;
	struct store *st = (struct store *)1;

	assert_int_equal(store_open_existing(&st, f->state, NULL), 0);
	assert_null(st);
	assert_int_equal(access(f->state, F_OK), -1);	/* nothing created */
	store_close(open_ok(f->state));
	assert_int_equal(store_open_existing(&st, f->state, NULL), 0);
	assert_non_null(st);
	store_close(st);
}

/* ---- quarantine (schema v2) ---- */

struct rej_seen {
	int n;
	char id[4][BBT_UUID_LEN];
	struct store_rejection r[4];
};

static int collect_rejected(const struct bbt_session *s, const struct store_rejection *r,
    void *arg)
{
	struct rej_seen *w = arg;

	if (w->n < 4) {
		snprintf(w->id[w->n], sizeof(w->id[0]), "%s", s->id);
		w->r[w->n] = *r;
	}
	w->n++;
	return 0;
}

static int64_t quarantined(struct store *st)
{
	int64_t n = -1;

	assert_int_equal(store_quarantine_count(st, &n, NULL), 0);
	return n;
}

static int state_of(struct store *st, const char *id)
{
	struct seen w = { .n = 0 };

	assert_int_equal(store_sessions_each(st, INT64_MIN, collect, &w, NULL), 0);
	for (int i = 0; i < w.n; i++)
		if (strcmp(w.ids[i], id) == 0)
			return w.acked[i];
	return -1;
}

static void test_quarantine(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_session a = mk(1, 1795000000, 1000), b = mk(2, 1795020000, 1000),
	    c = mk(3, 1795010000, 1000);
	struct store_outcome first[] = {
		{ a.id, 0, NULL }, { b.id, 1, "lasts 90000 s, over 24 h" },
		{ "00000000-0000-4000-8000-999999999999", 1, "never sent" },
	};
	struct store_outcome again[] = { { b.id, 1, "still over 24 h" } };
	struct store_outcome taken[] = { { b.id, 0, NULL } };
	struct rej_seen w = { 0 };
	int64_t n = -1;

	store_session_add(st, &a, NULL);
	store_session_add(st, &b, NULL);
	store_session_add(st, &c, NULL);
	assert_int_equal(store_outbox_settle(st, first, 3, NULL), 0);
	/* a acknowledged, b quarantined, c still waiting; the unknown id is ignored. */
	assert_int_equal(outbox(st), 1);
	assert_int_equal(quarantined(st), 1);
	assert_int_equal(state_of(st, a.id), STORE_ACKED);
	assert_int_equal(state_of(st, b.id), STORE_REJECTED);
	assert_int_equal(state_of(st, c.id), STORE_OUTBOX);
	assert_int_equal(store_quarantine_each(st, collect_rejected, &w, NULL), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.id[0], b.id);
	assert_string_equal(w.r[0].error, "lasts 90000 s, over 24 h");
	assert_int_equal(w.r[0].count, 1);
	assert_int_equal(w.r[0].reoffered, 0);
	assert_true(w.r[0].first_at > 0 && w.r[0].first_at == w.r[0].last_at);
	/* Rejected just now: not yet due for the daemon's daily offer. */
	assert_int_equal(store_quarantine_reoffer(st, (int64_t)time(NULL) - 86400, &n,
	    NULL), 0);
	assert_int_equal(n, 0);
	assert_int_equal(outbox(st), 1);
	/* `sync` offers all: back in the outbox, still in the quarantine. */
	assert_int_equal(store_quarantine_reoffer(st, INT64_MAX, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(outbox(st), 2);
	assert_int_equal(quarantined(st), 1);
	assert_int_equal(state_of(st, b.id), STORE_REJECTED);
	/* Rejected again: new reason, counted, first time kept. */
	assert_int_equal(store_outbox_settle(st, again, 1, NULL), 0);
	assert_int_equal(outbox(st), 1);
	w.n = 0;
	assert_int_equal(store_quarantine_each(st, collect_rejected, &w, NULL), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.r[0].error, "still over 24 h");
	assert_int_equal(w.r[0].count, 2);
	/* Accepted on a later offer: leaves the quarantine, acknowledged. */
	assert_int_equal(store_quarantine_reoffer(st, INT64_MAX, &n, NULL), 0);
	assert_int_equal(store_outbox_settle(st, taken, 1, NULL), 0);
	assert_int_equal(quarantined(st), 0);
	assert_int_equal(state_of(st, b.id), STORE_ACKED);
	assert_int_equal(outbox(st), 1);
	store_close(st);
}

/* A quarantined session is never pruned, however old its acknowledgement. */
static void test_quarantine_never_pruned(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_session a = mk(1, 1795000000, 1000), b = mk(2, 1795020000, 1000),
	    c = mk(3, 1795030000, 1000);
	struct store_outcome o[] = { { a.id, 0, NULL }, { b.id, 1, "future" },
	    { c.id, 0, NULL } };
	int64_t n = -1;

	store_session_add(st, &a, NULL);
	store_session_add(st, &b, NULL);
	store_session_add(st, &c, NULL);
	assert_int_equal(store_outbox_settle(st, o, 3, NULL), 0);
	/* c, acked now, is the newest ack that ages a and b (store.c prune). */
	sql(st, "UPDATE sessions SET acked_at = 1000"
	    " WHERE id <> '00000000-0000-4000-8000-000000000003'");
	sql(st, "UPDATE quarantine SET rejected_at = 1000, first_rejected_at = 1000");
	store_close(st);
	st = open_ok(f->state);
	assert_int_equal(store_session_count(st, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(state_of(st, a.id), -1);
	assert_int_equal(state_of(st, b.id), STORE_REJECTED);
	assert_int_equal(quarantined(st), 1);
	/* Last rejected long ago: due for the daemon's offer. */
	assert_int_equal(store_quarantine_reoffer(st, (int64_t)time(NULL) - 86400, &n,
	    NULL), 0);
	assert_int_equal(n, 1);
	store_close(st);
}

/* A v1 buffer (before the quarantine) migrates with nothing lost. */
static void test_migrate_v1_to_v2(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->state);
	struct bbt_session a = mk(1, 1795000000, 1000);
	struct store_outcome o[] = { { a.id, 1, "future" } };

	store_session_add(st, &a, NULL);
	sql(st, "DROP TABLE quarantine; PRAGMA user_version = 1");
	store_close(st);
	st = open_ok(f->state);
	assert_int_equal(user_version(st), 2);
	assert_int_equal(outbox(st), 1);
	assert_int_equal(store_outbox_settle(st, o, 1, NULL), 0);
	assert_int_equal(quarantined(st), 1);
	store_close(st);
}

/* Page number of the nth page of table or index `name` (dbstat). */
static int page_of(struct store *st, const char *name, int nth)
{
	char q[256];
	sqlite3_stmt *s;
	int pg = -1;

	snprintf(q, sizeof(q), "SELECT pageno FROM dbstat WHERE name = '%s'"
	    " ORDER BY pageno LIMIT 1 OFFSET %d", name, nth);
	assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), q, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		pg = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	assert_true(pg > 1);
	return pg;
}

static void junk_page(const char *dir, int pg)
{
	char p[512], junk[4096];
	int fd;

	memset(junk, 0x5a, sizeof(junk));
	snprintf(p, sizeof(p), "%s/" STORE_DB_NAME, dir);
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), (off_t)(pg - 1) * 4096),
	    sizeof(junk));
	close(fd);
}

struct find_one {
	const char *id;
	int state;
};

static int find_cb(const struct bbt_session *s, int acked, void *arg)
{
	struct find_one *w = arg;

	if (strcmp(s->id, w->id) == 0)
		w->state = acked;
	return 0;
}

/* state_of for any number of sessions. */
static int state_of_id(struct store *st, const char *id)
{
	struct find_one w = { id, -1 };

	assert_int_equal(store_sessions_each(st, INT64_MIN, find_cb, &w, NULL), 0);
	return w.state;
}

/* 300 unsynced sessions, a quarantine, an enrollment and a checkpoint. */
static void fill_buffer(struct store *st)
{
	struct store_outcome rej = { "00000000-0000-4000-8000-000000000007", 1, "too long" };
	struct bbt_session s;

	for (int i = 0; i < 300; i++) {
		s = mk(i, 1795000000 + 3600 * i, 1000);
		assert_int_equal(store_session_add(st, &s, NULL), 0);
	}
	assert_int_equal(store_outbox_settle(st, &rej, 1, NULL), 0);
	assert_int_equal(store_meta_set(st, "enrolled", "1", NULL), 0);
	assert_int_equal(store_meta_set(st, "device_id", "dev-42", NULL), 0);
	assert_int_equal(store_meta_set(st, "device_token", "tok-secret", NULL), 0);
	s = mk(999, 1796000000, 500);
	assert_int_equal(store_checkpoint_save(st, &s, NULL), 0);
}

/* What fill_buffer wrote, in the buffer st now has (lost: at most one leaf). */
static void assert_salvaged(struct store *st)
{
	struct bbt_session s;
	char v[64];
	int64_t n = 0;

	n = outbox(st);
	assert_true(n >= 300 - 1 - 40 && n < 300);
	assert_int_equal(state_of_id(st, "00000000-0000-4000-8000-000000000000"), STORE_OUTBOX);
	assert_int_equal(state_of_id(st, "00000000-0000-4000-8000-000000000299"), STORE_OUTBOX);
	assert_int_equal(state_of_id(st, "00000000-0000-4000-8000-000000000007"), STORE_REJECTED);
	assert_int_equal(quarantined(st), 1);
	assert_int_equal(store_meta_get(st, "device_id", v, sizeof(v)), 1);
	assert_string_equal(v, "dev-42");
	assert_int_equal(store_meta_get(st, "device_token", v, sizeof(v)), 1);
	assert_string_equal(v, "tok-secret");
	assert_int_equal(store_checkpoint_load(st, &s, NULL), 1);
	assert_string_equal(s.id, "00000000-0000-4000-8000-000000000999");
}

static int corrupt_files(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = 0;

	while ((de = readdir(d)) != NULL)
		found += strncmp(de->d_name, STORE_DB_NAME ".corrupt-", 18) == 0 &&
		    strstr(de->d_name, "wal") == NULL && strstr(de->d_name, "shm") == NULL;
	closedir(d);
	return found;
}

/*
 * Damaged at start (CONTRACT 4.2): an index page and one leaf of the sessions
 * table are junk. The file goes aside and every row SQLite can still read
 * (all but that leaf's) is in the new buffer, enrollment included.
 */
static void test_salvage_at_start(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->dir);
	int leaf, idx;

	fill_buffer(st);
	sql(st, "PRAGMA wal_checkpoint(TRUNCATE)");
	leaf = page_of(st, "sessions", 3);
	idx = page_of(st, "sessions_start", 0);
	store_close(st);
	junk_page(f->dir, leaf);
	junk_page(f->dir, idx);

	st = open_ok(f->dir);
	assert_int_equal(corrupt_files(f->dir), 1);
	assert_salvaged(st);
	store_close(st);
}

/*
 * Damaged while running: a connection that meets the damage replaces the
 * file (rows carried over) and its call succeeds; another connection on
 * the same buffer (run's sync thread) follows it to the new file.
 */
static void test_salvage_while_running(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->dir), *other = open_ok(f->dir);
	struct bbt_session s = mk(500, 1797000000, 1000);
	int leaf, idx;

	fill_buffer(st);
	sql(st, "PRAGMA wal_checkpoint(TRUNCATE)");
	leaf = page_of(st, "sessions", 3);
	idx = page_of(st, "sessions_start", 0);
	junk_page(f->dir, leaf);
	junk_page(f->dir, idx);
	/* What another process on a damaged disk would read: no cached pages. */
	sql(st, "PRAGMA cache_size = 0");
	sql(other, "PRAGMA cache_size = 0");
	assert_int_equal(store_session_add(st, &s, NULL), 0);
	assert_int_equal(corrupt_files(f->dir), 1);
	assert_salvaged(st);
	assert_int_equal(state_of_id(st, s.id), STORE_OUTBOX);
	/* The other connection writes to the new buffer, not the old inode. */
	assert_int_equal(store_meta_set(other, "last_sync", "now", NULL), 0);
	assert_salvaged(other);
	assert_int_equal(state_of_id(other, s.id), STORE_OUTBOX);
	store_close(other);
	store_close(st);
}

/* The meta table's page, all of it in the file itself (no -wal copy). */
static int meta_page(struct store *st)
{
	sql(st, "PRAGMA wal_checkpoint(TRUNCATE)");
	return page_of(st, "meta", 0);
}

/*
 * The meta table's page goes bad: st's own use of it meets the damage; a
 * thread that only logs or counts sessions never reads it. st's cached
 * pages go, as another process on a damaged disk would have none.
 */
static void damage_meta(struct store *st, const char *dir, int pg)
{
	junk_page(dir, pg);
	sqlite3_db_release_memory(store_sqlite(st));
}

#define HEAL_WRITES_MAX 4000

/* The sync thread's part: log sessions through its own handle. */
struct heal_writer {
	struct store *st;
	atomic_int logged;	/* acknowledged (store_session_add returned 0) */
	atomic_int stop;	/* main's heal is over: a few more, then end */
	char acked[HEAL_WRITES_MAX];
	int retried, lost;	/* calls that failed once; sessions never logged */
	char err[BBT_ERROR_LEN];
};

static struct bbt_session heal_session(int i)
{
	return mk(2000 + i, 1797000000 + 60 * i, 1000);
}

/* A failed call is retried once, as the daemon retries a closed session. */
static void *heal_writer_main(void *arg)
{
	struct heal_writer *w = arg;
	int extra = 20;
	struct bbt_error e;

	for (int i = 0; i < HEAL_WRITES_MAX && extra > 0; i++) {
		struct bbt_session s = heal_session(i);
		int rc = store_session_add(w->st, &s, &e);

		if (rc < 0) {
			w->retried++;
			snprintf(w->err, sizeof(w->err), "%s", e.msg);
			rc = store_session_add(w->st, &s, &e);
		}
		w->acked[i] = rc == 0;
		w->lost += rc != 0;
		atomic_fetch_add(&w->logged, rc == 0);
		if (atomic_load(&w->stop))
			extra--;
		usleep(1000);	/* not a tight loop: the sync thread's acks come in passes */
	}
	return NULL;
}

static void wait_logged(struct heal_writer *w, int n)
{
	for (int i = 0; i < 20000 && atomic_load(&w->logged) < n; i++)
		usleep(1000);
	assert_true(atomic_load(&w->logged) >= n);
}

/*
 * A heal while another thread of the process (run's sync thread) writes
 * through its own handle: st's write meets the damage, moves the file
 * aside (closing the other handle's connection first: on Windows the move
 * fails while it is open) and carries the rows over; the writer goes on in
 * the new file. No session the writer was told is logged may be missing,
 * and no call may fail twice running.
 */
static void test_salvage_while_thread_writes(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->dir);
	struct heal_writer *w = calloc(1, sizeof(*w));
	char v[16];
	pthread_t t;
	int pg, before;

	assert_non_null(w);
	assert_int_equal(store_meta_set(st, "device_id", "dev-42", NULL), 0);
	pg = meta_page(st);
	w->st = open_ok(f->dir);
	assert_int_equal(pthread_create(&t, NULL, heal_writer_main, w), 0);
	wait_logged(w, 10);
	damage_meta(st, f->dir, pg);
	assert_int_equal(store_meta_set(st, "last_sync", "now", NULL), 0);
	before = atomic_load(&w->logged);
	atomic_store(&w->stop, 1);
	pthread_join(t, NULL);
	if (w->retried > 0)
		print_message("writer: %d call(s) retried, last error: %s\n", w->retried,
		    w->err);
	assert_int_equal(w->lost, 0);
	assert_true(atomic_load(&w->logged) >= before + 20);	/* it wrote on after */
	assert_int_equal(corrupt_files(f->dir), 1);
	for (int i = 0; i < HEAL_WRITES_MAX; i++) {
		struct bbt_session s = heal_session(i);

		if (w->acked[i])
			assert_int_equal(state_of_id(st, s.id), STORE_OUTBOX);
	}
	assert_int_equal(outbox(st), atomic_load(&w->logged));
	/* The writer's handle is on the new file too. */
	assert_int_equal(store_meta_get(w->st, "last_sync", v, sizeof(v)), 1);
	assert_string_equal(v, "now");
	store_close(w->st);
	store_close(st);
	free(w);
}

/* A reader thread (`status` in run's process): counts the outbox. */
struct heal_reader {
	struct store *st;
	atomic_int reads, stop;
	atomic_llong last;	/* the latest count */
	int errors, odd;	/* failed reads; counts neither want nor want + 1 */
	int64_t want;
};

static void *heal_reader_main(void *arg)
{
	struct heal_reader *r = arg;

	while (!atomic_load(&r->stop)) {
		int64_t n = -1;

		if (store_outbox_count(r->st, &n, NULL) < 0)
			r->errors++;
		else if (n != r->want && n != r->want + 1)
			r->odd++;
		atomic_store(&r->last, n);
		atomic_fetch_add(&r->reads, 1);
		usleep(1000);
	}
	return NULL;
}

static void wait_reads(struct heal_reader *r, int n)
{
	for (int i = 0; i < 20000 && atomic_load(&r->reads) < n; i++)
		usleep(1000);
	assert_true(atomic_load(&r->reads) >= n);
}

/*
 * A heal while another thread reads through its own handle: every read
 * succeeds and sees every unsynced session (the old file's, then the new
 * file's carried over), and the reader follows the new file: it sees the
 * session logged after the heal.
 */
static void test_salvage_while_another_reads(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->dir);
	struct heal_reader r = { .want = 0 };
	struct bbt_session s = mk(600, 1799000000, 1000);
	pthread_t t;
	int pg, n;

	fill_buffer(st);
	r.want = outbox(st);
	pg = meta_page(st);
	r.st = open_ok(f->dir);
	assert_int_equal(pthread_create(&t, NULL, heal_reader_main, &r), 0);
	wait_reads(&r, 5);
	damage_meta(st, f->dir, pg);
	assert_int_equal(store_meta_set(st, "last_sync", "now", NULL), 0);
	assert_int_equal(corrupt_files(f->dir), 1);
	assert_int_equal(store_session_add(st, &s, NULL), 0);
	n = atomic_load(&r.reads);
	wait_reads(&r, n + 5);
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.odd, 0);
	assert_int_equal(atomic_load(&r.last), r.want + 1);
	assert_int_equal(state_of_id(r.st, s.id), STORE_OUTBOX);
	assert_int_equal(outbox(st), r.want + 1);
	store_close(r.st);
	store_close(st);
}

#ifndef _WIN32
/* The race test runs two processes with fork(): POSIX only. The Windows
 * build compiles this file too (tests/windows/unit); there the heal lock is
 * LockFileEx (agent/platform_win.c), exercised by the store tests that
 * open and heal the buffer, not raced between processes. */
/* Child B of the race test: open, say so, wait for the word, log one session. */
static void race_writer(const char *dir, int ready, int go, const struct bbt_session *s)
{
	struct store *st = NULL;
	struct bbt_error e;
	char c = 'r';
	int rc;

	if (store_open(&st, dir, &e) < 0)
		_exit(2);
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
		_exit(3);
	rc = store_session_add(st, s, &e);
	if (rc < 0)
		fprintf(stderr, "race writer: %s\n", e.msg);
	store_close(st);
	_exit(rc == 0 ? 0 : 1);
}

/* Child A: a process that starts on the damaged buffer heals it at open. */
static void race_healer(const char *dir)
{
	struct store *st = NULL;
	struct bbt_error e;

	if (store_open(&st, dir, &e) < 0) {
		fprintf(stderr, "race healer: %s\n", e.msg);
		_exit(1);
	}
	store_close(st);
	_exit(0);
}

static int exit_code(pid_t pid)
{
	int status = 0;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The heal race between the capture and the sync process: B (a process
 * with the buffer open) has checked that its file is the live one and
 * waits for the database, held here by a plain connection, to log a
 * session; meanwhile the buffer is damaged and A, another process, heals
 * it (moves it aside, starts a new one, carries the rows over). Without
 * the heal lock A did so at once and B's write, reported a success, went
 * into the file moved aside: lost. With it A waits for B's write and
 * carries it over.
 */
static void test_heal_race_two_processes(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->dir);
	struct bbt_session s = mk(700, 1798000000, 1000);
	char path[512], c;
	int ready[2], go[2], meta_pg;
	sqlite3 *hold = NULL;
	pid_t a, b;

	for (int i = 0; i < 5; i++) {
		struct bbt_session old = mk(i, 1795000000 + 3600 * i, 1000);

		assert_int_equal(store_session_add(st, &old, NULL), 0);
	}
	assert_int_equal(store_meta_set(st, "device_id", "dev-42", NULL), 0);
	sql(st, "PRAGMA wal_checkpoint(TRUNCATE)");
	meta_pg = page_of(st, "meta", 0);
	store_close(st);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	b = fork();
	assert_true(b >= 0);
	if (b == 0)
		race_writer(f->dir, ready[1], go[0], &s);
	assert_int_equal(read(ready[0], &c, 1), 1);
	/* Hold the database so that B's write waits once it has begun. */
	snprintf(path, sizeof(path), "%s/" STORE_DB_NAME, f->dir);
	assert_int_equal(sqlite3_open(path, &hold), SQLITE_OK);
	assert_int_equal(sqlite3_exec(hold, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(write(go[1], "g", 1), 1);
	usleep(200 * 1000);
	/* A page of the meta table goes bad: B's insert never reads it. */
	junk_page(f->dir, meta_pg);
	a = fork();
	assert_true(a >= 0);
	if (a == 0)
		race_healer(f->dir);
	usleep(500 * 1000);	/* the old code's heal is done by now */
	sqlite3_exec(hold, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(hold);
	assert_int_equal(exit_code(b), 0);	/* B's write was a success */
	assert_int_equal(exit_code(a), 0);
	assert_int_equal(corrupt_files(f->dir), 1);
	st = open_ok(f->dir);
	/* So it must be in the live buffer, with what the damaged one held. */
	assert_int_equal(state_of_id(st, s.id), STORE_OUTBOX);
	assert_int_equal(state_of_id(st, "00000000-0000-4000-8000-000000000004"),
	    STORE_OUTBOX);
	store_close(st);
	for (int i = 0; i < 2; i++) {
		close(ready[i]);
		close(go[i]);
	}
}
#endif /* !_WIN32 */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_schema_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file_migrates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_and_add_clears, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_moved_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_pages_moved_aside, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_old_acked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_existing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quarantine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quarantine_never_pruned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1_to_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_salvage_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_salvage_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_salvage_while_thread_writes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_salvage_while_another_reads, setup,
		    teardown),
#ifndef _WIN32
		cmocka_unit_test_setup_teardown(test_heal_race_two_processes, setup, teardown),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
