/*
 * config: the agent's INI configuration (CONTRACT 4.1), read with libinih.
 *
 * Precedence: --config FILE, else $BBT_AGENT_CONFIG, else
 * /etc/bbt-agent/agent.conf (which may be missing: defaults apply). The
 * state dir is --state-dir, else [agent] state_dir, else /var/lib/bbt-agent.
 * An unknown section or key, or a bad value, is an error naming the file,
 * line and key; the caller keeps its previous config (SIGHUP). A key given
 * twice (or an indented line, which INI reads as a continuation) and a line
 * over 199 bytes are errors too. docs/agent-store.md lists every check.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "bbt_error.h"
#include "detector.h"

/* The Windows build defines both as %ProgramData%\bbt-agent lookups. */
#ifndef CONFIG_DEFAULT_PATH
#define CONFIG_DEFAULT_PATH "/etc/bbt-agent/agent.conf"
#define CONFIG_DEFAULT_STATE_DIR "/var/lib/bbt-agent"
#endif

struct agent_config {
	char path[PATH_MAX];		/* file read, "" if none */
	char state_dir[PATH_MAX];
	char log_level[16];		/* [agent] log_level: debug|info|warning|error */
	struct {
		char url[512];
		char enroll_token[256];
		char school[64];
		char room[128];
		char ca_file[PATH_MAX];
		char proxy[512];
	} server;
	struct detector_settings detector;
	struct {
		int interval;
		int backoff_cap;
	} sync;
};

/* Defaults of CONTRACT 4.1. */
void config_defaults(struct agent_config *c);
/*
 * The options every agent program takes before anything else: --config
 * FILE, --state-dir DIR (into *cli_path, *cli_state_dir), --help and
 * --version ("<program> <version>"). With stop_at_command, parsing stops
 * at the first operand (bbt-agent COMMAND, whose options are its own).
 * Returns -1 to go on from argv[optind], else the exit status after
 * --help, --version or a usage error (usage printed on stdout or stderr).
 */
int config_cli_opts(int argc, char **argv, int stop_at_command, const char *program,
    void (*usage)(FILE *f), const char **cli_path, const char **cli_state_dir);
/*
 * Load: cli_path (NULL if none given), cli_state_dir (NULL if none).
 * Fills *c only on success.
 */
int config_load(struct agent_config *c, const char *cli_path,
    const char *cli_state_dir, struct bbt_error *e);
/*
 * Parse INI text over *c (start from config_defaults()); `name` is the file
 * name errors show. Used by config_load and the fuzz target. On error *c
 * may be partly updated: config_load parses into a scratch copy.
 */
int config_parse_buf(struct agent_config *c, const char *name, const char *buf,
    size_t len, struct bbt_error *e);

#endif
