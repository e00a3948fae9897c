/*
 * syncd: the sync process of the Linux split (CONTRACT 4.1, docs/agent-run.md):
 * `bbt-agent sync --auto`, one pass when one is due, then exit. systemd
 * starts it (bbt-agent-sync.timer every minute, bbt-agent-sync.path when
 * the capture process kicks), so nothing of it stays resident.
 *
 * A pass is due when the last one failed and its backoff has run out;
 * or, after a good one, when a session was logged since (the kick file is
 * newer than the pass) or [sync] interval has gone by (the heartbeat). The
 * backoff state is sync_loop.h's, in the buffer (on CLOCK_BOOTTIME with
 * the boot id, so a wall-clock step cannot hold sync off), so it survives
 * the process and goes wherever state_dir goes; SYNCD_META_LAST, when the
 * last pass began, is only compared with the kick file's time. Enrollment
 * with a configured enroll_token happens here too, under the same backoff.
 */
#ifndef SYNCD_H
#define SYNCD_H

#include "config.h"
#include "sync.h"
#include "sync_loop.h"

#define SYNCD_META_LAST "sync_last_us"		/* Unix us the last pass began */

/* `sync --auto`: the process exit status (0: not due, or the pass worked). */
int syncd_auto(const struct agent_config *cfg);
/* Detector settings of a pass's heartbeat, for the capture process. */
void syncd_share_settings(const struct agent_config *cfg, const struct sync_result *res);

#endif
