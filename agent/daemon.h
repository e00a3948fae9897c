/*
 * daemon: the portable core of `bbt-agent run`.
 *
 * One loop: wait on the platform event source (platform.h) until input, a
 * device change, a stop/reload request or the next timer; feed the
 * detector; log closed sessions to the store and kick the link to the
 * collector's side; checkpoint the open session. Nothing here is
 * operating-system specific, and nothing here talks to the network: the
 * link (struct daemon_link) is the caller's. On Linux it is kick.h (the
 * capture process touches a file the sync units watch: docs/agent-run.md);
 * on Windows, where one service owns the buffer and sync, it is the sync
 * thread (daemon_thread.c).
 *
 * Invariants:
 *  - The open session is checkpointed every DAEMON_CHECKPOINT_S while it
 *    has unsaved activity, and at once when it first reaches min_session
 *    (CONTRACT 4.2), so a power cut right after that moment keeps the lesson.
 *  - Timers are the detector's next deadline, the next checkpoint of an
 *    open session with activity not yet saved, and the retry of a session
 *    the store refused. With none of those pending the loop sleeps with no
 *    timeout at all (no polling).
 *  - A session keeps one id from the moment it opens: its checkpoints and
 *    its final record share it, so recovery can neither lose nor duplicate
 *    it. A session the store refused (disk full) stays in memory and is
 *    retried (up to DAEMON_PENDING_MAX, then a loss is logged). A buffer
 *    that cannot be opened at start (disk full) does not stop capture:
 *    the daemon runs without it, retries every DAEMON_RETRY_S and at stop,
 *    and starts syncing once it is open (CONTRACT 4.2).
 *  - Wall times are computed when a record is written, from the session's
 *    CLOCK_BOOTTIME times and the current BOOTTIME<->REALTIME offset, so a
 *    suspend is idle time and a wall-clock step during a session does not
 *    change its duration.
 *
 * Test hook: BBT_AGENT_CHECKPOINT_S (1..60) shortens the checkpoint
 * interval (default 60 s, the contract's bound) so a crash test takes seconds.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include "config.h"

#define DAEMON_CHECKPOINT_S 60
#define DAEMON_RETRY_S 30
/* Closed sessions kept in memory while the buffer cannot take them (disk
 * full, even at start): about 500 school days of one board, ~2.5 MiB. */
#define DAEMON_PENDING_MAX 4096

/*
 * How the loop reaches the side that talks to the collector. Every
 * function but start accepts a NULL handle (nothing to talk to).
 *  - start: *h may be left NULL. wake(arg) may be called from any thread
 *    when settings are ready, so the loop applies them at once.
 *  - kick: a session was logged: sync it soon.
 *  - reconfigure: new config after a reload.
 *  - settings: 1 and the detector settings if the collector sent new
 *    ones since the last call, else 0. Called at every wake of the loop,
 *    so it must be cheap.
 *  - stop: release the handle.
 *  - idle (may be NULL): the loop is about to sleep with no timer at all
 *    (no session open, nothing to retry), once per such sleep: a place to
 *    give memory back. The loop has already released SQLite's cache.
 */
struct daemon_link {
	int (*start)(void **h, const struct agent_config *cfg, void (*wake)(void *),
	    void *arg, struct bbt_error *e);
	void (*kick)(void *h);
	void (*reconfigure)(void *h, const struct agent_config *cfg);
	int (*settings)(void *h, struct detector_settings *out);
	void (*stop)(void *h);
	void (*idle)(void *h);
};

/* Run until stopped, with this link. Returns the process exit status. */
int daemon_run_link(const struct agent_config *cfg, const char *cli_config,
    const char *cli_state_dir, const struct daemon_link *link);

/* daemon_run_link with the in-process sync thread (daemon_thread.c).
 * Run until stopped. cfg is the loaded config; cli_config/cli_state_dir are
 * the command-line overrides (NULL if none), used again on reload. Returns
 * the process exit status. */
int daemon_run(const struct agent_config *cfg, const char *cli_config,
    const char *cli_state_dir);

#endif
