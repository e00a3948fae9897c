/*
 * config: reads the agent's INI file (CONTRACT 4.1) with libinih; see config.h.
 *
 * Every key is declared once in a table (section, name, kind, bounds,
 * destination), so the set of keys accepted is exactly the documented one
 * and every error can name the file, the line and "[section] key".
 * libinih does not pass line numbers to the handler (INI_HANDLER_LINENO is
 * off in Debian's build), so the reader callback counts lines itself.
 * The result is built in a scratch copy and handed over only when the
 * whole file is valid, so a bad reload keeps the running configuration.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "bbt_defaults.h"
#include "bbt_log.h"

enum key_kind { KEY_STR, KEY_INT, KEY_URL, KEY_LEVEL };

struct key_def {
	const char *section, *name;
	enum key_kind kind;
	size_t off, size;	/* destination in struct agent_config */
	long min, max;		/* KEY_INT bounds */
};

#define STR(sec, key, field, kind) { sec, key, kind, \
	offsetof(struct agent_config, field), \
	sizeof(((struct agent_config *)0)->field), 0, 0 }
#define INT(sec, key, field, lo, hi) { sec, key, KEY_INT, \
	offsetof(struct agent_config, field), sizeof(int), lo, hi }

static const struct key_def keys[] = {
	STR("server", "url", server.url, KEY_URL),
	STR("server", "enroll_token", server.enroll_token, KEY_STR),
	STR("server", "school", server.school, KEY_STR),
	STR("server", "room", server.room, KEY_STR),
	STR("server", "ca_file", server.ca_file, KEY_STR),
	STR("server", "proxy", server.proxy, KEY_STR),
	INT("detector", "idle_gap", detector.idle_gap, 1, 86400),
	INT("detector", "min_session", detector.min_session, 0, BBT_MAX_SESSION_S),
	INT("detector", "stuck_contact", detector.stuck_contact, 1, 86400),
	INT("sync", "interval", sync.interval, 5, 86400),
	INT("sync", "backoff_cap", sync.backoff_cap, 5, 7 * 86400),
	STR("agent", "state_dir", state_dir, KEY_STR),
	STR("agent", "log_level", log_level, KEY_LEVEL),
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct parse {
	struct agent_config *c;
	const char *name;		/* file name shown in errors */
	int line;			/* line the handler is looking at */
	int next_line;
	int key_line[NKEYS];		/* where each key was set, 0 if not */
	int err_line;			/* first error found by us, 0 if none */
	char err[BBT_ERROR_LEN];
	/* memory input (config_parse_buf) */
	const char *buf;
	size_t len, pos;
	FILE *f;
};

int config_cli_opts(int argc, char **argv, int stop_at_command, const char *program,
    void (*usage)(FILE *f), const char **cli_path, const char **cli_state_dir)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* '+': stop at the first operand. */
	while ((c = getopt_long(argc, argv, stop_at_command ? "+c:s:hV" : "c:s:hV", opts,
	    NULL)) != -1) {
		switch (c) {
		case 'c': *cli_path = optarg; break;
		case 's': *cli_state_dir = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("%s %s\n", program, BBT_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	return -1;
}

void config_defaults(struct agent_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", CONFIG_DEFAULT_STATE_DIR);
	snprintf(c->log_level, sizeof(c->log_level), "info");
	c->detector.idle_gap = BBT_DETECTOR_IDLE_GAP_S;
	c->detector.min_session = BBT_DETECTOR_MIN_SESSION_S;
	c->detector.stuck_contact = BBT_DETECTOR_STUCK_CONTACT_S;
	c->sync.interval = 300;
	c->sync.backoff_cap = 3600;
}

static void fail_at(struct parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_at(struct parse *p, int line, const char *fmt, ...)
{
	char msg[BBT_ERROR_LEN];
	va_list ap;

	if (p->err_line != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->err_line = line;
	snprintf(p->err, sizeof(p->err), "%s:%d: %s", p->name, line, msg);
}

/* Count lines as inih reads them; a line longer than inih's buffer is an error. */
static char *track_line(struct parse *p, char *str, int got)
{
	size_t n;

	if (!got)
		return NULL;
	p->line = p->next_line;
	n = strlen(str);
	if (n > 0 && str[n - 1] == '\n') {
		p->next_line++;
		return str;
	}
	if (p->f != NULL ? feof(p->f) : p->pos >= p->len)
		return str;
	fail_at(p, p->line, "line longer than %d bytes", INI_MAX_LINE - 1);
	return NULL;
}

static char *read_file_line(char *str, int num, void *arg)
{
	struct parse *p = arg;

	return track_line(p, str, fgets(str, num, p->f) != NULL);
}

/* fgets() over a memory buffer; a NUL byte ends a line too. */
static char *read_buf_line(char *str, int num, void *arg)
{
	struct parse *p = arg;
	int i = 0;

	if (p->pos >= p->len || num < 2)
		return track_line(p, str, 0);
	while (i < num - 1 && p->pos < p->len) {
		char ch = p->buf[p->pos++];

		if (ch == '\0')
			ch = '\n';
		str[i++] = ch;
		if (ch == '\n')
			break;
	}
	str[i] = '\0';
	return track_line(p, str, 1);
}

static int set_int(struct parse *p, const struct key_def *k, const char *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || (errno != 0 && errno != ERANGE)) {
		fail_at(p, p->line, "[%s] %s: '%s' is not a number", k->section,
		    k->name, v);
		return 0;
	}
	if (errno == ERANGE || n < k->min || n > k->max) {
		fail_at(p, p->line, "[%s] %s: %s is out of range (%ld..%ld)",
		    k->section, k->name, v, k->min, k->max);
		return 0;
	}
	*(int *)((char *)p->c + k->off) = (int)n;
	return 1;
}

static int valid_value(struct parse *p, const struct key_def *k, const char *v)
{
	static const char *const levels[] = { "debug", "info", "warning", "error" };

	if (k->kind == KEY_URL && v[0] != '\0' && strncmp(v, "https://", 8) != 0 &&
	    strncmp(v, "http://", 7) != 0) {
		fail_at(p, p->line, "[%s] %s: '%s' is not an http:// or https:// URL",
		    k->section, k->name, v);
		return 0;
	}
	if (k->kind != KEY_LEVEL)
		return 1;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(v, levels[i]) == 0)
			return 1;
	fail_at(p, p->line, "[%s] %s: '%s' is not one of debug, info, warning, error",
	    k->section, k->name, v);
	return 0;
}

static int set_str(struct parse *p, const struct key_def *k, const char *v)
{
	if (strlen(v) >= k->size) {
		fail_at(p, p->line, "[%s] %s: value longer than %zu bytes",
		    k->section, k->name, k->size - 1);
		return 0;
	}
	if (!valid_value(p, k, v))
		return 0;
	memcpy((char *)p->c + k->off, v, strlen(v) + 1);
	return 1;
}

static int handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct parse *p = arg;
	size_t i;
	int known_section = 0;

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(section, keys[i].section) != 0)
			continue;
		known_section = 1;
		if (strcmp(name, keys[i].name) == 0)
			break;
	}
	if (section[0] == '\0') {
		fail_at(p, p->line, "%s: key before any [section]", name);
		return 0;
	}
	if (!known_section) {
		fail_at(p, p->line, "[%s] %s: unknown section [%s]", section, name,
		    section);
		return 0;
	}
	if (i == NKEYS) {
		fail_at(p, p->line, "[%s] %s: unknown key", section, name);
		return 0;
	}
	if (p->key_line[i] != 0) {
		/* Also how inih reports an indented line: as a continuation. */
		fail_at(p, p->line, "[%s] %s: set again (first on line %d; an "
		    "indented line continues the previous key)", section, name,
		    p->key_line[i]);
		return 0;
	}
	p->key_line[i] = p->line;
	return keys[i].kind == KEY_INT ? set_int(p, &keys[i], value) :
	    set_str(p, &keys[i], value);
}

static int key_index(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return (int)i;
	return 0;
}

/* Checks across keys, once the whole file is read. */
static void check_whole(struct parse *p)
{
	int cap = key_index("backoff_cap"), iv = key_index("interval");
	int line = p->key_line[cap] ? p->key_line[cap] : p->key_line[iv];

	if (p->c->sync.backoff_cap < p->c->sync.interval)
		fail_at(p, line, "[sync] backoff_cap: %d is below interval (%d)",
		    p->c->sync.backoff_cap, p->c->sync.interval);
	if (strncmp(p->c->server.url, "http://", 7) == 0)
		log_warn("%s:%d: [server] url: %s is plain http: sessions and the "
		    "device token travel unencrypted", p->name,
		    p->key_line[key_index("url")], p->c->server.url);
}

static int run_parse(struct parse *p, ini_reader reader, struct bbt_error *e)
{
	int rc = ini_parse_stream(reader, p, handler, p);

	/* inih reports the first bad line; ours may be a later one. */
	if (rc > 0 && (p->err_line == 0 || rc < p->err_line))
		return bbt_error_set(e, "%s:%d: syntax error (expected '[section]' or "
		    "'key = value')", p->name, rc);
	if (rc < 0)
		return bbt_error_set(e, "%s: cannot parse (out of memory)", p->name);
	if (p->err_line == 0)
		check_whole(p);
	if (p->err_line != 0)
		return bbt_error_set(e, "%s", p->err);
	return 0;
}

int config_parse_buf(struct agent_config *c, const char *name, const char *buf,
    size_t len, struct bbt_error *e)
{
	struct parse p = { .c = c, .name = name, .next_line = 1, .buf = buf,
	    .len = len };

	return run_parse(&p, read_buf_line, e);
}

static int parse_file(struct agent_config *c, const char *path, int must_exist,
    struct bbt_error *e)
{
	struct parse p = { .c = c, .name = path, .next_line = 1 };
	int rc;

	p.f = fopen(path, "r");
	if (p.f == NULL && errno == ENOENT && !must_exist)
		return 0;
	if (p.f == NULL)
		return bbt_error_set(e, "cannot read config %s: %s", path,
		    strerror(errno));
	rc = run_parse(&p, read_file_line, e);
	fclose(p.f);
	if (rc == 0)
		snprintf(c->path, sizeof(c->path), "%s", path);
	return rc;
}

int config_load(struct agent_config *c, const char *cli_path,
    const char *cli_state_dir, struct bbt_error *e)
{
	struct agent_config tmp;
	const char *env = getenv("BBT_AGENT_CONFIG");
	int rc;

	config_defaults(&tmp);
	if (cli_path != NULL)
		rc = parse_file(&tmp, cli_path, 1, e);
	else if (env != NULL && env[0] != '\0')
		rc = parse_file(&tmp, env, 1, e);
	else
		rc = parse_file(&tmp, CONFIG_DEFAULT_PATH, 0, e);
	if (rc < 0)
		return -1;
	if (cli_state_dir != NULL && snprintf(tmp.state_dir, sizeof(tmp.state_dir),
	    "%s", cli_state_dir) >= (int)sizeof(tmp.state_dir))
		return bbt_error_set(e, "--state-dir: path too long");
	if (tmp.state_dir[0] == '\0')
		return bbt_error_set(e, "%s: [agent] state_dir is empty", tmp.path);
	*c = tmp;
	return 0;
}
