/*
 * bbt_file: see bbt_file.h. Directory fsync is what makes a rename
 * durable on ext4 and FAT alike; without it a power cut can leave the old
 * name (or none).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bbt_file.h"

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
