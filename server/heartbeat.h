/*
 * heartbeat: the collector's write-behind for heartbeats (issue 12). A
 * heartbeat is not precious data (the next one, minutes later, says the
 * same), and a province's 200,000 classrooms send hundreds a second, so
 * they do not each cost a commit: heartbeat_note keeps the newest one of
 * each device in memory, and a flusher thread writes all that are held in
 * one transaction every HEARTBEAT_FLUSH_MS, and once more on
 * heartbeat_stop (SIGTERM, SIGINT). A collector killed outright (SIGKILL,
 * power) loses at most the last flush interval of last-seen times,
 * versions and device lists; nothing else is ever held here.
 *
 * Invariants:
 *  - A heartbeat that reports a non-empty buffer (depth > 0) is never
 *    held: the caller writes it at once (heartbeat_note returns 1). Its
 *    upload follows at once, maybe through another collector, and takes
 *    the depth down (db_device_uploaded); a depth written after that would
 *    undo it. Nearly every heartbeat of a fleet reports an empty buffer.
 *  - Newer wins field by field: a held heartbeat without a version or
 *    device list keeps the one an older held heartbeat of the device gave.
 *  - heartbeat_take hands the caller the held heartbeat of one device, so
 *    an upload writes it inside its own transaction, before its own
 *    last-seen time, and the flush cannot write it later over the upload.
 *  - A failed flush puts its heartbeats back (under any newer ones) for
 *    the next; past HEARTBEAT_MAX_HELD devices held, heartbeat_note returns
 *    1 and the caller writes through, so memory stays bounded.
 * Thread-safe; one flusher per process, with its own database connection.
 */
#ifndef SERVER_HEARTBEAT_H
#define SERVER_HEARTBEAT_H

#include <stdint.h>

#include "bbt_error.h"
#include "db.h"

#define HEARTBEAT_FLUSH_MS 1000
#define HEARTBEAT_MAX_HELD 200000

/* One heartbeat of a device (struct db_heartbeat without its device id). */
struct heartbeat_rec {
	int64_t now, offset, depth, interval;
	const char *version;	/* NULL: not given */
	const char *devices;	/* JSON array text, NULL: not given */
};

/* Start the flusher on its own connection to db_where. */
int heartbeat_start(const char *db_where, struct bbt_error *e);
/* Stop it after a last flush (every heartbeat held is written, or logged lost). */
void heartbeat_stop(void);
/*
 * Hold h for device_id (copied). 0 held; 1 the caller must write it now
 * (depth > 0, the flusher not running, memory full, out of memory).
 */
int heartbeat_note(const char *device_id, const struct heartbeat_rec *h);
/* Write h for device_id on db, inside the caller's transaction if any. */
int heartbeat_write(struct db *db, const char *device_id, const struct heartbeat_rec *h,
    struct bbt_error *e);
/*
 * Write the held heartbeat of device_id (if any) on db, in the caller's
 * transaction, and forget it. -1 on a failed write: it is held again. If
 * the caller's transaction rolls back after a good write, the heartbeat
 * is gone (not precious: the next one says it again).
 */
int heartbeat_take(struct db *db, const char *device_id, struct bbt_error *e);

#endif
