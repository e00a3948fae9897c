/*
 * bbt_tz: named time zones (bbt_tz_offset, bbt_tz_check in bbt_time.h)
 * through GLib's GTimeZone. Apart from bbt_time.c so that the agent, which
 * only asks for its local offset, does not link GLib.
 */
#include "bbt_time.h"

#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/*
 * Named zones come from GLib's GTimeZone, which reads the system tz database
 * itself: nothing here touches the process-wide TZ, so any thread may ask.
 * A GTimeZone is immutable once made; the zones met so far are kept (a
 * bounded list, NULL for a name that is not a zone) so that a report does
 * not read a zone file per row.
 */
#define TZ_CACHE_MAX 64

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[64];
	GTimeZone *tz;	/* NULL: not a zone */
} tz_cache[TZ_CACHE_MAX];
static size_t tz_cached;

/* IANA names ("Asia/Shanghai", "Etc/GMT-8", "UTC") and nothing that reads as a path. */
static int tz_name_plain(const char *z)
{
	size_t n = strlen(z);

	return n > 0 && n < sizeof(tz_cache[0].name) && z[0] != '/' && z[0] != '.' &&
	    strstr(z, "..") == NULL && strstr(z, "/.") == NULL &&
	    strspn(z, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") == n;
}

/* A new reference to the named zone, or NULL if there is no such zone. */
static GTimeZone *tz_get(const char *zone)
{
	GTimeZone *tz = NULL;
	size_t i;

	if (!tz_name_plain(zone))
		return NULL;
	pthread_mutex_lock(&tz_lock);
	for (i = 0; i < tz_cached; i++)
		if (strcmp(tz_cache[i].name, zone) == 0)
			break;
	if (i == tz_cached) {
		tz = g_time_zone_new_identifier(zone);
		if (tz_cached < TZ_CACHE_MAX) {
			snprintf(tz_cache[i].name, sizeof(tz_cache[i].name), "%s", zone);
			tz_cache[i].tz = tz ? g_time_zone_ref(tz) : NULL;
			tz_cached++;
		}
	} else if (tz_cache[i].tz != NULL) {
		tz = g_time_zone_ref(tz_cache[i].tz);
	}
	pthread_mutex_unlock(&tz_lock);
	return tz;
}

int bbt_tz_check(const char *zone, struct bbt_error *e)
{
	GTimeZone *tz;

	if (zone == NULL || *zone == '\0')
		return 0;
	tz = tz_get(zone);
	if (tz == NULL)
		return bbt_error_set(e, "unknown time zone '%.64s' (want an IANA name from "
		    "the tz database, like Asia/Shanghai or UTC)", zone);
	g_time_zone_unref(tz);
	return 0;
}

int bbt_tz_offset(const char *zone, int64_t epoch)
{
	GTimeZone *tz;
	int off;

	if (zone == NULL || *zone == '\0')
		return bbt_tz_local_offset(epoch);
	tz = tz_get(zone);
	if (tz == NULL)
		return 0;
	off = (int)g_time_zone_get_offset(tz,
	    g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, (gint64)epoch));
	g_time_zone_unref(tz);
	return off;
}
