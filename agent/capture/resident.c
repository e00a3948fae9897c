/*
 * resident: resident_drop_text() over /proc/self/smaps (resident.h says
 * what is dropped and why that is safe).
 *
 * smaps is a header line per mapping ("lo-hi perms offset dev inode
 * path", lowercase hex first) and then its "Field: value kB" lines, the
 * last of them VmFlags; so a mapping is judged when its VmFlags line
 * arrives, with every counter it needs already read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "resident.h"

#define RESIDENT_SMAPS "/proc/self/smaps"

struct resident_map {
	uintptr_t lo, hi;
	int candidate;		/* r-xp or r--p, backed by a file by path */
	long rss, anon, dirty;	/* kB: Rss, Anonymous, Private_Dirty */
};

struct resident_walk {
	struct resident_map m;
	int advised;
	size_t kib;
};

static void header(struct resident_map *m, const char *line)
{
	unsigned long lo, hi;
	char perms[8];
	int path = 0;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &path) < 3)
		return;
	m->lo = (uintptr_t)lo;
	m->hi = (uintptr_t)hi;
	m->candidate = path > 0 && line[path] == '/' && hi > lo &&
	    (strcmp(perms, "r-xp") == 0 || strcmp(perms, "r--p") == 0);
}

static long field_kb(const char *line, size_t name_len)
{
	long v = 0;

	if (sscanf(line + name_len, " %ld", &v) != 1)
		return -1;	/* unreadable: never judged clean */
	return v;
}

/* The mapping ends here (its VmFlags line): drop it if it is clean. */
static void judge(struct resident_walk *w, const char *vmflags)
{
	struct resident_map *m = &w->m;

	/* mlocked ("lo"): MADV_DONTNEED would refuse it anyway. */
	if (!m->candidate || m->rss <= 0 || m->anon != 0 || m->dirty != 0 ||
	    strstr(vmflags, " lo") != NULL)
		return;
	if (madvise((void *)m->lo, m->hi - m->lo, MADV_DONTNEED) == 0) {
		w->advised++;
		w->kib += (size_t)m->rss;
	}
	m->candidate = 0;
}

static void line_of(struct resident_walk *w, const char *line)
{
	struct resident_map *m = &w->m;

	if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f'))
		header(m, line);
	else if (strncmp(line, "Rss:", 4) == 0)
		m->rss = field_kb(line, 4);
	else if (strncmp(line, "Anonymous:", 10) == 0)
		m->anon = field_kb(line, 10);
	else if (strncmp(line, "Private_Dirty:", 14) == 0)
		m->dirty = field_kb(line, 14);
	else if (strncmp(line, "VmFlags:", 8) == 0)
		judge(w, line + 7);
}

int resident_drop_text(size_t *kib)
{
	struct resident_walk w;
	char buf[2048], line[256];
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(&w, 0, sizeof(w));
	if (kib != NULL)
		*kib = 0;
	fd = open(RESIDENT_SMAPS, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Lines longer than line[] (a long path) are cut: only its start counts. */
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			line_of(&w, line);
			len = 0;
		}
	}
	close(fd);
	if (kib != NULL)
		*kib = w.kib;
	return w.advised;
}
