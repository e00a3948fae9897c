/*
 * bbt_file: see bbt_file.h. Directory fsync is what makes a rename
 * durable on ext4 and FAT alike; without it a power cut can leave the old
 * name (or none).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bbt_buf.h"
#include "bbt_file.h"

/* The same open(2) on the agent's Windows build: there a file opens in
 * text mode (CRLF folded, ^Z an end) unless O_BINARY, and has no
 * O_CLOEXEC (nothing is exec'd to inherit it). */
#ifndef O_BINARY
#define O_BINARY 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

int bbt_file_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int bbt_file_fsync_dir(const char *dir, struct bbt_error *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return bbt_error_set(e, "%s: %s", dir, strerror(errno));
	rc = fsync(fd);
	close(fd);
	if (rc != 0)
		return bbt_error_set(e, "fsync %s: %s", dir, strerror(errno));
	return 0;
}

int bbt_file_fsync_parent(const char *path, struct bbt_error *e)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >=
	    (int)sizeof(dir))
		return bbt_error_set(e, "%s: path too long", path);
	return bbt_file_fsync_dir(dir, e);
}

/* Read fd to its end into b, at most max bytes: 0, or -1 (message set). */
static int read_fd(int fd, const char *path, size_t max, struct bbt_buf *b,
    struct bbt_error *e)
{
	char chunk[65536];

	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return bbt_error_set(e, "%s: %s", path, strerror(errno));
		if (r == 0)
			return 0;
		if ((size_t)r > max - b->len)
			return bbt_error_set(e, "%s: larger than %zu bytes", path, max);
		if (bbt_buf_add(b, chunk, (size_t)r) != 0)
			return bbt_error_set(e, "%s: out of memory", path);
	}
}

int bbt_file_read(const char *path, size_t max, char **out, size_t *len,
    struct bbt_error *e)
{
	struct bbt_buf b = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_BINARY);
	int rc;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return bbt_error_set(e, "%s: %s", path, strerror(errno));
	rc = read_fd(fd, path, max, &b, e);
	close(fd);
	if (rc == 0 && b.p == NULL && (b.p = calloc(1, 1)) == NULL)
		rc = bbt_error_set(e, "%s: out of memory", path);
	if (rc != 0) {
		bbt_buf_free(&b);
		return -1;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
