/*
 * resident: what the capture process keeps in memory while it waits
 * (CONTRACT 8: idle PSS at most a minimal collectd's, docs/agent-run.md).
 *
 * After a lesson closes the process sleeps until the next input event,
 * often for hours; the code it ran to get there (SQLite above all: opening,
 * checking and migrating the buffer touches most of its 1.2 MiB of text)
 * stays mapped and counted in its PSS although nothing runs it.
 * resident_drop_text() lets those pages go: for every clean private file
 * mapping (r-xp, r--p: text and read-only data of the program and its
 * libraries) it calls madvise(MADV_DONTNEED), so the pages leave the
 * process (they stay in the page cache, and the next wake faults back in
 * only what it runs, a minor fault each).
 *
 * Invariants: a mapping is dropped only if /proc/self/smaps says it has no
 * anonymous page and no private dirty page, so nothing the process wrote
 * (relocations, a RELRO GOT, a copied-on-write page) can be thrown back to
 * the file's contents; anonymous, writable, shared and special ([vdso],
 * [vvar]) mappings are never touched. It reads smaps with open/read into
 * a stack buffer, no stdio, so it leaves no heap behind it. The capture
 * sandbox (sandbox.h) filters only socket families: openat, read and
 * madvise are allowed, and so is @system-service in the packaged unit.
 */
#ifndef RESIDENT_H
#define RESIDENT_H

#include <stddef.h>

/*
 * Drop the pages of clean private file mappings (see above). Returns the
 * number of mappings advised, -1 if smaps could not be read (errno set);
 * *kib (may be NULL) gets the resident KiB they held.
 */
int resident_drop_text(size_t *kib);

#endif
