/*
 * Unit tests of agent/config.c: defaults, every CONTRACT 4.1 key, inline
 * comments, the precedence of --config / $BBT_AGENT_CONFIG / --state-dir,
 * and errors that name file, line and key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* The CONTRACT 4.1 sample, with its inline comments, plus the [agent] keys. */
static const char sample[] =
	"[server]\n"
	"url = https://collector.example.edu.cn/   ; http:// works too\n"
	"enroll_token = tok-123            ; used once\n"
	"school = 610102001\n"
	"room = 三年级二班\n"
	"ca_file = /etc/ssl/extra.pem        ; extra CA bundle\n"
	"proxy = http://proxy.school:3128\n"
	"[detector]\n"
	"idle_gap = 601            ; seconds without activity\n"
	"min_session = 901         ; sessions shorter are not logged\n"
	"stuck_contact = 121       ; ghost touch\n"
	"[sync]\n"
	"interval = 301            ; heartbeat\n"
	"backoff_cap = 3601\n"
	"[agent]\n"
	"state_dir = /srv/bbt ; here\n"
	"log_level = debug\n";

static char tmpdir[] = "/tmp/bbt-config-test.XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int parse(const char *text, struct agent_config *c, struct bbt_error *e)
{
	config_defaults(c);
	return config_parse_buf(c, "agent.conf", text, strlen(text), e);
}

static void test_defaults(void **state)
{
	struct agent_config c;
	struct bbt_error e = { "" };

	unsetenv("BBT_AGENT_CONFIG");
	if (access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		skip();	/* this machine has a real config */
	/* A missing default file is fine: CONTRACT 4.1 defaults. */
	assert_int_equal(config_load(&c, NULL, NULL, &e), 0);
	assert_string_equal(c.path, "");
	assert_string_equal(c.state_dir, CONFIG_DEFAULT_STATE_DIR);
	assert_string_equal(c.log_level, "info");
	assert_string_equal(c.server.url, "");
	assert_int_equal(c.detector.idle_gap, 600);
	assert_int_equal(c.detector.min_session, 900);
	assert_int_equal(c.detector.stuck_contact, 120);
	assert_int_equal(c.sync.interval, 300);
	assert_int_equal(c.sync.backoff_cap, 3600);
}

static void test_every_key_and_inline_comments(void **state)
{
	struct agent_config c;
	struct bbt_error e = { "" };

	if (parse(sample, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.server.url, "https://collector.example.edu.cn/");
	assert_string_equal(c.server.enroll_token, "tok-123");
	assert_string_equal(c.server.school, "610102001");
	assert_string_equal(c.server.room, "三年级二班");
	assert_string_equal(c.server.ca_file, "/etc/ssl/extra.pem");
	assert_string_equal(c.server.proxy, "http://proxy.school:3128");
	assert_int_equal(c.detector.idle_gap, 601);
	assert_int_equal(c.detector.min_session, 901);
	assert_int_equal(c.detector.stuck_contact, 121);
	assert_int_equal(c.sync.interval, 301);
	assert_int_equal(c.sync.backoff_cap, 3601);
	assert_string_equal(c.state_dir, "/srv/bbt");
	assert_string_equal(c.log_level, "debug");
}

static void test_empty_value_with_comment(void **state)
{
	struct agent_config c;
	struct bbt_error e = { "" };

	assert_int_equal(parse("[server]\nenroll_token =            ; used once\n"
	    "; a comment line\n# another\n\n", &c, &e), 0);
	assert_string_equal(c.server.enroll_token, "");
	/* min_session 0 is allowed: log everything. */
	assert_int_equal(parse("[detector]\nmin_session = 0\n", &c, &e), 0);
	assert_int_equal(c.detector.min_session, 0);
}

struct bad {
	const char *text, *want;
};

static void test_errors_name_file_line_key(void **state)
{
	static const struct bad cases[] = {
		{ "[server]\nurl = https://x/\n\n[detector]\nmin_session = 900\n\n"
		  "idle_gap = abc\n",
		  "agent.conf:7: [detector] idle_gap: 'abc' is not a number" },
		{ "[detector]\nidle_gap = 0\n", "agent.conf:2: [detector] idle_gap:" },
		{ "[detector]\nidle_gap = 12x\n", "agent.conf:2: [detector] idle_gap:" },
		{ "[detector]\nmin_session = -1\n", "agent.conf:2: [detector] min_session:" },
		{ "[detector]\nstuck_contact = 0\n",
		  "agent.conf:2: [detector] stuck_contact:" },
		{ "[sync]\ninterval = 4\n", "agent.conf:2: [sync] interval:" },
		{ "[sync]\ninterval = 600\nbackoff_cap = 599\n",
		  "agent.conf:3: [sync] backoff_cap:" },
		{ "[sync]\ninterval = 7200\n", "agent.conf:2: [sync] backoff_cap:" },
		{ "[sync]\ninterval = 99999999999999999999\n",
		  "agent.conf:2: [sync] interval: 99999999999999999999 is out of range" },
		{ "[detector]\nidle_gap = 86401\n",
		  "agent.conf:2: [detector] idle_gap: 86401 is out of range" },
		{ "[server]\nurl = https://a/\nschool = 1\ncolour = red\n",
		  "agent.conf:4: [server] colour: unknown key" },
		{ "[servers]\nurl = https://a/\n",
		  "agent.conf:2: [servers] url: unknown section" },
		{ "url = https://a/\n", "agent.conf:1: url: key before any [section]" },
		{ "[server]\nurl = ftp://a/\n", "agent.conf:2: [server] url:" },
		{ "[agent]\nlog_level = loud\n", "agent.conf:2: [agent] log_level:" },
		{ "[server]\nschool = 1\nschool = 2\n", "agent.conf:3: [server] school:" },
		{ "[server]\nurl = https://a/\njust words\n", "agent.conf:3: syntax error" },
		{ "[server\nurl = https://a/\n", "agent.conf:1: syntax error" },
	};
	struct agent_config c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bbt_error e = { "" };

		if (parse(cases[i].text, &c, &e) != -1)
			fail_msg("case %zu accepted", i);
		if (strncmp(e.msg, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, e.msg,
			    cases[i].want);
	}
}

/* http:// is accepted, with a warning naming the line. */
static void test_http_url_warns(void **state)
{
	char log[] = "/tmp/bbt-config-log.XXXXXX", buf[1024] = "";
	struct agent_config c;
	struct bbt_error e = { "" };
	int fd = mkstemp(log), saved;
	FILE *f;

	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	close(fd);
	assert_int_equal(parse("[server]\nschool = 1\nurl = http://10.0.0.5:8470/\n",
	    &c, &e), 0);
	assert_int_equal(parse("[server]\nurl = https://ok/\n", &c, &e), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(log, "r");
	assert_non_null(f);
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
	fclose(f);
	unlink(log);
	assert_string_equal(c.server.url, "https://ok/");
	assert_non_null(strstr(buf, "warning: agent.conf:3: [server] url: http://10.0.0.5:8470/"));
	assert_null(strstr(buf, "https://ok/"));	/* https: no warning */
}

static void test_long_values(void **state)
{
	char text[400];
	struct agent_config c;
	struct bbt_error e = { "" };

	/* Longer than the field: an error, not a silent cut. */
	snprintf(text, sizeof(text), "[server]\nschool = %070d\n", 1);
	assert_int_equal(parse(text, &c, &e), -1);
	assert_non_null(strstr(e.msg, "agent.conf:2: [server] school:"));
	/* Longer than a line may be. */
	snprintf(text, sizeof(text), "[server]\nroom = %0250d\n", 1);
	assert_int_equal(parse(text, &c, &e), -1);
	assert_non_null(strstr(e.msg, "agent.conf:2:"));
}

static void test_load_precedence(void **state)
{
	char a[128], b[128], missing[128];
	struct agent_config c;
	struct bbt_error e = { "" };

	assert_non_null(mkdtemp(tmpdir));
	snprintf(a, sizeof(a), "%s/a.conf", tmpdir);
	snprintf(b, sizeof(b), "%s/b.conf", tmpdir);
	snprintf(missing, sizeof(missing), "%s/none.conf", tmpdir);
	write_file(a, "[detector]\nidle_gap = 11\n[agent]\nstate_dir = /from/a\n");
	write_file(b, "[detector]\nidle_gap = 22\n");

	/* $BBT_AGENT_CONFIG when no --config. */
	setenv("BBT_AGENT_CONFIG", b, 1);
	assert_int_equal(config_load(&c, NULL, NULL, &e), 0);
	assert_int_equal(c.detector.idle_gap, 22);
	assert_string_equal(c.path, b);
	/* --config wins over the environment; [agent] state_dir applies. */
	assert_int_equal(config_load(&c, a, NULL, &e), 0);
	assert_int_equal(c.detector.idle_gap, 11);
	assert_string_equal(c.state_dir, "/from/a");
	/* --state-dir wins over the file. */
	assert_int_equal(config_load(&c, a, "/cli/dir", &e), 0);
	assert_string_equal(c.state_dir, "/cli/dir");

	/* A named file that is missing is an error, and *c is untouched. */
	c.detector.idle_gap = 77;
	assert_int_equal(config_load(&c, missing, NULL, &e), -1);
	assert_non_null(strstr(e.msg, missing));
	assert_int_equal(c.detector.idle_gap, 77);
	setenv("BBT_AGENT_CONFIG", missing, 1);
	assert_int_equal(config_load(&c, NULL, NULL, &e), -1);
	assert_non_null(strstr(e.msg, missing));

	/* A bad file: error names the path given and the line; *c untouched. */
	write_file(b, "[detector]\n\nidle_gap = 0\n");
	assert_int_equal(config_load(&c, b, NULL, &e), -1);
	assert_non_null(strstr(e.msg, b));
	assert_non_null(strstr(e.msg, ":3: [detector] idle_gap:"));
	assert_int_equal(c.detector.idle_gap, 77);
	unsetenv("BBT_AGENT_CONFIG");
	unlink(a);
	unlink(b);
	rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key_and_inline_comments),
		cmocka_unit_test(test_empty_value_with_comment),
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test(test_http_url_warns),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_load_precedence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
