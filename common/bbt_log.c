/* bbt_log: leveled logging to stderr (see bbt_log.h). */
#include "bbt_log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_prog = "bbt";
/* Atomic: the agent's run loop changes it on reload while its sync thread
 * logs. */
static atomic_int log_level = BBT_LOG_INFO;

void bbt_log_init(const char *prog, enum bbt_log_level level)
{
	const char *env = getenv("BBT_LOG_LEVEL");

	log_prog = prog;
	atomic_store(&log_level, env != NULL && strcmp(env, "debug") == 0 ?
	    BBT_LOG_DEBUG : level);
}

void bbt_log_set_level(enum bbt_log_level level)
{
	atomic_store(&log_level, level);
}

int bbt_log_enabled(enum bbt_log_level level)
{
	return (int)level >= atomic_load(&log_level);
}

void bbt_log_write(enum bbt_log_level level, int with_errno, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warning", "error" };
	char msg[2048];
	int saved = errno;
	va_list ap;

	if (!bbt_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (with_errno)
		fprintf(stderr, "%s: %s: %s: %s\n", log_prog, names[level], msg,
		    strerror(saved));
	else
		fprintf(stderr, "%s: %s: %s\n", log_prog, names[level], msg);
	errno = saved;
}

enum bbt_log_level bbt_log_level_from_name(const char *name)
{
	if (strcmp(name, "debug") == 0)
		return BBT_LOG_DEBUG;
	if (strcmp(name, "warning") == 0)
		return BBT_LOG_WARN;
	if (strcmp(name, "error") == 0)
		return BBT_LOG_ERR;
	return BBT_LOG_INFO;
}
