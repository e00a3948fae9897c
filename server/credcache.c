/*
 * credcache: see credcache.h. A GHashTable (glib, as heartbeat.c's) from
 * token hash to a compact entry (its strings packed after it, so a
 * province's 200,000 devices cost about 40 MB, not the 800 bytes each of a
 * struct db_device_cred), and one from device id to that token hash, so a
 * device's change finds its entry without a scan; the poller is a thread
 * like heartbeat.c's flusher.
 */
#include <glib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bbt_log.h"
#include "bbt_time.h"
#include "credcache.h"

struct entry {
	struct db_detector detector;
	unsigned short school, room, url;	/* offsets into text */
	char text[];				/* device_id, school, room, url: NULs */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Under lock, created on first use: token hash (owned) -> struct entry
 * (owned), and its index device_id (the entry's text) -> token hash (the
 * first table's key), so a change to a device finds its entry. */
static GHashTable *table, *by_device;
static int64_t held_gen = -1;	/* under lock: the number the entries belong to */
static int64_t current_since = INT64_MIN;	/* under lock: began_us of the last read */
static uint64_t epoch;		/* under lock: changes applied */

static pthread_cond_t wake;
static int stopping;		/* under lock */
static atomic_int running;
static pthread_t poller;
static struct db *poll_db;
static struct poll_read {	/* the poller's: what one read collects */
	struct credcache_change *c;	/* DB_AUTH_CHANGES_MAX + 1 of them */
	size_t n;
} poll_buf;

static void tables_locked(void)
{
	if (table)
		return;
	table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free);
	by_device = g_hash_table_new(g_str_hash, g_str_equal);
}

static void empty_locked(void)
{
	if (table) {
		g_hash_table_remove_all(by_device);
		g_hash_table_remove_all(table);
	}
	epoch++;
}

/* Forget the entry of device_id, if one is held. */
static void forget_device_locked(const char *device_id)
{
	char *hash = table ? g_hash_table_lookup(by_device, device_id) : NULL;

	if (!hash)
		return;
	hash = g_strdup(hash);	/* the key goes with the entry */
	g_hash_table_remove(by_device, device_id);
	g_hash_table_remove(table, hash);
	g_free(hash);
}

static gboolean of_school(gpointer key, gpointer value, gpointer school)
{
	const struct entry *x = value;

	(void)key;
	if (strcmp(x->text + x->school, school) != 0)
		return FALSE;
	g_hash_table_remove(by_device, x->text);
	return TRUE;
}

/* Forget every entry of a school (its settings changed: rare, so a scan). */
static void forget_school_locked(const char *school)
{
	if (table)
		g_hash_table_foreach_remove(table, of_school, (gpointer)school);
}

int64_t credcache_held(void)
{
	int64_t g;

	pthread_mutex_lock(&lock);
	g = held_gen;
	pthread_mutex_unlock(&lock);
	return g;
}

void credcache_seen(int64_t gen, int64_t began_us, const struct credcache_change *c,
    size_t n, int complete)
{
	size_t i;

	pthread_mutex_lock(&lock);
	if (!complete || held_gen < 0 || gen < held_gen ||
	    gen - held_gen > DB_AUTH_CHANGES_KEEP) {
		empty_locked();
	} else if (n > 0) {
		for (i = 0; i < n; i++) {
			if (c[i].device_id[0])
				forget_device_locked(c[i].device_id);
			else
				forget_school_locked(c[i].school);
		}
		epoch++;
	}
	held_gen = gen;
	if (began_us > current_since)
		current_since = began_us;
	pthread_mutex_unlock(&lock);
}

static int current_locked(int64_t now_us)
{
	return current_since != INT64_MIN && now_us >= current_since &&
	    now_us - current_since < (int64_t)CREDCACHE_TRUST_MS * 1000;
}

int credcache_get(const char *token_hash, int64_t now_us, struct db_device_cred *out)
{
	const struct entry *x = NULL;

	pthread_mutex_lock(&lock);
	if (table && current_locked(now_us))
		x = g_hash_table_lookup(table, token_hash);
	if (x) {
		snprintf(out->device_id, sizeof(out->device_id), "%s", x->text);
		snprintf(out->school, sizeof(out->school), "%s", x->text + x->school);
		snprintf(out->room, sizeof(out->room), "%s", x->text + x->room);
		snprintf(out->school_collector_url, sizeof(out->school_collector_url), "%s",
		    x->text + x->url);
		out->school_detector = x->detector;
	}
	pthread_mutex_unlock(&lock);
	return x != NULL;
}

uint64_t credcache_epoch(void)
{
	uint64_t v;

	pthread_mutex_lock(&lock);
	v = epoch;
	pthread_mutex_unlock(&lock);
	return v;
}

/* The entry of c, its strings packed after it; NULL if out of memory. */
static struct entry *entry_new(const struct db_device_cred *c)
{
	size_t id = strlen(c->device_id) + 1, school = strlen(c->school) + 1;
	size_t room = strlen(c->room) + 1, url = strlen(c->school_collector_url) + 1;
	struct entry *x = malloc(sizeof(*x) + id + school + room + url);

	if (!x)
		return NULL;
	x->detector = c->school_detector;
	x->school = (unsigned short)id;
	x->room = (unsigned short)(id + school);
	x->url = (unsigned short)(id + school + room);
	memcpy(x->text, c->device_id, id);
	memcpy(x->text + x->school, c->school, school);
	memcpy(x->text + x->room, c->room, room);
	memcpy(x->text + x->url, c->school_collector_url, url);
	return x;
}

void credcache_put(const char *token_hash, const struct db_device_cred *c, uint64_t at)
{
	struct entry *x = entry_new(c);
	char *key = g_strdup(token_hash);

	pthread_mutex_lock(&lock);
	tables_locked();
	if (x && at == epoch && g_hash_table_size(table) < CREDCACHE_MAX) {
		/* One entry a device: a token it held before is gone. */
		forget_device_locked(c->device_id);
		if (g_hash_table_contains(table, key)) {
			const struct entry *old = g_hash_table_lookup(table, key);

			g_hash_table_remove(by_device, old->text);
			g_hash_table_remove(table, key);
		}
		g_hash_table_insert(table, key, x);
		g_hash_table_insert(by_device, x->text, key);
		key = NULL;
		x = NULL;
	}
	pthread_mutex_unlock(&lock);
	g_free(key);
	free(x);
}

void credcache_forget(const char *device_id)
{
	pthread_mutex_lock(&lock);
	forget_device_locked(device_id);
	epoch++;
	pthread_mutex_unlock(&lock);
}

unsigned credcache_size(void)
{
	unsigned n;

	pthread_mutex_lock(&lock);
	n = table ? g_hash_table_size(table) : 0;
	pthread_mutex_unlock(&lock);
	return n;
}

void credcache_reset(void)
{
	pthread_mutex_lock(&lock);
	empty_locked();
	held_gen = -1;
	current_since = INT64_MIN;
	pthread_mutex_unlock(&lock);
}

/* Collect a change (db_auth_change_fn), at most one more than
 * DB_AUTH_CHANGES_MAX (that one says the read was not complete). */
static int on_change(void *arg, const char *device_id, const char *school,
    struct bbt_error *e)
{
	struct poll_read *r = arg;

	(void)e;
	if (r->n > DB_AUTH_CHANGES_MAX)
		return 0;
	snprintf(r->c[r->n].device_id, sizeof(r->c[r->n].device_id), "%s", device_id);
	snprintf(r->c[r->n].school, sizeof(r->c[r->n].school), "%s", school);
	r->n++;
	return 0;
}

/* One read of the number and its changes; a failure is logged once until a
 * read succeeds (the cache then goes stale by itself: nothing is served). */
static void poll_once(struct poll_read *r, int *failing)
{
	int64_t began = bbt_clock_monotonic_us(), since = credcache_held(), gen;
	struct bbt_error e;

	r->n = 0;
	if (db_auth_changes(poll_db, since < 0 ? INT64_MAX : since, &gen, on_change, r,
	    &e) < 0) {
		if (!*failing)
			log_warn("credential cache: %s (every token is looked up in the "
			    "database until this read succeeds)", bbt_error_msg(&e));
		*failing = 1;
		return;
	}
	if (*failing)
		log_info("credential cache: the database answers again");
	*failing = 0;
	credcache_seen(gen, began, r->c, r->n, r->n <= DB_AUTH_CHANGES_MAX);
}

static void *poller_main(void *arg)
{
	struct poll_read *r = arg;
	struct timespec ts;
	int failing = 0;

	pthread_mutex_lock(&lock);
	while (!stopping) {
		pthread_mutex_unlock(&lock);
		poll_once(r, &failing);
		pthread_mutex_lock(&lock);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += CREDCACHE_POLL_MS % 1000 * 1000000L;
		ts.tv_sec += CREDCACHE_POLL_MS / 1000 + ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		if (!stopping)
			pthread_cond_timedwait(&wake, &lock, &ts);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int credcache_start(const char *db_where, struct bbt_error *e)
{
	pthread_condattr_t ca;

	poll_buf.c = calloc(DB_AUTH_CHANGES_MAX + 1, sizeof(*poll_buf.c));
	if (!poll_buf.c)
		return bbt_error_set(e, "out of memory");
	if (db_open(db_where, &poll_db, e) < 0) {
		free(poll_buf.c);
		poll_buf.c = NULL;
		return bbt_error_prefix(e, "credential cache");
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wake, &ca);
	pthread_condattr_destroy(&ca);
	credcache_reset();
	stopping = 0;
	if (pthread_create(&poller, NULL, poller_main, &poll_buf) != 0) {
		pthread_cond_destroy(&wake);
		db_close(poll_db);
		poll_db = NULL;
		free(poll_buf.c);
		poll_buf.c = NULL;
		return bbt_error_set(e, "cannot start the credential cache's poller");
	}
	atomic_store(&running, 1);
	return 0;
}

void credcache_stop(void)
{
	if (!atomic_load(&running))
		return;
	atomic_store(&running, 0);
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(poller, NULL);
	pthread_cond_destroy(&wake);
	db_close(poll_db);
	poll_db = NULL;
	free(poll_buf.c);
	poll_buf.c = NULL;
	pthread_mutex_lock(&lock);
	empty_locked();
	if (table) {
		g_hash_table_destroy(by_device);
		g_hash_table_destroy(table);
	}
	table = by_device = NULL;
	held_gen = -1;
	current_since = INT64_MIN;
	pthread_mutex_unlock(&lock);
}
