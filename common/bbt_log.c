/*
 * bbt_log: leveled logging to stderr or a rotated file (see bbt_log.h).
 *
 * Invariant: with a file set, log_size is the size of the open log_file,
 * and log_mu is held across check, rotation and write, so two threads'
 * lines never interleave and never both rotate.
 */
#include "bbt_log.h"

#include "bbt_time.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *log_prog = "bbt";
/* Atomic: the agent's run loop changes it on reload while its sync thread
 * logs. */
static atomic_int log_level = BBT_LOG_INFO;

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;		/* NULL: stderr */
static char log_path[PATH_MAX];
static long log_max, log_size;

/* Open log_path for appending; log_size its current size. */
static int file_open(const char *mode)
{
	FILE *f = fopen(log_path, mode);

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (log_size = ftell(f)) < 0) {
		fclose(f);
		return -1;
	}
	log_file = f;
	return 0;
}

int bbt_log_to_file(const char *path, long max_bytes)
{
	int rc = 0, saved;

	pthread_mutex_lock(&log_mu);
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	if (path != NULL && snprintf(log_path, sizeof(log_path), "%s", path) >=
	    (int)sizeof(log_path)) {
		errno = ENAMETOOLONG;
		rc = -1;
	} else if (path != NULL) {
		log_max = max_bytes;
		rc = file_open("ae");
	}
	saved = errno;
	pthread_mutex_unlock(&log_mu);
	errno = saved;
	return rc;
}

/* Under log_mu: make room for a line of len bytes (see bbt_log.h). */
static void file_rotate(long len)
{
	char old[PATH_MAX + 2];
	int failed;

	if (log_size == 0 || log_size + len <= log_max)
		return;
	fclose(log_file);
	log_file = NULL;
	snprintf(old, sizeof(old), "%s.1", log_path);
	failed = rename(log_path, old) < 0 ? errno : 0;
	if (file_open(failed ? "we" : "ae") < 0)
		return;
	if (failed) {
		log_size += fprintf(log_file, "%s: warning: could not rename the log to %s "
		    "(%s): its lines are lost\n", log_prog, old, strerror(failed));
	}
}

/* One line to the log file, or stderr if there is none (or it broke). */
static void emit(const char *line)
{
	char stamp[BBT_ISO8601_LEN];
	int64_t t = (int64_t)time(NULL);
	long len;
	int n;

	pthread_mutex_lock(&log_mu);
	if (log_file == NULL) {
		pthread_mutex_unlock(&log_mu);
		fputs(line, stderr);
		return;
	}
	/* ISO 8601 with the local offset (msvcrt's strftime %z is a name). */
	bbt_time_format(t, bbt_tz_local_offset(t), stamp);
	len = (long)(strlen(stamp) + 1 + strlen(line));
	file_rotate(len);
	if (log_file != NULL && (n = fprintf(log_file, "%s %s", stamp, line)) >= 0) {
		log_size += n;
		fflush(log_file);
	} else {
		fputs(line, stderr);
	}
	pthread_mutex_unlock(&log_mu);
}

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
	char msg[2048], line[2400];
	int saved = errno;
	va_list ap;

	if (!bbt_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (with_errno)
		snprintf(line, sizeof(line), "%s: %s: %s: %s\n", log_prog, names[level], msg,
		    strerror(saved));
	else
		snprintf(line, sizeof(line), "%s: %s: %s\n", log_prog, names[level], msg);
	emit(line);
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
