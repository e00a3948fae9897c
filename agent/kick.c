/*
 * kick: the capture process's side of the files in kick.h, and the sync
 * process's helpers for them. A kick is an open(O_TRUNC) and a write of
 * the time: inotify sees IN_MODIFY and IN_CLOSE_WRITE, which is what a
 * systemd path unit's PathModified= watches.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bbt_file.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "kick.h"

/* The Windows service build compiles this file too (its sync thread never
 * calls the link, but kick_settings_* are shared). */
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

static int64_t mtime_us(const struct stat *sb)
{
#ifdef _WIN32
	return (int64_t)sb->st_mtime * 1000000;
#else
	return (int64_t)sb->st_mtim.tv_sec * 1000000 + sb->st_mtim.tv_nsec / 1000;
#endif
}

struct kick {
	char dir[PATH_MAX];
	struct detector_settings last;	/* as last applied */
	int64_t next_check_us;		/* BOOTTIME */
	int64_t mtime_us;		/* of the settings file last read */
};

static int path_of(char *buf, size_t n, const char *dir, const char *name)
{
	return (size_t)snprintf(buf, n, "%s/%s", dir, name) < n ? 0 : -1;
}

static int k_start(void **h, const struct agent_config *cfg, void (*wake)(void *),
    void *arg, struct bbt_error *e)
{
	struct kick *k = calloc(1, sizeof(*k));

	if (!k)
		return bbt_error_set(e, "out of memory");
	snprintf(k->dir, sizeof(k->dir), "%s", cfg->state_dir);
	k->last = cfg->detector;
	*h = k;
	return 0;
}

static void k_kick(void *h)
{
	struct kick *k = h;
	char path[PATH_MAX + 16], line[32];
	int fd, n;

	if (!k || path_of(path, sizeof(path), k->dir, KICK_FILE) < 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_warn_errno("%s: cannot kick the sync process", path);
		return;
	}
	n = snprintf(line, sizeof(line), "%lld\n", (long long)bbt_clock_realtime_us());
	if (bbt_file_write_all(fd, line, (size_t)n) < 0)
		log_warn_errno("%s", path);
	close(fd);
}

static void k_reconfigure(void *h, const struct agent_config *cfg)
{
	struct kick *k = h;

	if (!k)
		return;
	k->last = cfg->detector;
	k->next_check_us = 0;
	k->mtime_us = 0;
}

/* Cheap: one stat every KICK_SETTINGS_CHECK_S, a read only on change. */
static int k_settings(void *h, struct detector_settings *out)
{
	struct kick *k = h;
	char path[PATH_MAX + 32];
	struct detector_settings s;
	struct bbt_error e;
	struct stat sb;
	int64_t now = bbt_clock_boottime_us();

	if (!k || now < k->next_check_us)
		return 0;
	k->next_check_us = now + KICK_SETTINGS_CHECK_S * 1000000LL;
	if (path_of(path, sizeof(path), k->dir, KICK_SETTINGS_FILE) < 0 ||
	    stat(path, &sb) < 0)
		return 0;
	if (mtime_us(&sb) == k->mtime_us)
		return 0;
	k->mtime_us = mtime_us(&sb);
	if (kick_settings_read(k->dir, &s, &e) != 1) {
		log_warn("%s", e.msg);
		return 0;
	}
	if (memcmp(&s, &k->last, sizeof(s)) == 0)
		return 0;
	k->last = s;
	*out = s;
	return 1;
}

static void k_stop(void *h)
{
	free(h);
}

const struct daemon_link kick_link = {
	k_start, k_kick, k_reconfigure, k_settings, k_stop, NULL,
};

int kick_settings_write(const char *state_dir, const struct detector_settings *s,
    struct bbt_error *e)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40], line[96];
	int fd, n, rc = -1;

	if (path_of(path, sizeof(path), state_dir, KICK_SETTINGS_FILE) < 0 ||
	    path_of(tmp, sizeof(tmp), state_dir, KICK_SETTINGS_FILE ".tmp") < 0)
		return bbt_error_set(e, "%s: path too long", state_dir);
	n = snprintf(line, sizeof(line), "idle_gap=%d min_session=%d stuck_contact=%d\n",
	    s->idle_gap, s->min_session, s->stuck_contact);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return bbt_error_set(e, "%s: %s", tmp, strerror(errno));
	if (bbt_file_write_all(fd, line, (size_t)n) < 0 || fsync(fd) < 0)
		bbt_error_set(e, "%s: %s", tmp, strerror(errno));
	else if (rename(tmp, path) < 0)
		bbt_error_set(e, "%s: %s", path, strerror(errno));
	else
		rc = 0;
	close(fd);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* The same bounds as the config's [detector] keys (config.c). */
static int in_range(const struct detector_settings *s)
{
	return s->idle_gap >= 1 && s->idle_gap <= 86400 &&
	    s->min_session >= 1 && s->min_session <= 86400 &&
	    s->stuck_contact >= 1 && s->stuck_contact <= 86400;
}

int kick_settings_read(const char *state_dir, struct detector_settings *s,
    struct bbt_error *e)
{
	char path[PATH_MAX + 32], *buf = NULL, end;
	size_t len;
	int rc = -1;

	if (path_of(path, sizeof(path), state_dir, KICK_SETTINGS_FILE) < 0)
		return bbt_error_set(e, "%s: path too long", state_dir);
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (bbt_file_read(path, 256, &buf, &len, e) < 0)
		return -1;
	if (sscanf(buf, "idle_gap=%d min_session=%d stuck_contact=%d%c", &s->idle_gap,
	    &s->min_session, &s->stuck_contact, &end) != 4 || end != '\n' || !in_range(s))
		bbt_error_set(e, "%s: not valid settings, ignored", path);
	else
		rc = 1;
	free(buf);
	return rc;
}

int64_t kick_time_us(const char *state_dir)
{
	char path[PATH_MAX + 16];
	struct stat sb;

	if (path_of(path, sizeof(path), state_dir, KICK_FILE) < 0 || stat(path, &sb) < 0)
		return 0;
	return mtime_us(&sb);
}
