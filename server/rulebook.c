/*
 * rulebook: see rulebook.h. One process-wide copy behind a mutex: the rule
 * is a few hundred bytes, so readers copy it out rather than hold a lock
 * or a reference while they build a report.
 */
#include "rulebook.h"

#include <pthread.h>

static pthread_mutex_t book_lock = PTHREAD_MUTEX_INITIALIZER;
static struct points_rule book_rule;
static struct rules_stats book_stats;
static int book_loaded;

int rulebook_load(const char *path, struct bbt_error *e)
{
	struct points_rule r;
	struct rules_stats s;

	if (rules_load_all(path, &r, &s, e) < 0)
		return -1;
	pthread_mutex_lock(&book_lock);
	book_rule = r;
	book_stats = s;
	book_loaded = 1;
	pthread_mutex_unlock(&book_lock);
	return 0;
}

int rulebook_get(const char *path, struct points_rule *r, struct rules_stats *s,
    struct bbt_error *e)
{
	int loaded;

	pthread_mutex_lock(&book_lock);
	loaded = book_loaded;
	if (loaded && r != NULL)
		*r = book_rule;
	if (loaded && s != NULL)
		*s = book_stats;
	pthread_mutex_unlock(&book_lock);
	return loaded ? 0 : rules_load_all(path, r, s, e);
}

void rulebook_reset(void)
{
	pthread_mutex_lock(&book_lock);
	book_loaded = 0;
	pthread_mutex_unlock(&book_lock);
}
