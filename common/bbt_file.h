/*
 * bbt_file: the few durable-write steps both programs need. A file that
 * must survive a power cut or a pulled USB stick is written to a temp
 * name, fsynced, renamed (or linked) into place, and then its directory is
 * fsynced so the new name itself is on disk. Reading is the other half:
 * a whole file into memory, never more than the caller's bound.
 */
#ifndef BBT_FILE_H
#define BBT_FILE_H

#include <stddef.h>

#include "bbt_error.h"

/* write(2) until done, retrying EINTR: 0, or -1 with errno set. */
int bbt_file_write_all(int fd, const void *data, size_t n);
/* fsync the directory `dir`: 0 / -1 with the message set. */
int bbt_file_fsync_dir(const char *dir, struct bbt_error *e);
/* fsync the directory holding `path`. */
int bbt_file_fsync_parent(const char *path, struct bbt_error *e);

/*
 * Read the whole file at path into a new malloc'd buffer (*out, *len;
 * NUL-terminated, the NUL not counted, so text can go to a parser): 0, or
 * -1 with the message set (path: reason; "larger than MAX bytes" past max,
 * read no further). Nothing is allocated on failure.
 */
int bbt_file_read(const char *path, size_t max, char **out, size_t *len,
    struct bbt_error *e);

#endif
