/*
 * cmd_sessions: the rows of `bbt-server sessions [--school CODE] [--device
 * ID]`, a list entry of the report table (report_cmds.c, RC_LIST): the
 * stored sessions themselves, as they arrived (CONTRACT 4.3 fields plus where
 * and how: device, school and room then, received time, http or bundle).
 * The audit view an admin needs when a report looks wrong ("did this PC
 * upload Tuesday's lessons, and by which path?"), and the one interface
 * tests read stored sessions through, whatever the backend.
 *
 * Times: start and end in the offset the agent recorded (the lesson's
 * local time), received in --tz. Read-only.
 */
#include "bbt_time.h"
#include "db.h"
#include "report.h"
#include "report_cmd.h"

enum { S_ID, S_DEVICE, S_SCHOOL, S_ROOM, S_START, S_END, S_DURATION, S_TOUCHES,
	S_ACTIVE, S_TEACHER, S_INPUT, S_VID, S_PID, S_FLAGS, S_RECEIVED, S_VIA, S_N };

static const char *const columns[S_N] = { "id", "device_id", "school", "room", "start",
	"end", "duration_s", "touches", "active_minutes", "teacher", "input_name",
	"input_vid", "input_pid", "flags", "received", "via" };

struct walk {
	struct report *rep;
	const char *zone;
};

static const char *or_null(const char *s)
{
	return s[0] ? s : NULL;
}

static int session_row(void *arg, const struct db_session_row *r, struct bbt_error *e)
{
	struct walk *w = arg;
	const struct bbt_session *s = &r->s;
	char t[2][BBT_ISO8601_LEN], flags[128];
	int rc = 0;

	bbt_time_format(s->start, s->utc_offset, t[0]);
	bbt_time_format(s->end, s->utc_offset, t[1]);
	bbt_flags_format(s->flags, ",", flags, sizeof(flags));
	rc |= report_row(w->rep);
	rc |= report_str(w->rep, S_ID, s->id);
	rc |= report_str(w->rep, S_DEVICE, r->device_id);
	rc |= report_str(w->rep, S_SCHOOL, r->school);
	rc |= report_str(w->rep, S_ROOM, r->room);
	rc |= report_str(w->rep, S_START, t[0]);
	rc |= report_str(w->rep, S_END, t[1]);
	rc |= report_int(w->rep, S_DURATION, (long long)s->duration_s);
	rc |= report_int(w->rep, S_TOUCHES, s->touches);
	rc |= report_int(w->rep, S_ACTIVE, s->active_minutes);
	rc |= report_str(w->rep, S_TEACHER, or_null(s->teacher));
	rc |= report_str(w->rep, S_INPUT, or_null(s->input.name));
	rc |= report_str(w->rep, S_VID, or_null(s->input.vid));
	rc |= report_str(w->rep, S_PID, or_null(s->input.pid));
	rc |= report_str(w->rep, S_FLAGS, flags);
	rc |= report_time(w->rep, S_RECEIVED, r->received_at, w->zone);
	rc |= report_str(w->rep, S_VIA, r->via == DB_VIA_BUNDLE ? "bundle" : "http");
	return rc ? bbt_error_set(e, "out of memory") : 0;
}

struct report *cmd_sessions_build(const struct report_env *env, const struct report_args *a,
    struct bbt_error *e)
{
	struct walk w = { report_new(S_N, columns), env->zone };

	return report_built(w.rep, w.rep ? db_sessions_each(env->db, a->school, a->device,
	    session_row, &w, e) : -1, e);
}
