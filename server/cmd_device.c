/*
 * cmd_device: `bbt-server device list [--school CODE]`, `device revoke ID`,
 * `device move ID --school CODE --room NAME` (CONTRACT 5.1): an admin's hand on
 * one enrolled device. `devices` is the fleet report; `device list` is the
 * identity view an admin revokes or moves from (hw_id, enrollment, clone
 * evidence, revocation, the current public key).
 *
 * revoke ends the device token at once on every server process (each
 * request looks its token up in the database). The machine can enroll again
 * only with an enrollment token of its school, which lifts the revocation:
 * revoke those too (`token revoke`) to keep it out. move is the one way a
 * device changes school (enrollment never moves one, CONTRACT 4.4); its token,
 * key and past sessions (stored with the school and room they were recorded
 * in) stay as they are.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bbt_time.h"
#include "commands.h"
#include "db.h"
#include "fleet.h"
#include "points.h"
#include "report.h"
#include "report_cmd.h"

const char cmd_device_usage[] =
    "usage: bbt-server device list [--school CODE] [--format table|csv|json]\n"
    "       bbt-server device revoke ID\n"
    "       bbt-server device move ID --school CODE --room NAME\n";

static int usage(FILE *f)
{
	fputs(cmd_device_usage, f);
	return f == stdout ? 0 : 2;
}

enum { D_ID, D_HW, D_SCHOOL, D_ROOM, D_HOST, D_ENROLLED, D_SEEN, D_REENROLLED,
	D_LAST_REENROLLED, D_CLONE, D_REVOKED, D_KEY, D_N };

struct walk {
	struct report *rep;
	const char *zone;
	int64_t now;
};

static int device_row(void *arg, const struct db_device *d, const char *inputs_json,
    struct bbt_error *e)
{
	struct walk *w = arg;
	int rc = 0;

	(void)inputs_json;
	rc |= report_row(w->rep);
	rc |= report_str(w->rep, D_ID, d->device_id);
	rc |= report_str(w->rep, D_HW, d->hw_id);
	rc |= report_str(w->rep, D_SCHOOL, d->school);
	rc |= report_str(w->rep, D_ROOM, d->room);
	rc |= report_str(w->rep, D_HOST, d->hostname);
	rc |= report_time(w->rep, D_ENROLLED, d->enrolled_at, w->zone);
	rc |= report_time(w->rep, D_SEEN, d->last_seen, w->zone);
	rc |= report_int(w->rep, D_REENROLLED, (long long)d->reenrolled);
	rc |= report_time(w->rep, D_LAST_REENROLLED, d->reenrolled_at, w->zone);
	rc |= report_bool(w->rep, D_CLONE, fleet_clone_suspected(d->clone_at, w->now));
	rc |= report_time(w->rep, D_REVOKED, d->revoked_at, w->zone);
	/* Which machine holds the identity now (CONTRACT 4.4): key changes are
	 * what clone evidence is made of. */
	rc |= report_str(w->rep, D_KEY, d->public_key);
	return rc ? bbt_error_set(e, "out of memory") : 0;
}

/* The rows of `device list`, a list entry of the report table (report_cmds.c). */
struct report *cmd_device_list_build(const struct report_env *env,
    const struct report_args *a, struct bbt_error *e)
{
	static const char *const cols[D_N] = { "device_id", "hw_id", "school", "room",
		"hostname", "enrolled", "last_seen", "reenrolled", "last_reenrolled",
		"clone_suspected", "revoked", "public_key" };
	struct walk w = { report_new(D_N, cols), env->zone, env->now };

	return report_built(w.rep, w.rep ? db_devices_each(env->db, a->school, device_row, &w,
	    e) : -1, e);
}

struct change {
	const char *id;
	const char *school, *room;	/* move; NULL for revoke */
	struct db_device d;		/* the device before the change */
	int found;
};

/* In the transaction: look the device up, then revoke or move it. */
static int apply(struct db *db, struct change *c, struct bbt_error *e)
{
	if (db_device_get(db, c->id, &c->d, &c->found, e) < 0)
		return -1;
	if (!c->found)
		return 0;
	if (!c->school) {
		if (c->d.revoked_at)
			return 0;
		return db_device_revoke(db, c->id, (int64_t)time(NULL), e);
	}
	if (cmd_school_known(db, c->school, e) < 0)
		return -1;
	return db_device_move(db, c->id, c->school, c->room, e);
}

static int change(struct server_ctx *ctx, struct change *c, const char *what)
{
	struct db *db = NULL;
	struct bbt_error e;

	if (cmd_db_open(ctx, &db, &e) < 0 || db_begin(db, &e) < 0 || apply(db, c, &e) < 0 ||
	    db_commit(db, &e) < 0) {
		fprintf(stderr, "bbt-server: device %s: %s\n", what, bbt_error_msg(&e));
		cmd_db_close(db);
		return 1;
	}
	cmd_db_close(db);
	if (!c->found) {
		fprintf(stderr, "bbt-server: device %s: no device %s (see `device list`)\n",
		    what, c->id);
		return 1;
	}
	return 0;
}

static int revoke(struct server_ctx *ctx, int argc, char **argv)
{
	struct change ch = { 0 };
	int rc;

	ch.id = cmd_one_arg(argc, argv, usage, &rc);
	if (ch.id == NULL)
		return rc;
	if (change(ctx, &ch, "revoke") != 0)
		return 1;
	if (ch.d.revoked_at)
		printf("device %s was already revoked\n", ch.id);
	else
		printf("device %s (school %s, room %s) revoked: its token is refused from now "
		    "on; it can enroll again only with an enrollment token of school %s\n",
		    ch.id, ch.d.school, ch.d.room, ch.d.school);
	return 0;
}

static int move(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "school", required_argument, NULL, 's' },
		{ "room", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct change ch = { 0 };
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': ch.school = optarg; break;
		case 'r': ch.room = optarg; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (argc - optind != 1 || argv[optind][0] == '\0' || !ch.school || !ch.room) {
		fputs("bbt-server: device move: give the device ID, --school and --room\n",
		    stderr);
		return usage(stderr);
	}
	if (!ch.school[0] || strlen(ch.school) >= DB_SCHOOL_LEN || !ch.room[0] ||
	    strlen(ch.room) >= DB_ROOM_LEN) {
		fprintf(stderr, "bbt-server: device move: --school must be 1..%d bytes and "
		    "--room 1..%d\n", DB_SCHOOL_LEN - 1, DB_ROOM_LEN - 1);
		return 2;
	}
	ch.id = argv[optind];
	if (change(ctx, &ch, "move") != 0)
		return 1;
	printf("device %s moved from school %s, room %s to school %s, room %s; its token "
	    "and past sessions are unchanged\n", ch.id, ch.d.school, ch.d.room, ch.school,
	    ch.room);
	return 0;
}

int cmd_device(struct server_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
		return revoke(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "move") == 0)
		return move(ctx, argc - 1, argv + 1);
	return cmd_no_subcommand("device", argc, argv, usage);
}
