/*
 * cmd_school: `bbt-server school add CODE NAME [--district NAME]` (CONTRACT
 * 5.1). A school must exist before tokens, admins, timetables or devices can
 * name it; its code is the key everywhere.
 *
 * `school set CODE [--idle-gap S] [--min-session S] [--stuck-contact S]
 * [--reset]`: the detector settings sent to that school's agents in
 * heartbeat replies (CONTRACT 4.1), each over the server's own (`serve
 * --idle-gap ...`); a setting not given keeps its stored value, --reset
 * drops them all first. The points rule's qualifying duration is not one of
 * them: it stays in the rule file.
 *
 * `school move CODE|--all URL` and `school move CODE|--all --cancel`: the
 * collector's new address, told to the school's agents in every heartbeat
 * reply until cancelled (CONTRACT 4.4). Agents follow only from https to
 * https, and only once the new address answers them, so a URL they cannot
 * use is refused here rather than sent to thousands of classrooms.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_session.h"
#include "commands.h"
#include "db.h"

static int usage(FILE *f)
{
	fputs("usage: bbt-server school add CODE NAME [--district NAME]\n"
	    "       bbt-server school set CODE [--idle-gap S] [--min-session S] "
	    "[--stuck-contact S] [--reset]\n"
	    "       bbt-server school move CODE|--all URL|--cancel\n", f);
	return f == stdout ? 0 : 2;
}

/* Codes go into URLs, CSV and file names: keep them plain. */
static int code_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < DB_SCHOOL_LEN &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int add(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "district", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db_school s = { 0 };
	struct bbt_error e;
	struct db *db = NULL;
	int c, rc = 1;

	optind = 0;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': snprintf(s.district, sizeof(s.district), "%s", optarg); break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (argc - optind != 2)
		return usage(stderr);
	if (!code_valid(argv[optind])) {
		fprintf(stderr, "bbt-server: school code '%s' must be 1..%d of A-Z a-z 0-9 . _ -\n",
		    argv[optind], DB_SCHOOL_LEN - 1);
		return 2;
	}
	if (argv[optind + 1][0] == '\0' || strlen(argv[optind + 1]) >= sizeof(s.name)) {
		fprintf(stderr, "bbt-server: school name must be 1..%zu bytes\n",
		    sizeof(s.name) - 1);
		return 2;
	}
	snprintf(s.code, sizeof(s.code), "%s", argv[optind]);
	snprintf(s.name, sizeof(s.name), "%s", argv[optind + 1]);
	if (cmd_db_open(ctx, &db, &e) < 0 || db_school_add(db, &s, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		goto out;
	}
	printf("school %s added: %s%s%s\n", s.code, s.name, s.district[0] ? ", " : "",
	    s.district);
	rc = 0;
out:
	cmd_db_close(db);
	return rc;
}

/* A number of seconds in [lo, 86400] into *out; -1 if not. */
static int seconds(const char *opt, const char *v, long lo, int64_t *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > 86400) {
		fprintf(stderr, "bbt-server: school set: %s must be %ld..86400 seconds\n", opt,
		    lo);
		return -1;
	}
	*out = n;
	return 0;
}

static void show(const char *what, int64_t v)
{
	if (v >= 0)
		printf(" %s=%lld", what, (long long)v);
	else
		printf(" %s=(server)", what);
}

static int set(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "idle-gap", required_argument, NULL, 'i' },
		{ "min-session", required_argument, NULL, 'm' },
		{ "stuck-contact", required_argument, NULL, 's' },
		{ "reset", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db_detector d, want = { -1, -1, -1 };
	struct bbt_error e;
	struct db *db = NULL;
	int c, rc = 1, reset = 0, given = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': if (seconds("--idle-gap", optarg, 1, &want.idle_gap) < 0) return 2;
			given++; break;
		case 'm': if (seconds("--min-session", optarg, 0, &want.min_session) < 0)
				return 2;
			given++; break;
		case 's': if (seconds("--stuck-contact", optarg, 1, &want.stuck_contact) < 0)
				return 2;
			given++; break;
		case 'r': reset = 1; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (argc - optind != 1 || (given == 0 && !reset))
		return usage(stderr);
	if (cmd_db_open(ctx, &db, &e) < 0 || db_school_check(db, argv[optind], &e) < 0 ||
	    db_begin(db, &e) < 0)
		goto fail;
	if (db_school_detector_get(db, argv[optind], &d, &e) < 0) {
		db_rollback(db);
		goto fail;
	}
	if (reset)
		d = (struct db_detector){ -1, -1, -1 };
	if (want.idle_gap >= 0)
		d.idle_gap = want.idle_gap;
	if (want.min_session >= 0)
		d.min_session = want.min_session;
	if (want.stuck_contact >= 0)
		d.stuck_contact = want.stuck_contact;
	if (db_school_detector_set(db, argv[optind], &d, &e) < 0) {
		db_rollback(db);
		goto fail;
	}
	if (db_commit(db, &e) < 0)
		goto fail;
	printf("school %s detector:", argv[optind]);
	show("idle_gap", d.idle_gap);
	show("min_session", d.min_session);
	show("stuck_contact", d.stuck_contact);
	putchar('\n');
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bbt-server: school set: %s\n", bbt_error_msg(&e));
out:
	cmd_db_close(db);
	return rc;
}

static int move(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "cancel", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *code = NULL, *url = NULL;
	struct bbt_error e;
	struct db *db = NULL;
	int64_t n = 0;
	int c, rc = 1, all = 0, cancel = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = 1; break;
		case 'c': cancel = 1; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (argc - optind != !all + !cancel)
		return usage(stderr);
	if (!all)
		code = argv[optind++];
	if (!cancel)
		url = argv[optind];
	if (url && !bbt_collector_url_valid(url, DB_URL_LEN)) {
		fprintf(stderr, "bbt-server: school move: '%s' is not an https:// URL of at most "
		    "%d visible characters (agents follow a moved collector only over "
		    "verified TLS)\n", url, DB_URL_LEN - 1);
		return 2;
	}
	if (cmd_db_open(ctx, &db, &e) < 0 || (code && db_school_check(db, code, &e) < 0) ||
	    db_school_collector_set(db, code, url, &n, &e) < 0) {
		fprintf(stderr, "bbt-server: school move: %s\n", bbt_error_msg(&e));
		goto out;
	}
	if (url)
		printf("%lld school%s: agents told the collector is now at %s\n", (long long)n,
		    n == 1 ? "" : "s", url);
	else
		printf("%lld school%s: move cancelled\n", (long long)n, n == 1 ? "" : "s");
	rc = 0;
out:
	cmd_db_close(db);
	return rc;
}

int cmd_school(struct server_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return add(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "set") == 0)
		return set(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "move") == 0)
		return move(ctx, argc - 1, argv + 1);
	return cmd_no_subcommand("school", argc, argv, usage);
}
