/*
 * heartbeat: the held heartbeats are a GLib hash table (device id ->
 * struct held) behind one mutex. A flush steals the whole table under the
 * lock and writes it without the lock, so request threads never wait for
 * the database: they only wait for a pointer swap.
 */
#include <glib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bbt_log.h"
#include "bbt_time.h"
#include "heartbeat.h"
#include "metrics.h"

struct held {
	int64_t now, offset, depth, interval;
	char *version, *devices;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static GHashTable *table;		/* under lock; NULL while stopped */
static int stopping;			/* under lock */
static atomic_int running;
static pthread_t flusher;
static struct db *flush_db;

static void held_free(void *p)
{
	struct held *h = p;

	if (!h)
		return;
	free(h->version);
	free(h->devices);
	free(h);
}

static GHashTable *table_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, held_free);
}

static char *dup_or_null(const char *s, int *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*failed = 1;
	return d;
}

/* Fill what newer did not say from older (which is freed). */
static void merge_under(struct held *newer, struct held *older)
{
	if (newer->offset == DB_OFFSET_UNKNOWN)
		newer->offset = older->offset;
	if (newer->depth < 0)
		newer->depth = older->depth;
	if (!newer->version) {
		newer->version = older->version;
		older->version = NULL;
	}
	if (!newer->devices) {
		newer->devices = older->devices;
		older->devices = NULL;
	}
	held_free(older);
}

/* Say over older (kept) what newer (freed) says. */
static void merge_over(struct held *older, struct held *newer)
{
	older->now = newer->now;
	older->interval = newer->interval;
	if (newer->offset != DB_OFFSET_UNKNOWN)
		older->offset = newer->offset;
	if (newer->depth >= 0)
		older->depth = newer->depth;
	if (newer->version) {
		free(older->version);
		older->version = newer->version;
		newer->version = NULL;
	}
	if (newer->devices) {
		free(older->devices);
		older->devices = newer->devices;
		newer->devices = NULL;
	}
	held_free(newer);
}

/*
 * Hold h (owned) for id, under lock: over the one held if h came later
 * (a new heartbeat), under it if not (one put back after a failed write).
 */
static void put_locked(const char *id, struct held *h, int h_later)
{
	struct held *cur = g_hash_table_lookup(table, id);

	if (!cur)
		g_hash_table_insert(table, g_strdup(id), h);
	else if (h_later)
		merge_over(cur, h);
	else
		merge_under(cur, h);
}

int heartbeat_note(const char *device_id, const struct heartbeat_rec *r)
{
	struct held *h;
	int failed = 0, rc = 1;

	if (r->depth > 0 || !atomic_load(&running))
		return 1;
	h = calloc(1, sizeof(*h));
	if (!h)
		return 1;
	*h = (struct held){ r->now, r->offset, r->depth, r->interval, NULL, NULL };
	h->version = dup_or_null(r->version, &failed);
	h->devices = dup_or_null(r->devices, &failed);
	if (failed) {
		held_free(h);
		return 1;
	}
	pthread_mutex_lock(&lock);
	if (table && (g_hash_table_size(table) < HEARTBEAT_MAX_HELD ||
	    g_hash_table_contains(table, device_id))) {
		put_locked(device_id, h, 1);
		h = NULL;
		rc = 0;
	}
	/* Under the lock, so the gauge's updates keep the table's order. */
	if (table)
		metrics_heartbeat_pending(g_hash_table_size(table));
	pthread_mutex_unlock(&lock);
	held_free(h);
	return rc;
}

/* A held heartbeat as the database layer takes it (pointing into h). */
static struct db_heartbeat held_row(const char *id, const struct held *h)
{
	return (struct db_heartbeat){ id, h->now, h->offset, h->depth, h->interval,
	    h->version, h->devices };
}

int heartbeat_write(struct db *db, const char *device_id, const struct heartbeat_rec *h,
    struct bbt_error *e)
{
	struct db_heartbeat row = { device_id, h->now, h->offset, h->depth, h->interval,
	    h->version, h->devices };

	return db_devices_heartbeat(db, &row, 1, e);
}

/* The batch (n entries) as rows: one db_devices_heartbeat call. */
static int write_batch(GHashTable *batch, unsigned n, struct bbt_error *e)
{
	struct db_heartbeat *rows = calloc(n, sizeof(*rows));
	GHashTableIter it;
	gpointer k, v;
	size_t i = 0;
	int rc;

	if (!rows)
		return bbt_error_set(e, "out of memory");
	g_hash_table_iter_init(&it, batch);
	while (i < n && g_hash_table_iter_next(&it, &k, &v))
		rows[i++] = held_row(k, v);
	rc = db_devices_heartbeat(flush_db, rows, i, e);
	free(rows);
	return rc;
}

int heartbeat_take(struct db *db, const char *device_id, struct bbt_error *e)
{
	struct held *h = NULL;
	struct db_heartbeat row;
	gpointer key = NULL, val = NULL;
	int rc = 0;

	pthread_mutex_lock(&lock);
	if (table && g_hash_table_steal_extended(table, device_id, &key, &val)) {
		g_free(key);
		h = val;
	}
	pthread_mutex_unlock(&lock);
	if (!h)
		return 0;
	row = held_row(device_id, h);
	rc = db_devices_heartbeat(db, &row, 1, e);
	pthread_mutex_lock(&lock);
	if (rc < 0 && table)
		put_locked(device_id, h, 0);
	else
		held_free(h);
	pthread_mutex_unlock(&lock);
	return rc;
}

/* Write what was held in one batch (all or none); on failure put it all back. */
static void flush(void)
{
	GHashTable *batch;
	GHashTableIter it;
	gpointer k, v;
	struct bbt_error e;
	int64_t t0 = bbt_clock_monotonic_us();
	unsigned n;
	int ok = 1;

	pthread_mutex_lock(&lock);
	batch = table;
	n = batch ? g_hash_table_size(batch) : 0;
	if (n)
		table = table_new();
	pthread_mutex_unlock(&lock);
	if (n == 0)
		return;
	if (write_batch(batch, n, &e) < 0) {
		ok = 0;
		log_warn("heartbeats: %u not written, kept for the next try: %s", n,
		    bbt_error_msg(&e));
	}
	pthread_mutex_lock(&lock);
	if (!ok) {
		g_hash_table_iter_init(&it, batch);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			g_hash_table_iter_steal(&it);
			put_locked(k, v, 0);
			g_free(k);
		}
	}
	metrics_heartbeat_flush(n, (double)(bbt_clock_monotonic_us() - t0) / 1e6, ok);
	metrics_heartbeat_pending(g_hash_table_size(table));
	pthread_mutex_unlock(&lock);
	g_hash_table_destroy(batch);
}

static void *flusher_main(void *arg)
{
	struct timespec ts;

	pthread_mutex_lock(&lock);
	while (!stopping) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)HEARTBEAT_FLUSH_MS % 1000 * 1000000L;
		ts.tv_sec += HEARTBEAT_FLUSH_MS / 1000 + ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&wake, &lock, &ts);
		pthread_mutex_unlock(&lock);
		flush();
		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int heartbeat_start(const char *db_where, struct bbt_error *e)
{
	if (db_open(db_where, &flush_db, e) < 0)
		return bbt_error_prefix(e, "heartbeat flusher");
	pthread_mutex_lock(&lock);
	table = table_new();
	stopping = 0;
	pthread_mutex_unlock(&lock);
	if (pthread_create(&flusher, NULL, flusher_main, NULL) != 0) {
		pthread_mutex_lock(&lock);
		g_hash_table_destroy(table);
		table = NULL;
		pthread_mutex_unlock(&lock);
		db_close(flush_db);
		flush_db = NULL;
		return bbt_error_set(e, "cannot start the heartbeat flusher");
	}
	atomic_store(&running, 1);
	return 0;
}

void heartbeat_stop(void)
{
	unsigned lost;

	if (!atomic_load(&running))
		return;
	atomic_store(&running, 0);
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(flusher, NULL);
	/* The requests are over (the daemon is stopped): this flush is the last. */
	flush();
	pthread_mutex_lock(&lock);
	lost = g_hash_table_size(table);
	g_hash_table_destroy(table);
	table = NULL;
	pthread_mutex_unlock(&lock);
	if (lost)
		log_warn("heartbeats: %u could not be written at shutdown (last-seen times "
		    "of those devices are older than their last heartbeat)", lost);
	db_close(flush_db);
	flush_db = NULL;
}
