/*
 * cmd_admin: `bbt-server admin create NAME [--school CODE]`, `admin list`,
 * `admin passwd NAME`, `admin revoke NAME` (CONTRACT 5.1). create prints
 * the admin token once, alone on the last line of stdout; only its SHA-256
 * digest is stored. Without
 * --school the admin is a bureau admin and sees every school; with it, only
 * that school. revoke ends the token at once on every server process (each
 * request looks its token up in the database); `admin create` with the
 * revoked name later makes it anew with a new token.
 *
 * passwd sets the dashboard sign-in password: from stdin when it is not a
 * terminal (one line; scripts, `make demo`), else typed twice at a prompt
 * with echo off. Only its scrypt hash is stored (auth_password.h); a new
 * password, like a revocation, ends the admin's sign-in sessions.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "auth_password.h"
#include "bbt_time.h"
#include "commands.h"
#include "db.h"
#include "db_auth.h"
#include "points.h"
#include "report.h"
#include "report_cmd.h"

const char cmd_admin_usage[] =
    "usage: bbt-server admin create NAME [--school CODE]\n"
    "       bbt-server admin passwd NAME     (password on stdin, or typed twice)\n"
    "       bbt-server admin list [--format table|csv|json]\n"
    "       bbt-server admin revoke NAME\n";

static int usage(FILE *f)
{
	return cmd_usage(f, cmd_admin_usage);
}

static int store(struct server_ctx *ctx, const struct db_admin *a, const char *hash,
    struct bbt_error *e)
{
	struct db *db = NULL;
	int rc = -1;

	if (cmd_db_open(ctx, &db, e) == 0 &&
	    (a->school[0] == '\0' || cmd_school_known(db, a->school, e) == 0))
		rc = db_admin_add(db, a, hash, (int64_t)time(NULL), e);
	cmd_db_close(db);
	return rc;
}

static int create(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "school", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db_admin a = { 0 };
	char token[AUTH_TOKEN_LEN], hash[AUTH_HASH_LEN];
	struct bbt_error e;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': snprintf(a.school, sizeof(a.school), "%s", optarg); break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (argc - optind != 1)
		return usage(stderr);
	if (argv[optind][0] == '\0' || strlen(argv[optind]) >= sizeof(a.name)) {
		fprintf(stderr, "bbt-server: admin name must be 1..%zu bytes\n",
		    sizeof(a.name) - 1);
		return 2;
	}
	snprintf(a.name, sizeof(a.name), "%s", argv[optind]);
	if (auth_token_new(token, &e) < 0 || auth_hash(token, hash, &e) < 0 ||
	    store(ctx, &a, hash, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		return 1;
	}
	printf("admin %s (%s%s), token shown once, stored only as a hash:\n%s\n", a.name,
	    a.school[0] ? "school " : "bureau: every school", a.school, token);
	return 0;
}

/* One line of at most AUTH_PASSWORD_MAX bytes from f, without its newline;
 * -1 at end of input or past the limit. */
static int read_line(FILE *f, char *buf, size_t len)
{
	size_t n;

	if (!fgets(buf, (int)len, f))
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(f))
		return -1;	/* longer than the buffer */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

/* Prompt on stderr and read a line from the terminal on stdin, echo off. */
static int prompt(const char *what, char *buf, size_t len)
{
	struct termios old, quiet;
	int rc;

	if (tcgetattr(STDIN_FILENO, &old) < 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	/* Echo off before the prompt shows: what is typed after it is never seen. */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &quiet) < 0)
		return -1;
	fputs(what, stderr);
	fflush(stderr);
	rc = read_line(stdin, buf, len);
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	return rc;
}

/* The new password into pw: 0, or an exit status after saying why. */
static int get_password(char *pw, size_t len)
{
	char again[AUTH_PASSWORD_MAX + 2];
	struct bbt_error e;
	int same;

	if (!isatty(STDIN_FILENO)) {
		if (read_line(stdin, pw, len) < 0) {
			fprintf(stderr, "bbt-server: admin passwd: no password on stdin (one "
			    "line, at most %d bytes)\n", AUTH_PASSWORD_MAX);
			return CMD_FAIL;
		}
	} else if (prompt("New password: ", pw, len) < 0 ||
	    prompt("Same password again: ", again, sizeof(again)) < 0) {
		fprintf(stderr, "bbt-server: admin passwd: cannot read the password from the "
		    "terminal\n");
		return CMD_FAIL;
	} else {
		same = strcmp(pw, again) == 0;
		OPENSSL_cleanse(again, sizeof(again));
		if (!same) {
			fputs("bbt-server: admin passwd: the two passwords differ; nothing "
			    "changed\n", stderr);
			return CMD_FAIL;
		}
	}
	if (auth_password_check(pw, &e) < 0) {
		fprintf(stderr, "bbt-server: admin passwd: %s; nothing changed\n",
		    bbt_error_msg(&e));
		return CMD_FAIL;
	}
	return CMD_OK;
}

static int set_password(struct server_ctx *ctx, const char *name, const char *pw)
{
	char hash[AUTH_PASSWORD_HASH_LEN];
	struct db *db = NULL;
	struct bbt_error e;
	int found = 0;

	if (auth_password_hash(pw, hash, &e) < 0 || cmd_db_open(ctx, &db, &e) < 0 ||
	    db_begin(db, &e) < 0 ||
	    db_auth_password_set(db, name, hash, (int64_t)time(NULL), &found, &e) < 0 ||
	    db_commit(db, &e) < 0) {
		fprintf(stderr, "bbt-server: admin passwd: %s\n", bbt_error_msg(&e));
		cmd_db_close(db);
		return CMD_FAIL;
	}
	cmd_db_close(db);
	if (!found) {
		fprintf(stderr, "bbt-server: admin passwd: no active admin named '%s' (see "
		    "`admin list`; `admin create` makes one)\n", name);
		return CMD_FAIL;
	}
	printf("admin %s: sign-in password set (stored as a scrypt hash); its earlier "
	    "sign-in sessions are ended\n", name);
	return CMD_OK;
}

static int passwd(struct server_ctx *ctx, int argc, char **argv)
{
	char pw[AUTH_PASSWORD_MAX + 2];
	int rc;
	const char *name = cmd_one_arg(argc, argv, usage, &rc);

	if (name == NULL)
		return rc;
	rc = get_password(pw, sizeof(pw));
	if (rc == CMD_OK)
		rc = set_password(ctx, name, pw);
	OPENSSL_cleanse(pw, sizeof(pw));
	return rc;
}

enum { A_NAME, A_SCOPE, A_SCHOOL, A_CREATED, A_STATE, A_REVOKED, A_PASSWORD, A_N };

struct admin_walk {
	struct report *rep;
	const char *zone;
	struct db *db;
};

/* What the admin's sign-in password is stored as ("none" without one). */
static int password_kind(struct admin_walk *w, const struct db_admin *a, char *out,
    size_t len, struct bbt_error *e)
{
	char hash[DB_AUTH_HASH_LEN];
	struct db_admin who;
	int found = 0;

	snprintf(out, len, "none");
	if (a->revoked_at || db_auth_password_get(w->db, a->name, hash, &who, &found, e) < 0)
		return a->revoked_at ? 0 : -1;
	if (found)
		auth_password_describe(hash, out, len);
	return 0;
}

static int admin_row(void *arg, const struct db_admin *a, struct bbt_error *e)
{
	struct admin_walk *w = arg;
	char pw[64];
	int rc = 0;

	if (password_kind(w, a, pw, sizeof(pw), e) < 0)
		return -1;
	rc |= report_row(w->rep);
	rc |= report_str(w->rep, A_NAME, a->name);
	rc |= report_str(w->rep, A_SCOPE, a->school[0] ? "school" : "bureau");
	rc |= report_str(w->rep, A_SCHOOL, a->school[0] ? a->school : NULL);
	rc |= report_time(w->rep, A_CREATED, a->created_at, w->zone);
	rc |= report_str(w->rep, A_STATE, a->revoked_at ? "revoked" : "active");
	rc |= report_time(w->rep, A_REVOKED, a->revoked_at, w->zone);
	rc |= report_str(w->rep, A_PASSWORD, pw);
	return rc ? bbt_error_set(e, "out of memory") : 0;
}

/* The rows of `admin list`, a list entry of the report table (report_cmds.c). */
struct report *cmd_admin_list_build(const struct report_env *env, const struct report_args *a,
    struct bbt_error *e)
{
	static const char *const cols[A_N] = { "name", "scope", "school", "created", "state",
		"revoked", "password" };
	struct admin_walk w = { report_new(A_N, cols), env->zone, env->db };

	(void)a;
	return report_built(w.rep, w.rep ? db_admins_each(env->db, admin_row, &w, e) : -1, e);
}

static int revoke_admin(struct server_ctx *ctx, int argc, char **argv)
{
	struct db *db = NULL;
	struct bbt_error e;
	int found, already, rc;
	const char *name = cmd_one_arg(argc, argv, usage, &rc);

	if (name == NULL)
		return rc;
	if (cmd_db_open(ctx, &db, &e) < 0 || db_begin(db, &e) < 0 ||
	    db_admin_revoke(db, name, (int64_t)time(NULL), &found, &already, &e) < 0 ||
	    db_auth_admin_forget(db, name, &e) < 0 || db_commit(db, &e) < 0) {
		fprintf(stderr, "bbt-server: admin revoke: %s\n", bbt_error_msg(&e));
		cmd_db_close(db);
		return 1;
	}
	cmd_db_close(db);
	if (!found) {
		fprintf(stderr, "bbt-server: admin revoke: no admin named '%s' (see `admin "
		    "list`)\n", name);
		return 1;
	}
	printf(already ? "admin %s was already revoked\n" : "admin %s revoked: its token, "
	    "password and sign-in sessions are refused from now on, by every server "
	    "process\n", name);
	return 0;
}

int cmd_admin(struct server_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return create(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "passwd") == 0)
		return passwd(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
		return revoke_admin(ctx, argc - 1, argv + 1);
	return cmd_no_subcommand("admin", argc, argv, usage);
}
