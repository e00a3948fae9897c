/*
 * cmd_run: `bbt-agent run`, the capture daemon. The loop lives in daemon.c
 * and everything operating-system specific in platform_*.c; this file
 * checks the command line and starts it.
 *
 * On Linux the loop runs in its own program, bbt-agent-capture (privilege
 * separation, CONTRACT 4.1, docs/agent-run.md): `run` execs it, so the process
 * that reads input never has libcurl, TLS or libusb mapped. It is looked
 * for beside this program first (the build tree, /usr/bin), then in
 * BBT_CAPTURE_DIR (/usr/libexec/bbt-agent, where the package installs it).
 * On Windows the service runs the loop itself with the sync thread
 * (daemon_run) and its helper process reads input.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bbt_log.h"
#include "commands.h"
#include "daemon.h"

#ifndef BBT_CAPTURE_DIR
#define BBT_CAPTURE_DIR "/usr/libexec/bbt-agent"
#endif
#define CAPTURE_NAME "bbt-agent-capture"

#ifndef _WIN32
/* The capture program beside /proc/self/exe, else in BBT_CAPTURE_DIR. */
static void capture_path(char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (len > 0) {
		self[len] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(out, n, "%s/%s", self, CAPTURE_NAME) < n &&
			    access(out, X_OK) == 0)
				return;
		}
	}
	snprintf(out, n, "%s/%s", BBT_CAPTURE_DIR, CAPTURE_NAME);
}

static int run_capture(const struct agent_ctx *ctx)
{
	char path[PATH_MAX + 32];
	char *args[6];
	int n = 0;

	capture_path(path, sizeof(path));
	args[n++] = path;
	if (ctx->cli_config) {
		args[n++] = "--config";
		args[n++] = (char *)ctx->cli_config;
	}
	if (ctx->cli_state_dir) {
		args[n++] = "--state-dir";
		args[n++] = (char *)ctx->cli_state_dir;
	}
	args[n] = NULL;
	fflush(NULL);
	execv(path, args);
	log_err("run: cannot start %s: %s", path, strerror(errno));
	return 1;
}
#endif

int cmd_run(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] = "usage: bbt-agent [--config FILE] [--state-dir DIR] run\n"
	    "  the capture daemon: watch input devices, detect sessions, buffer\n";
	int c;

	optind = 0;	/* glibc: restart parsing after main's own getopt */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		fputs(usage, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 2;
	}
	if (optind != argc) {
		fprintf(stderr, "bbt-agent: run: unexpected argument '%s'\n%s", argv[optind],
		    usage);
		return 2;
	}
#ifdef _WIN32
	return daemon_run(&ctx->cfg, ctx->cli_config, ctx->cli_state_dir);
#else
	return run_capture(ctx);
#endif
}
