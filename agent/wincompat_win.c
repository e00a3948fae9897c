/*
 * wincompat_win: the POSIX calls of the shared sources on Windows (see
 * agent/win/include/bbt_wincompat.h, force-included everywhere).
 *
 * Paths and environment values are UTF-8 in the agent and UTF-16 in
 * Windows: every wrapper converts with MultiByteToWideChar(CP_UTF8) and
 * calls the W function, so a state dir under C:\用户\张老师 works.
 *
 * Invariants: only APIs present in Windows 7 SP1 (the import check of
 * tests/windows enforces it). Errors come back as -1 with errno set, as the
 * callers expect from POSIX.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <bcrypt.h>
#include <stdarg.h>
#include <wchar.h>

#include "bbt_wincompat.h"
#include "win_util.h"

#undef fopen
#undef open
#undef mkdir
#undef rmdir
#undef rename
#undef unlink
#undef link
#undef access
#undef chmod
#undef stat
#undef fsync
#undef readlink
#undef gethostname
#undef clock_gettime
#undef getenv
#undef timegm
#undef mkdtemp
#undef pwrite
#undef memmem
#undef strptime
#undef setenv
#undef unsetenv

/* errno from GetLastError() for the few cases callers test. */
static int errno_from_win(DWORD err)
{
	switch (err) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE:
		return ENOENT;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
		return EACCES;
	case ERROR_ALREADY_EXISTS:
	case ERROR_FILE_EXISTS:
		return EEXIST;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return ENOSPC;
	default:
		return EIO;
	}
}

/* A UTF-16 copy of a UTF-8 path, or NULL (errno set). */
/* A UTF-16 copy of a UTF-8 path with %VAR% expanded (the default config
 * path is %ProgramData%\bbt-agent\agent.conf), or NULL (errno set). */
static wchar_t *wpath(const char *path)
{
	wchar_t *w = win_utf8_to_wide(path), *x;
	DWORD n;

	if (w == NULL) {
		errno = path ? EILSEQ : EINVAL;
		return NULL;
	}
	if (wcschr(w, L'%') == NULL)
		return w;
	n = ExpandEnvironmentStringsW(w, NULL, 0);
	x = n ? malloc(n * sizeof(wchar_t)) : NULL;
	if (x == NULL || ExpandEnvironmentStringsW(w, x, n) == 0) {
		free(x);
		return w;
	}
	free(w);
	return x;
}

FILE *bbt_win_fopen(const char *path, const char *mode)
{
	wchar_t wmode[8];
	size_t n = 0;
	wchar_t *w;
	FILE *f;

	/* glibc's 'e' (O_CLOEXEC) is unknown to msvcrt; 'N' is its spelling.
	 * Always binary, as on POSIX: text mode would write "\r\n" and
	 * change sizes, offsets and signatures. */
	for (const char *m = mode; *m && n < 5; m++)
		if (*m != 'b' && *m != 't')
			wmode[n++] = *m == 'e' ? L'N' : (wchar_t)*m;
	wmode[n++] = L'b';
	wmode[n] = 0;
	if ((w = wpath(path)) == NULL)
		return NULL;
	f = _wfopen(w, wmode);
	free(w);
	return f;
}

int bbt_win_open(const char *path, int flags, ...)
{
	int mode = 0, fd;
	wchar_t *w;
	va_list ap;

	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, int);
	va_end(ap);
	if (flags & O_DIRECTORY) {
		/* Only bbt_file_fsync_dir opens directories, to fsync a rename;
		 * NTFS journals renames itself, so any fd fsync accepts will do. */
		DWORD a;

		if ((w = wpath(path)) == NULL)
			return -1;
		a = GetFileAttributesW(w);
		free(w);
		if (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY)) {
			errno = a == INVALID_FILE_ATTRIBUTES ? ENOENT : ENOTDIR;
			return -1;
		}
		return _open("NUL", _O_RDONLY);
	}
	if ((w = wpath(path)) == NULL)
		return -1;
	fd = _wopen(w, flags | _O_BINARY, mode ? _S_IREAD | _S_IWRITE : 0);
	free(w);
	return fd;
}

int bbt_win_fsync(int fd)
{
	HANDLE h = (HANDLE)_get_osfhandle(fd);

	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return -1;
	}
	if (GetFileType(h) == FILE_TYPE_CHAR)
		return 0;
	if (!FlushFileBuffers(h)) {
		errno = errno_from_win(GetLastError());
		return -1;
	}
	return 0;
}

int bbt_win_mkdir(const char *path)
{
	wchar_t *w = wpath(path);
	BOOL ok;

	if (w == NULL)
		return -1;
	ok = CreateDirectoryW(w, NULL);
	if (!ok)
		errno = errno_from_win(GetLastError());
	free(w);
	return ok ? 0 : -1;
}

int bbt_win_rmdir(const char *path)
{
	wchar_t *w = wpath(path);
	BOOL ok;

	if (w == NULL)
		return -1;
	ok = RemoveDirectoryW(w);
	if (!ok)
		errno = errno_from_win(GetLastError());
	free(w);
	return ok ? 0 : -1;
}

/* POSIX rename replaces the target; MoveFileExW does when asked. */
int bbt_win_rename(const char *from, const char *to)
{
	wchar_t *wf = wpath(from), *wt = wpath(to);
	BOOL ok = FALSE;

	if (wf && wt)
		ok = MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
	if (!ok)
		errno = wf && wt ? errno_from_win(GetLastError()) : ENAMETOOLONG;
	free(wf);
	free(wt);
	return ok ? 0 : -1;
}

/* link(): a new name that fails with EEXIST, the atomic "create if none". */
int bbt_win_link(const char *from, const char *to)
{
	wchar_t *wf = wpath(from), *wt = wpath(to);
	BOOL ok = FALSE;

	if (wf && wt)
		ok = CreateHardLinkW(wt, wf, NULL);
	if (!ok)
		errno = wf && wt ? errno_from_win(GetLastError()) : EILSEQ;
	free(wf);
	free(wt);
	return ok ? 0 : -1;
}

int bbt_win_unlink(const char *path)
{
	wchar_t *w = wpath(path);
	int rc;

	if (w == NULL)
		return -1;
	rc = _wunlink(w);
	free(w);
	return rc;
}

int bbt_win_access(const char *path, int mode)
{
	wchar_t *w = wpath(path);
	int rc;

	if (w == NULL)
		return -1;
	rc = _waccess(w, mode & ~1);	/* msvcrt rejects X_OK */
	free(w);
	return rc;
}

int bbt_win_chmod(const char *path, int mode)
{
	wchar_t *w = wpath(path);
	int rc;

	if (w == NULL)
		return -1;
	rc = _wchmod(w, (mode & 0200) ? _S_IREAD | _S_IWRITE : _S_IREAD);
	free(w);
	return rc;
}

int bbt_win_stat(const char *path, struct stat *st)
{
	struct _stat64 s;
	wchar_t *w = wpath(path);
	int rc;

	if (w == NULL)
		return -1;
	/* _wstat rejects a trailing separator except at a root. */
	for (size_t n = wcslen(w); n > 3 && (w[n - 1] == L'\\' || w[n - 1] == L'/'); n--)
		w[n - 1] = 0;
	rc = _wstat64(w, &s);
	free(w);
	if (rc != 0)
		return rc;
	memset(st, 0, sizeof(*st));
	/* Group and other bits mean nothing here (msvcrt copies the owner's):
	 * the state dir's ACL protects it (winmain_win.c), so report owner only. */
	st->st_mode = s.st_mode & ~077;
	st->st_size = (off_t)s.st_size;
	st->st_mtime = (time_t)s.st_mtime;
	st->st_nlink = s.st_nlink;
	return 0;
}

ssize_t bbt_win_readlink(const char *path, char *buf, size_t len)
{
	errno = EINVAL;		/* no sysfs symlinks to follow here */
	return -1;
}

int bbt_win_gethostname(char *name, int len)
{
	wchar_t w[256];
	DWORD n = 256;

	if (!GetComputerNameExW(ComputerNameDnsHostname, w, &n) &&
	    (n = 256, !GetComputerNameW(w, &n)))
		return -1;
	return win_wide_to_utf8_buf(w, name, (size_t)len) < 0 ? -1 : 0;
}

ssize_t getrandom(void *buf, size_t len, unsigned flags)
{
	if (BCryptGenRandom(NULL, buf, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)len;
}

/*
 * CLOCK_BOOTTIME: GetTickCount64 counts time asleep, which is what the
 * detector's idle gaps need (a lid closed mid-lesson ends the session);
 * QueryUnbiasedInterruptTime would not. Its ~16 ms steps do not matter to
 * second-grained sessions. CLOCK_MONOTONIC: the performance counter.
 * CLOCK_REALTIME: GetSystemTimeAsFileTime (the Precise one is Windows 8).
 */
int bbt_win_clock_gettime(int clock_id, struct timespec *ts)
{
	static LARGE_INTEGER freq;
	uint64_t v;

	switch (clock_id) {
	case CLOCK_BOOTTIME:
		v = GetTickCount64();
		ts->tv_sec = (time_t)(v / 1000);
		ts->tv_nsec = (long)(v % 1000) * 1000000L;
		return 0;
	case CLOCK_MONOTONIC: {
		LARGE_INTEGER c;

		if (freq.QuadPart == 0)
			QueryPerformanceFrequency(&freq);
		QueryPerformanceCounter(&c);
		ts->tv_sec = (time_t)(c.QuadPart / freq.QuadPart);
		ts->tv_nsec = (long)((c.QuadPart % freq.QuadPart) * 1000000000LL / freq.QuadPart);
		return 0;
	}
	default: {
		FILETIME ft;

		GetSystemTimeAsFileTime(&ft);
		v = ((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime) -
		    116444736000000000ULL;	/* 1601 -> 1970, in 100 ns */
		ts->tv_sec = (time_t)(v / 10000000);
		ts->tv_nsec = (long)(v % 10000000) * 100;
		return 0;
	}
	}
}

/*
 * getenv in UTF-8. Values are kept for the process's life (getenv's
 * contract: the pointer stays valid), one slot per distinct name.
 */
char *bbt_win_getenv(const char *name)
{
	static struct { char *name, *value; } cache[32];
	static SRWLOCK lock = SRWLOCK_INIT;
	wchar_t *wn = win_utf8_to_wide(name), *wv;
	char *v = NULL;

	if (wn == NULL)
		return NULL;
	wv = _wgetenv(wn);
	free(wn);
	if (wv == NULL)
		return NULL;
	AcquireSRWLockExclusive(&lock);
	for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
		if (cache[i].name == NULL || strcmp(cache[i].name, name) == 0) {
			char *nv = win_wide_to_utf8(wv);

			if (cache[i].name == NULL)
				cache[i].name = _strdup(name);
			if (nv && cache[i].value && strcmp(nv, cache[i].value) == 0) {
				free(nv);
			} else if (nv) {
				/* An old value may still be in use: never freed. */
				cache[i].value = nv;
			}
			v = cache[i].value;
			break;
		}
	}
	ReleaseSRWLockExclusive(&lock);
	return v;
}

time_t bbt_win_timegm(struct tm *tm)
{
	return _mkgmtime(tm);
}

int bbt_win_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *mono)
{
	struct timespec now, abs;
	int64_t rel_ns;

	bbt_win_clock_gettime(CLOCK_MONOTONIC, &now);
	rel_ns = ((int64_t)mono->tv_sec - now.tv_sec) * 1000000000LL + (mono->tv_nsec - now.tv_nsec);
	if (rel_ns < 0)
		rel_ns = 0;
	bbt_win_clock_gettime(CLOCK_REALTIME, &now);
	rel_ns += now.tv_nsec;
	abs.tv_sec = now.tv_sec + (time_t)(rel_ns / 1000000000LL);
	abs.tv_nsec = (long)(rel_ns % 1000000000LL);
	return (pthread_cond_timedwait)(c, m, &abs);
}

/* Where tmpl's final XXXXXX starts; -1 (EINVAL) if it does not end so. */
static ptrdiff_t template_at(const char *tmpl)
{
	size_t n = strlen(tmpl);

	if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX") != 0) {
		errno = EINVAL;
		return -1;
	}
	return (ptrdiff_t)(n - 6);
}

/* The 6 characters at tmpl + at replaced by random letters. */
static int fill_template(char *tmpl, ptrdiff_t at)
{
	unsigned char r[6];

	if (getrandom(r, sizeof(r), 0) < 0)
		return -1;
	for (int i = 0; i < 6; i++)
		tmpl[at + i] = "abcdefghijklmnopqrstuvwxyz0123456789"[r[i] % 36];
	return 0;
}

/* mkdtemp: XXXXXX replaced until CreateDirectoryW makes a new one. */
char *bbt_win_mkdtemp(char *tmpl)
{
	ptrdiff_t at = template_at(tmpl);

	for (int tries = 0; at >= 0 && tries < 100; tries++) {
		if (fill_template(tmpl, at) < 0)
			return NULL;
		if (bbt_win_mkdir(tmpl) == 0)
			return tmpl;
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

/* mkstemp through _wopen: mingw's own takes the path as ANSI, so a state
 * dir with a Chinese name ("D:\\bbt 状态") had no temporary files (device
 * key, exports). Created exclusively, read-write, binary. */
int bbt_win_mkstemp(char *tmpl)
{
	ptrdiff_t at = template_at(tmpl);

	for (int tries = 0; at >= 0 && tries < 100; tries++) {
		int fd;

		if (fill_template(tmpl, at) < 0)
			return -1;
		fd = bbt_win_open(tmpl, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* _wputenv ("NAME=VALUE"; "NAME=" removes), which every msvcrt.dll has. */
static int putenv_w(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *kv = malloc(n);
	wchar_t *w;
	int rc;

	if (kv == NULL)
		return -1;
	snprintf(kv, n, "%s=%s", name, value);
	w = win_utf8_to_wide(kv);
	free(kv);
	rc = w && _wputenv(w) == 0 ? 0 : -1;
	free(w);
	return rc;
}

int bbt_win_setenv(const char *name, const char *value, int overwrite)
{
	if (!overwrite && bbt_win_getenv(name) != NULL)
		return 0;
	return putenv_w(name, value);
}

int bbt_win_unsetenv(const char *name)
{
	return putenv_w(name, "");
}

/*
 * strptime for the C locale, the conversions the agent uses (HTTP dates,
 * certificate times): %a %A %b %B %d %H %M %S %Y %y, blanks matching any
 * run of blanks, numbers after optional blanks, as glibc does.
 */
static const char *const wday[] = { "Sunday", "Monday", "Tuesday", "Wednesday",
	"Thursday", "Friday", "Saturday" };
static const char *const month[] = { "January", "February", "March", "April", "May",
	"June", "July", "August", "September", "October", "November", "December" };

/* A day or month name, full or three letters, case-insensitive. */
static const char *tp_name(const char *s, const char *const *names, int n, int *out)
{
	for (int i = 0; i < n; i++) {
		size_t full = strlen(names[i]);

		if (_strnicmp(s, names[i], full) == 0) {
			*out = i;
			return s + full;
		}
		if (_strnicmp(s, names[i], 3) == 0) {
			*out = i;
			return s + 3;
		}
	}
	return NULL;
}

static const char *tp_num(const char *s, int digits, int lo, int hi, int *out)
{
	int v = 0, n = 0;

	while (*s == ' ')
		s++;
	for (; n < digits && *s >= '0' && *s <= '9'; n++, s++)
		v = v * 10 + (*s - '0');
	if (n == 0 || v < lo || v > hi)
		return NULL;
	*out = v;
	return s;
}

char *bbt_win_strptime(const char *s, const char *fmt, struct tm *tm)
{
	int v;

	for (; *fmt && s; fmt++) {
		if (*fmt == ' ') {
			while (*s == ' ' || *s == '\t')
				s++;
			continue;
		}
		if (*fmt != '%') {
			s = *s == *fmt ? s + 1 : NULL;
			continue;
		}
		switch (*++fmt) {
		case 'a': case 'A': s = tp_name(s, wday, 7, &tm->tm_wday); break;
		case 'b': case 'B': case 'h': s = tp_name(s, month, 12, &tm->tm_mon); break;
		case 'd': case 'e': s = tp_num(s, 2, 1, 31, &tm->tm_mday); break;
		case 'H': s = tp_num(s, 2, 0, 23, &tm->tm_hour); break;
		case 'M': s = tp_num(s, 2, 0, 59, &tm->tm_min); break;
		case 'S': s = tp_num(s, 2, 0, 61, &tm->tm_sec); break;
		case 'Y':
			if ((s = tp_num(s, 4, 0, 9999, &v)) != NULL)
				tm->tm_year = v - 1900;
			break;
		case 'y':
			if ((s = tp_num(s, 2, 0, 99, &v)) != NULL)
				tm->tm_year = v < 69 ? v + 100 : v;	/* POSIX: 69-99 are 19xx */
			break;
		case '%': s = *s == '%' ? s + 1 : NULL; break;
		default: return NULL;
		}
	}
	return (char *)s;
}

void *bbt_win_memmem(const void *h, size_t hn, const void *n, size_t nn)
{
	const char *p = h;

	if (nn == 0)
		return (void *)p;
	for (; hn >= nn; p++, hn--)
		if (memcmp(p, n, nn) == 0)
			return (void *)p;
	return NULL;
}

/* pwrite: seek and write, the offset restored (no concurrent user here). */
ssize_t bbt_win_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	__int64 was = _lseeki64(fd, 0, SEEK_CUR);
	int w;

	if (was < 0 || _lseeki64(fd, (__int64)off, SEEK_SET) < 0)
		return -1;
	w = _write(fd, buf, (unsigned)n);
	_lseeki64(fd, was, SEEK_SET);
	return w;
}
