/*
 * report_cmd: the runner every report entry goes through (report_cmd.h).
 * It owns the parts each report command once repeated: option parsing for
 * the CLI and the API, loading the rule file, the period check before any
 * database work, opening the database, the school check, writing in the
 * chosen format and printing the error, and the JSON answer of the API.
 * Entries only build rows.
 */
#include "report_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bbt_defaults.h"
#include "bbt_file.h"
#include "db.h"
#include "fleet.h"
#include "report_xlsx.h"
#include "rulebook.h"

/* The options a report writes with (--out, --lang), which lists lack. */
#define RC_WRITE	0x10000u

/* Every option a report may take; an entry gets those its opts name. */
static const struct {
	unsigned bit;		/* 0: every entry */
	struct option opt;
} all_opts[] = {
	{ RC_WEEK, { "week", required_argument, NULL, 'w' } },
	{ RC_PERIOD, { "from", required_argument, NULL, 'f' } },
	{ RC_PERIOD, { "to", required_argument, NULL, 't' } },
	{ RC_SCHOOL, { "school", required_argument, NULL, 's' } },
	{ RC_EXPLAIN, { "explain", no_argument, NULL, 'x' } },
	{ RC_BEHIND, { "behind", no_argument, NULL, 'b' } },
	{ RC_OFFLINE, { "offline-after", required_argument, NULL, 'a' } },
	{ RC_DEVICE, { "device", required_argument, NULL, 'd' } },
	{ 0, { "format", required_argument, NULL, 'F' } },
	{ RC_WRITE, { "out", required_argument, NULL, 'o' } },
	{ RC_WRITE, { "lang", required_argument, NULL, 'L' } },
	{ 0, { "help", no_argument, NULL, 'h' } },
};
#define NOPTS (sizeof(all_opts) / sizeof(all_opts[0]))

/* One CLI run's options: the report's, and how to write it. */
struct cli {
	struct report_args a;
	enum report_format f;
	int xlsx;
	const char *out;
	int lang;		/* 'z' Chinese headers, 'e' the keys, 0 the default */
};

/* A number of seconds, 1 s to a year. */
static int parse_seconds(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < 1 || *out > 366L * 86400 ? -1 : 0;
}

/* --format: a list takes table|csv|json, a report xlsx too. */
static int cli_format(const struct report_entry *re, const char *s, struct cli *o)
{
	struct bbt_error e;

	if ((re->opts & RC_LIST ? report_format_parse(s, &o->f, &e) :
	    report_xlsx_format_parse(s, &o->f, &o->xlsx, &e)) == 0)
		return 0;
	fprintf(stderr, "bbt-server: %s: %s\n", re->name, bbt_error_msg(&e));
	return CMD_USAGE;
}

/* The option of one getopt result; 0 to go on, else the exit status (or -1:
 * --help, exit 0). */
static int cli_option(const struct report_entry *re, int c, struct cli *o)
{
	switch (c) {
	case 'w': o->a.week = optarg; return 0;
	case 'f': o->a.from = optarg; return 0;
	case 't': o->a.to = optarg; return 0;
	case 's': o->a.school = optarg; return 0;
	case 'd': o->a.device = optarg; return 0;
	case 'x': o->a.explain = 1; return 0;
	case 'b': o->a.behind = 1; return 0;
	case 'o': o->out = optarg; return 0;
	case 'a':
		if (parse_seconds(optarg, &o->a.offline_after) == 0)
			return 0;
		fprintf(stderr, "bbt-server: %s: --offline-after: '%s' is not a number of "
		    "seconds\n", re->name, optarg);
		return CMD_USAGE;
	case 'F': return cli_format(re, optarg, o);
	case 'L':
		if (strcmp(optarg, "zh") == 0 || strcmp(optarg, "en") == 0) {
			o->lang = optarg[0];
			return 0;
		}
		fprintf(stderr, "bbt-server: %s: --lang: '%s' (want zh or en)\n", re->name,
		    optarg);
		return CMD_USAGE;
	case 'h': fputs(re->usage, stdout); return -1;
	default: fputs(re->usage, stderr); return CMD_USAGE;
	}
}

/* 0, -1 after --help, or the exit status to leave with. */
static int cli_parse(const struct report_entry *re, int argc, char **argv, struct cli *o)
{
	unsigned have = re->opts | (re->opts & RC_LIST ? 0 : RC_WRITE);
	struct option opts[NOPTS + 1];
	size_t n = 0;
	int c, rc;

	for (size_t i = 0; i < NOPTS; i++)
		if (all_opts[i].bit == 0 || (have & all_opts[i].bit))
			opts[n++] = all_opts[i].opt;
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
	optind = 0;
	while ((c = getopt_long(argc, argv, re->opts & RC_SHORT_SCHOOL ? "s:h" : "h", opts,
	    NULL)) != -1)
		if ((rc = cli_option(re, c, o)) != 0)
			return rc;
	if (optind != argc || (o->xlsx && o->out == NULL)) {
		fputs(o->xlsx && o->out == NULL ? "--format xlsx needs --out FILE\n" : re->usage,
		    stderr);
		return CMD_USAGE;
	}
	o->a.shape = o->xlsx ? REPORT_CSV : o->f;
	/* The default (CONTRACT 5.1): Chinese headers for the workbook and CSV, which
	 * officers open in Excel; the keys for the terminal table (docs/stats.md).
	 * A list's headers are always its keys. */
	if (o->lang == 0)
		o->lang = !(re->opts & RC_LIST) && (o->xlsx || o->f == REPORT_CSV) ? 'z' : 'e';
	return 0;
}

/* What re needs of the rule into rule/rs and env: the file at path for the
 * CLI; for the API the rule `serve` loaded (rulebook.h). */
static int load_rules(const struct report_entry *re, const char *path, int serving,
    struct points_rule *rule, struct rules_stats *rs, struct report_env *env,
    struct bbt_error *e)
{
	struct rules_stats *want = re->opts & RC_RULES_STATS ? rs : NULL;

	if (!(re->opts & (RC_RULES | RC_RULES_STATS)))
		return 0;
	if ((serving ? rulebook_get(path, rule, want, e) :
	    want ? rules_load_all(path, rule, rs, e) : rules_load(path, rule, e)) < 0)
		return -1;
	env->rule = rule;
	env->rs = want;
	return 0;
}

static int cli_build(const struct report_entry *re, struct server_ctx *ctx, struct cli *o,
    struct bbt_error *e)
{
	struct report_env env = { NULL, NULL, NULL, ctx->tz, (int64_t)time(NULL) };
	struct points_rule rule;
	struct rules_stats rs;
	struct report *rep = NULL;
	int rc = -1;

	if (load_rules(re, ctx->rules, 0, &rule, &rs, &env, e) < 0 ||
	    (re->check != NULL && re->check(&o->a, &env, e) < 0) ||
	    cmd_db_open(ctx, &env.db, e) < 0 || db_school_check(env.db, o->a.school, e) < 0)
		goto out;
	rep = re->build(&env, &o->a, e);
	if (rep != NULL)
		rc = report_xlsx_output(rep, o->xlsx, o->f, o->out, o->lang == 'z', re->sheet,
		    e);
out:
	report_free(rep);
	cmd_db_close(env.db);
	return rc;
}

int report_cmd_run(const struct report_entry *re, struct server_ctx *ctx, int argc,
    char **argv)
{
	struct cli o = { { .offline_after = FLEET_OFFLINE_AFTER_S }, REPORT_TABLE, 0, NULL, 0 };
	struct bbt_error e;
	int rc = cli_parse(re, argc, argv, &o);

	if (rc != 0)
		return rc < 0 ? CMD_OK : rc;
	if (cli_build(re, ctx, &o, &e) == 0)
		return CMD_OK;
	fprintf(stderr, "bbt-server: %s: %s\n", re->name, bbt_error_msg(&e));
	return CMD_FAIL;
}

/* Answer 200 with rep as a JSON array (frees rep), or 500 naming what. */
static void api_reply(struct http_response *res, struct report *rep, const char *what,
    const struct bbt_error *e)
{
	char *body;
	size_t len = 0;

	if (rep == NULL) {
		http_reply_error(res, 500, "%s: %s", what, bbt_error_msg(e));
		return;
	}
	body = report_json_text(rep, &len);	/* a row at a time, never the whole tree */
	report_free(rep);
	if (body == NULL) {
		http_reply_error(res, 500, "out of memory");
		return;
	}
	http_reply_raw(res, 200, NULL, body, len);
}

/* 1|true|"" -> 1, absent|0|false -> 0, else -1. */
static int query_flag(const char *v)
{
	if (v == NULL || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		return 0;
	return strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || v[0] == '\0' ? 1 : -1;
}

/* The query arguments re takes into a; -1 after answering 400. */
static int api_parse(const struct report_entry *re, struct http_request *req,
    struct http_response *res, struct report_args *a)
{
	const char *v = http_query(req, "offline_after");

	if (re->opts & RC_WEEK)
		a->week = http_query(req, "week");
	if (re->opts & RC_PERIOD) {
		a->from = http_query(req, "from");
		a->to = http_query(req, "to");
	}
	a->explain = re->opts & RC_EXPLAIN ? query_flag(http_query(req, "explain")) : 0;
	a->behind = re->opts & RC_BEHIND ? query_flag(http_query(req, "behind")) : 0;
	if (a->explain < 0 || a->behind < 0) {
		http_reply_error(res, 400, "%s must be 1 or 0", a->explain < 0 ? "explain" :
		    "behind");
		return -1;
	}
	if ((re->opts & RC_OFFLINE) && v != NULL && parse_seconds(v, &a->offline_after) < 0) {
		http_reply_error(res, 400, "offline_after must be a number of seconds");
		return -1;
	}
	return 0;
}

/* An export's size bound: a district's year of sessions is well under it. */
#define EXPORT_MAX (64u << 20)

/* rep as a download (format=xlsx|csv): written by the CLI's own writer to a
 * private temp file, read back whole, the file removed. zh: Chinese headers. */
static void api_export(struct http_response *res, struct report *rep, int xlsx, int zh,
    const char *sheet, struct bbt_error *e)
{
	char path[] = "/tmp/bbt-export.XXXXXX";
	char *body = NULL;
	size_t len = 0;
	int fd = mkstemp(path), rc;

	if (fd < 0) {
		report_free(rep);
		http_reply_error(res, 500, "export: %s", strerror(errno));
		return;
	}
	close(fd);
	rc = report_xlsx_output(rep, xlsx, REPORT_CSV, path, zh, sheet, e);
	report_free(rep);
	if (rc == 0)
		rc = bbt_file_read(path, EXPORT_MAX, &body, &len, e);
	unlink(path);
	if (rc < 0) {
		http_reply_error(res, 500, "export: %s", bbt_error_msg(e));
		return;
	}
	http_reply_raw(res, 200, xlsx ? "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet" : "text/csv; charset=utf-8", body, len);
	res->content_disposition = xlsx ? "attachment; filename=\"bbt-report.xlsx\"" :
	    "attachment; filename=\"bbt-report.csv\"";
}

/* format= (absent or json, csv, xlsx) and lang= (zh, the default, or en) into
 * *fmt ('j', 'c', 'x') and *zh; -1 after answering 400. */
static int api_format(struct http_request *req, struct http_response *res, int *fmt, int *zh)
{
	const char *f = http_query(req, "format"), *l = http_query(req, "lang");

	*fmt = f == NULL || strcmp(f, "json") == 0 ? 'j' : strcmp(f, "csv") == 0 ? 'c' :
	    strcmp(f, "xlsx") == 0 ? 'x' : 0;
	*zh = l == NULL || strcmp(l, "zh") == 0 ? 1 : strcmp(l, "en") == 0 ? 0 : -1;
	if (*fmt != 0 && *zh >= 0)
		return 0;
	http_reply_error(res, 400, *fmt == 0 ? "format must be json, csv or xlsx" :
	    "lang must be zh or en");
	return -1;
}

/* The API side of one report entry: scope, options, rule, check, build. */
static void api_serve(const struct report_entry *re, struct http_request *req,
    struct http_response *res)
{
	struct report_args a = { .offline_after = FLEET_OFFLINE_AFTER_S, .shape = REPORT_JSON };
	struct report_env env = { req->db, NULL, NULL,
		req->cfg->tz ? req->cfg->tz : BBT_DEFAULT_ZONE, req->now };
	struct points_rule rule;
	struct rules_stats rs;
	struct bbt_error e;
	struct report *rep;
	int fmt, zh;

	if (http_admin_scope(req, res, &a.school) < 0 || api_parse(re, req, res, &a) < 0 ||
	    api_format(req, res, &fmt, &zh) < 0)
		return;
	if (fmt != 'j')
		a.shape = REPORT_CSV;	/* flat rows, as a sheet needs */
	if (load_rules(re, req->cfg->rules, 1, &rule, &rs, &env, &e) < 0) {
		http_reply_error(res, 500, "points rule: %s", bbt_error_msg(&e));
		return;
	}
	if (re->check != NULL && re->check(&a, &env, &e) < 0) {
		http_reply_error(res, 400, "%s", bbt_error_msg(&e));
		return;
	}
	rep = re->build(&env, &a, &e);
	if (rep == NULL || fmt == 'j') {
		api_reply(res, rep, re->name, &e);
		return;
	}
	api_export(res, rep, fmt == 'x', zh, re->sheet, &e);
}

void report_cmd_api(const struct report_entry *re, struct http_request *req,
    struct http_response *res)
{
	/* A list is never served, whatever route names it: refused before the
	 * request is looked at. */
	if (re == NULL || (re->opts & RC_LIST)) {
		http_reply_error(res, 404, "no such report");
		return;
	}
	api_serve(re, req, res);
}

const struct report_entry *report_cmd_find(const char *name)
{
	for (size_t i = 0; i < report_cmd_nentries; i++)
		if (strcmp(report_cmd_entries[i].name, name) == 0)
			return &report_cmd_entries[i];
	return NULL;
}
