/*
 * fleet: see fleet.h. The input summary for people lists the touch and pen
 * devices first (that is what an installer checks: "did it find the
 * whiteboard?"), then how many others; JSON carries the agent's full list.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bbt_time.h"
#include "db.h"
#include "fleet.h"
#include "points.h"

enum { C_ID, C_SCHOOL, C_ROOM, C_HOST, C_VERSION, C_SEEN, C_ONLINE, C_OFFSET,
	C_BUFFERED, C_INPUTS, C_REENROLLED, C_LAST_REENROLLED, C_RESETS, C_CLONE, C_REVOKED, C_N };

static const char *const columns[C_N] = { "device_id", "school", "room", "hostname",
	"agent_version", "last_seen", "online", "clock_offset_s", "buffered", "inputs",
	"reenrolled", "last_reenrolled", "state_resets", "clone_suspected", "revoked" };

struct walk {
	struct db *db;
	struct report *rep;
	const char *zone;
	int64_t now, offline_after;
};

int fleet_online(int64_t last_seen, int64_t now, int64_t offline_after_s)
{
	return last_seen > 0 && now - last_seen <= offline_after_s;
}

int fleet_clone_suspected(int64_t clone_at, int64_t now)
{
	return clone_at > 0 && now - clone_at <= DB_CLONE_WINDOW_S;
}

/* The name people know a device by: its input name, else its USB label. */
static const char *device_name(const cJSON *d)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "name");

	if (!cJSON_IsString(n))
		n = cJSON_GetObjectItemCaseSensitive(d, "label");
	return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* "IRTOUCH Infrared Touch; +2 other" from the heartbeat's device list
 * (agent/hwinfo.c marks touch screens and pens with "touch": true). */
static void inputs_summary(const cJSON *arr, char *out, size_t len)
{
	const cJSON *d;
	size_t used = 0;
	int others = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(d, arr) {
		const char *name = device_name(d);

		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "touch")) || !name) {
			others++;
			continue;
		}
		if (used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s",
			    used ? "; " : "", name);
	}
	if (others > 0 && used < len)
		snprintf(out + used, len - used, "%s+%d other", used ? "; " : "", others);
}

static int add_device(void *arg, const struct db_device *d, const char *inputs_json,
    struct bbt_error *e)
{
	struct walk *w = arg;
	cJSON *inputs = inputs_json ? cJSON_Parse(inputs_json) : NULL;
	char summary[512] = "";
	int64_t interval, window = w->offline_after;
	int rc = 0;

	if (!cJSON_IsArray(inputs)) {
		cJSON_Delete(inputs);
		inputs = NULL;
	}
	if (inputs)
		inputs_summary(inputs, summary, sizeof(summary));
	/* An agent that told us its sync interval misses three of its own beats. */
	if (db_device_interval_get(w->db, d->device_id, &interval, e) < 0) {
		cJSON_Delete(inputs);
		return -1;
	}
	if (interval > 0)
		window = FLEET_MISSED_BEATS * interval;
	rc |= report_row(w->rep);
	rc |= report_str(w->rep, C_ID, d->device_id);
	rc |= report_str(w->rep, C_SCHOOL, d->school);
	rc |= report_str(w->rep, C_ROOM, d->room);
	rc |= report_str(w->rep, C_HOST, d->hostname);
	rc |= report_str(w->rep, C_VERSION, d->agent_version);
	rc |= report_time(w->rep, C_SEEN, d->last_seen, w->zone);
	rc |= report_bool(w->rep, C_ONLINE, fleet_online(d->last_seen, w->now, window));
	/* Never measured (no agent_time yet) is unknown, not 0. */
	if (d->last_seen > 0 && d->clock_offset_s != DB_OFFSET_UNKNOWN)
		rc |= report_int(w->rep, C_OFFSET, (long long)d->clock_offset_s);
	if (d->buffer_depth >= 0)
		rc |= report_int(w->rep, C_BUFFERED, (long long)d->buffer_depth);
	rc |= report_str(w->rep, C_INPUTS, inputs ? summary : NULL);
	rc |= report_int(w->rep, C_REENROLLED, (long long)d->reenrolled);
	rc |= report_time(w->rep, C_LAST_REENROLLED, d->reenrolled_at, w->zone);
	/* The same hw_id enrolling from a fresh buffer: tell the admin to set
	 * [agent] state_dir (firmware-notes/restore-software.md). */
	rc |= report_int(w->rep, C_RESETS, (long long)d->state_resets);
	rc |= report_bool(w->rep, C_CLONE, fleet_clone_suspected(d->clone_at, w->now));
	rc |= report_bool(w->rep, C_REVOKED, d->revoked_at > 0);
	rc |= report_attach(w->rep, "input_devices", inputs ? inputs : cJSON_CreateArray());
	return rc ? bbt_error_set(e, "out of memory") : 0;
}

struct report *fleet_devices_report(struct db *db, const char *school, const char *zone,
    int64_t now, int64_t offline_after_s, struct bbt_error *e)
{
	struct walk w = { db, report_new(C_N, columns), zone, now, offline_after_s };

	return report_built(w.rep, w.rep ? db_devices_each(db, school, add_device, &w, e) : -1,
	    e);
}
