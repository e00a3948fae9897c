/*
 * cmd_token: `bbt-server token create --school CODE [--uses N]
 * [--expires-days D]` (SPEC 5.1). Prints the enrollment token once, alone
 * on the last line of stdout (scripts take `| tail -1`); only its SHA-256
 * digest is stored. Defaults: 1 use, 30 days. --expires-days 0 makes a
 * token that is already expired (useful only to test that refusal).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "commands.h"
#include "db.h"

#define TOKEN_DEFAULT_USES 1
#define TOKEN_DEFAULT_DAYS 30
#define TOKEN_MAX_USES 1000000
#define TOKEN_MAX_DAYS 3650

static int usage(FILE *f)
{
	fputs("usage: bbt-server token create --school CODE [--uses N] [--expires-days D]\n"
	    "  defaults: --uses 1 --expires-days 30\n", f);
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
	struct db_school s;
	struct db *db = NULL;
	int found, rc = -1;

	if (db_open(ctx->db, &db, e) < 0 || db_school_get(db, t->school, &s, &found, e) < 0)
		goto out;
	if (!found) {
		bbt_error_set(e, "unknown school %s (add it with `school add`)", t->school);
		goto out;
	}
	rc = db_enroll_token_add(db, t, e);
out:
	db_close(db);
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
	if (auth_token_new(token, &e) < 0 || auth_hash(token, t.hash, &e) < 0 ||
	    store(ctx, &t, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		return 1;
	}
	printf("enrollment token for school %s, %ld use%s, valid %ld day%s "
	    "(shown once, stored only as a hash):\n%s\n", t.school, uses, uses == 1 ? "" : "s",
	    days, days == 1 ? "" : "s", token);
	return 0;
}

int cmd_token(struct server_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return create(ctx, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return usage(stdout);
	return usage(stderr);
}
