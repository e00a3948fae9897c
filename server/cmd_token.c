/*
 * cmd_token: `bbt-server token create --school CODE [--uses N]
 * [--expires-days D]`, `token list [--school CODE]`, `token revoke PREFIX`
 * (CONTRACT 5.1). create prints the enrollment token once, alone on the last
 * line of stdout (scripts take `| tail -1`); only its SHA-256 digest and its
 * first DB_PREFIX_LEN characters are stored, the prefix being what `list`
 * shows and `revoke` takes (8 hex digits of 64 say nothing useful about the
 * rest). Defaults: 1 use, 30 days. --expires-days 0 makes a token that is
 * already expired (useful only to test that refusal). Tokens made before
 * schema v3 have no prefix: they show and are revoked as "sha256:" and the
 * start of their digest. A revoked token enrolls nothing more; devices it
 * enrolled keep their own tokens (revoke those with `device revoke`).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "bbt_time.h"
#include "commands.h"
#include "db.h"
#include "points.h"
#include "report.h"
#include "report_cmd.h"

#define TOKEN_DEFAULT_USES 1
#define TOKEN_DEFAULT_DAYS 30
#define TOKEN_MAX_USES 1000000
#define TOKEN_MAX_DAYS 3650

#define TOKEN_MIN_PREFIX 4	/* fewest characters `revoke` takes */

const char cmd_token_usage[] =
    "usage: bbt-server token create --school CODE [--uses N] [--expires-days D]\n"
    "  defaults: --uses 1 --expires-days 30\n"
    "       bbt-server token list [--school CODE] [--format table|csv|json]\n"
    "       bbt-server token revoke PREFIX   (4 to 8 characters as `list` shows them,\n"
    "                                         the whole token, or sha256:DIGEST...)\n";

static int usage(FILE *f)
{
	fputs(cmd_token_usage, f);
	return f == stdout ? 0 : 2;
}

static int number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int store(struct server_ctx *ctx, struct db_enroll_token *t, struct bbt_error *e)
{
	struct db *db = NULL;
	int rc = -1;

	if (cmd_db_open(ctx, &db, e) == 0 && cmd_school_known(db, t->school, e) == 0)
		rc = db_enroll_token_add(db, t, e);
	cmd_db_close(db);
	return rc;
}

static int create(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "school", required_argument, NULL, 's' },
		{ "uses", required_argument, NULL, 'u' },
		{ "expires-days", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db_enroll_token t = { 0 };
	char token[AUTH_TOKEN_LEN];
	long uses = TOKEN_DEFAULT_USES, days = TOKEN_DEFAULT_DAYS;
	struct bbt_error e;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "s:u:x:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': snprintf(t.school, sizeof(t.school), "%s", optarg); break;
		case 'u':
			if (number(optarg, 1, TOKEN_MAX_USES, &uses) < 0) {
				fprintf(stderr, "bbt-server: --uses must be 1..%d\n", TOKEN_MAX_USES);
				return 2;
			}
			break;
		case 'x':
			if (number(optarg, 0, TOKEN_MAX_DAYS, &days) < 0) {
				fprintf(stderr, "bbt-server: --expires-days must be 0..%d\n",
				    TOKEN_MAX_DAYS);
				return 2;
			}
			break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind != argc || t.school[0] == '\0')
		return usage(stderr);
	t.created_at = (int64_t)time(NULL);
	t.expires_at = t.created_at + (int64_t)days * 86400;
	t.uses_left = uses;
	if (auth_token_new(token, &e) == 0)
		snprintf(t.prefix, sizeof(t.prefix), "%.*s", DB_PREFIX_LEN, token);
	if (!t.prefix[0] || auth_hash(token, t.hash, &e) < 0 || store(ctx, &t, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		return 1;
	}
	printf("enrollment token for school %s, %ld use%s, valid %ld day%s "
	    "(shown once, stored only as a hash):\n%s\n", t.school, uses, uses == 1 ? "" : "s",
	    days, days == 1 ? "" : "s", token);
	return 0;
}

/* What a token goes by in `list` and `revoke`. */
static void token_name(const struct db_enroll_token *t, char *buf, size_t len)
{
	if (t->prefix[0])
		snprintf(buf, len, "%s", t->prefix);
	else
		snprintf(buf, len, "sha256:%.12s", t->hash);
}

static const char *token_state(const struct db_enroll_token *t, int64_t now)
{
	if (t->revoked_at)
		return "revoked";
	if (now >= t->expires_at)
		return "expired";
	return t->uses_left > 0 ? "active" : "used up";
}

enum { T_TOKEN, T_SCHOOL, T_USES, T_EXPIRES, T_CREATED, T_STATE, T_REVOKED, T_N };

struct token_walk {
	struct report *rep;
	const char *zone;
	int64_t now;
};

static int token_row(void *arg, const struct db_enroll_token *t, struct bbt_error *e)
{
	struct token_walk *w = arg;
	char name[32];
	int rc = 0;

	token_name(t, name, sizeof(name));
	rc |= report_row(w->rep);
	rc |= report_str(w->rep, T_TOKEN, name);
	rc |= report_str(w->rep, T_SCHOOL, t->school);
	rc |= report_int(w->rep, T_USES, (long long)t->uses_left);
	rc |= report_time(w->rep, T_EXPIRES, t->expires_at, w->zone);
	rc |= report_time(w->rep, T_CREATED, t->created_at, w->zone);
	rc |= report_str(w->rep, T_STATE, token_state(t, w->now));
	rc |= report_time(w->rep, T_REVOKED, t->revoked_at, w->zone);
	return rc ? bbt_error_set(e, "out of memory") : 0;
}

/* The rows of `token list`, a list entry of the report table (report_cmds.c). */
struct report *cmd_token_list_build(const struct report_env *env, const struct report_args *a,
    struct bbt_error *e)
{
	static const char *const cols[T_N] = { "token", "school", "uses_left", "expires",
		"created", "state", "revoked" };
	struct token_walk w = { report_new(T_N, cols), env->zone, env->now };

	return report_built(w.rep, w.rep ? db_enroll_tokens_each(env->db, a->school, token_row,
	    &w, e) : -1, e);
}

/*
 * PREFIX as revoke takes it, lowercased into key: *by_hash for the digest
 * forms (sha256:..., or a whole token, hashed here). -1 if malformed.
 */
static int revoke_key(const char *arg, char *key, size_t len, int *by_hash,
    struct bbt_error *e)
{
	const char *hex = arg;
	char low[AUTH_TOKEN_LEN];
	size_t n;

	*by_hash = strncmp(arg, "sha256:", 7) == 0;
	if (*by_hash)
		hex += 7;
	n = strlen(hex);
	if (n < TOKEN_MIN_PREFIX || n >= sizeof(low) || strspn(hex, "0123456789abcdefABCDEF") != n)
		return bbt_error_set(e, "'%s' is not a token prefix (%d to %d hex digits, "
		    "the whole token, or sha256:DIGEST)", arg, TOKEN_MIN_PREFIX, DB_PREFIX_LEN);
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)hex[i]);
	if (*by_hash) {
		snprintf(key, len, "%s", low);
		return 0;
	}
	if (n == AUTH_TOKEN_LEN - 1) {
		*by_hash = 1;
		return auth_hash(low, key, e);
	}
	if (n > DB_PREFIX_LEN)
		return bbt_error_set(e, "'%s': only the first %d characters of a token are "
		    "stored; give those (as `token list` shows) or the whole token", arg,
		    DB_PREFIX_LEN);
	snprintf(key, len, "%s", low);
	return 0;
}

#define REVOKE_SHOW 5	/* candidates named when a prefix is ambiguous */

/* Revoke the one token key names; 1 = refused (message printed), -1 = error. */
static int revoke_one(struct db *db, const char *arg, const char *key, int by_hash,
    struct bbt_error *e)
{
	struct db_enroll_token t[REVOKE_SHOW];
	char name[32];
	size_t n;

	if (db_enroll_tokens_match(db, key, by_hash, t, REVOKE_SHOW, &n, e) < 0)
		return -1;
	if (n == 0) {
		fprintf(stderr, "bbt-server: token revoke: no enrollment token matches '%s' "
		    "(see `token list`)\n", arg);
		return 1;
	}
	if (n > 1) {
		fprintf(stderr, "bbt-server: token revoke: '%s' is ambiguous, %zu tokens match "
		    "(nothing revoked); give more of it:\n", arg, n);
		for (size_t i = 0; i < n && i < REVOKE_SHOW; i++) {
			token_name(&t[i], name, sizeof(name));
			fprintf(stderr, "  %s  school %s  (or sha256:%.16s)\n", name, t[i].school,
			    t[i].hash);
		}
		return 1;
	}
	token_name(&t[0], name, sizeof(name));
	if (t[0].revoked_at) {
		printf("enrollment token %s (school %s) was already revoked\n", name, t[0].school);
		return 0;
	}
	if (db_enroll_token_revoke(db, t[0].hash, (int64_t)time(NULL), e) < 0)
		return -1;
	printf("enrollment token %s (school %s) revoked: it enrolls nothing more; devices it "
	    "enrolled keep their own tokens\n", name, t[0].school);
	return 0;
}

static int revoke(struct server_ctx *ctx, int argc, char **argv)
{
	char key[AUTH_TOKEN_LEN + 8];
	struct db *db = NULL;
	struct bbt_error e;
	int by_hash, rc = cmd_help_opts(argc, argv, usage);

	if (rc >= 0)
		return rc;
	if (argc - optind != 1)
		return usage(stderr);
	if (revoke_key(argv[optind], key, sizeof(key), &by_hash, &e) < 0) {
		fprintf(stderr, "bbt-server: token revoke: %s\n", bbt_error_msg(&e));
		return 2;
	}
	if (cmd_db_open(ctx, &db, &e) < 0 || db_begin(db, &e) < 0)
		goto fail;
	rc = revoke_one(db, argv[optind], key, by_hash, &e);
	if (rc < 0 || (rc == 0 && db_commit(db, &e) < 0))
		goto fail;
	cmd_db_close(db);
	return rc;
fail:
	fprintf(stderr, "bbt-server: token revoke: %s\n", bbt_error_msg(&e));
	cmd_db_close(db);
	return 1;
}

int cmd_token(struct server_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return create(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
		return revoke(ctx, argc - 1, argv + 1);
	return cmd_no_subcommand("token", argc, argv, usage);
}
