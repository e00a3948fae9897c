/*
 * syncd: the sync process of the Linux split (SPEC 4.1, docs/agent-run.md):
 * `bbt-agent sync --auto`, one pass when one is due, then exit. systemd
 * starts it (bbt-agent-sync.timer every minute, bbt-agent-sync.path when
 * the capture process kicks), so nothing of it stays resident.
 *
 * A pass is due when the last one failed and its backoff has run out;
 * or, after a good one, when a session was logged since (the kick file is
 * newer than the pass) or [sync] interval has gone by (the heartbeat). The
 * backoff state lives in the buffer's meta table (SYNCD_META_*), so it
 * survives the process and goes wherever state_dir goes. A wall-clock step
 * back cannot hold sync off: a due time further ahead than any wait we set
 * counts as due. Enrollment with a configured enroll_token happens here
 * too, under the same backoff.
 */
#ifndef SYNCD_H
#define SYNCD_H

#include "config.h"
#include "sync.h"

#define SYNCD_META_FAILURES "sync_failures"	/* consecutive failed passes */
#define SYNCD_META_NEXT "sync_next_s"		/* Unix s the next pass is due */
#define SYNCD_META_LAST "sync_last_us"		/* Unix us the last pass began */

/* `sync --auto`: the process exit status (0: not due, or the pass worked). */
int syncd_auto(const struct agent_config *cfg);
/* Detector settings of a pass's heartbeat, for the capture process. */
void syncd_share_settings(const struct agent_config *cfg, const struct sync_result *res);

#endif
