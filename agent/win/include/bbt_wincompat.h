/*
 * bbt_wincompat.h: force-included (-include) into every translation unit of
 * the Windows build, so that the shared agent and common sources compile
 * unchanged with mingw-w64 (no #ifdef _WIN32 in them).
 *
 * Its job: the POSIX calls those sources make, mapped onto the Windows CRT
 * with UTF-8 paths turned into UTF-16 (the agent's strings are UTF-8
 * throughout; the ANSI CRT functions would mangle a Chinese path or user
 * name), plus the few constants the CRT lacks.
 *
 * Invariants: this header includes only CRT headers, never <windows.h>
 * (its macros, ERROR, DELETE, IN, OUT, near..., would leak into the shared
 * code); the wrappers live in agent/wincompat_win.c. Every function-like
 * macro takes the POSIX arguments, so a call site reads as on Linux.
 */
#ifndef BBT_WINCOMPAT_H
#define BBT_WINCOMPAT_H

#include <direct.h>
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef O_DIRECTORY
#define O_DIRECTORY 0x200000	/* open() of a directory: see bbt_win_open */
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME 7	/* Linux's number; bbt_win_clock_gettime takes it */
#endif

FILE *bbt_win_fopen(const char *path, const char *mode);
int bbt_win_open(const char *path, int flags, ...);
int bbt_win_mkdir(const char *path);
int bbt_win_rmdir(const char *path);
int bbt_win_rename(const char *from, const char *to);
int bbt_win_unlink(const char *path);
int bbt_win_link(const char *from, const char *to);
int bbt_win_access(const char *path, int mode);
int bbt_win_chmod(const char *path, int mode);
int bbt_win_stat(const char *path, struct stat *st);
int bbt_win_fsync(int fd);
ssize_t bbt_win_readlink(const char *path, char *buf, size_t len);
int bbt_win_gethostname(char *name, int len);	/* winsock's types */
int bbt_win_clock_gettime(int clock_id, struct timespec *ts);
char *bbt_win_getenv(const char *name);
time_t bbt_win_timegm(struct tm *tm);
/* CONFIG_DEFAULT_STATE_DIR of the Windows build (CONFIG_DEFAULT_PATH is
 * "%ProgramData%\\bbt-agent\\agent.conf": the path wrappers expand %VAR%). */
const char *win_program_data_dir(void);

char *bbt_win_mkdtemp(char *tmpl);
int bbt_win_mkstemp(char *tmpl);
/* winpthreads takes a timed wait's deadline on CLOCK_REALTIME whatever
 * pthread_condattr_setclock said; the agent's deadlines are CLOCK_MONOTONIC
 * (sync.c, the only timed wait): converted here, else every wait ended at
 * once and the sync thread spun without its interval or backoff. */
int bbt_win_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *mono);
ssize_t bbt_win_pwrite(int fd, const void *buf, size_t n, off_t off);
void *bbt_win_memmem(const void *h, size_t hn, const void *n, size_t nn);
char *bbt_win_strptime(const char *s, const char *fmt, struct tm *tm);
int bbt_win_setenv(const char *name, const char *value, int overwrite);
int bbt_win_unsetenv(const char *name);

#define fopen(p, m) bbt_win_fopen(p, m)
#define open(...) bbt_win_open(__VA_ARGS__)
#define mkdir(p, m) bbt_win_mkdir(p)
#define rmdir(p) bbt_win_rmdir(p)
#define rename(a, b) bbt_win_rename(a, b)
#define unlink(p) bbt_win_unlink(p)
#define link(a, b) bbt_win_link(a, b)
#define access(p, m) bbt_win_access(p, m)
#define chmod(p, m) bbt_win_chmod(p, m)
#define fchmod(fd, m) ((void)(fd), 0)	/* ACLs of the state dir protect it */
#define stat(p, st) bbt_win_stat(p, st)
#define fsync(fd) bbt_win_fsync(fd)
#define readlink(p, b, n) bbt_win_readlink(p, b, n)
#define gethostname(n, l) bbt_win_gethostname(n, l)
#define clock_gettime(c, ts) bbt_win_clock_gettime(c, ts)
#define getenv(n) bbt_win_getenv(n)
#define timegm(tm) bbt_win_timegm(tm)
#define umask(m) _umask(m)
#define mkdtemp(t) bbt_win_mkdtemp(t)
#define mkstemp(t) bbt_win_mkstemp(t)
#define pthread_cond_timedwait(c, m, ts) bbt_win_cond_timedwait(c, m, ts)
#define pwrite(fd, b, n, o) bbt_win_pwrite(fd, b, n, o)
#define memmem(h, hn, n, nn) bbt_win_memmem(h, hn, n, nn)
#define strptime(s, f, tm) bbt_win_strptime(s, f, tm)
#define setenv(n, v, o) bbt_win_setenv(n, v, o)
#define unsetenv(n) bbt_win_unsetenv(n)
#ifndef S_IRWXG
#define S_IRWXG 0
#define S_IRWXO 0
#endif

#endif
