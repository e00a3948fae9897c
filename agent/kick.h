/*
 * kick: the two files through which the capture process and the sync
 * process meet besides the buffer (docs/agent-run.md), both in state_dir:
 *  - KICK_FILE: the capture process rewrites it when a session is logged;
 *    bbt-agent-sync.path (PathModified=) starts a sync pass, and
 *    `sync --auto` treats a kick newer than its last pass as due.
 *  - KICK_SETTINGS_FILE: detector settings the collector sent, written by
 *    the sync process (atomically), read by the capture process at most
 *    every KICK_SETTINGS_CHECK_S while it is awake anyway (never a timer of
 *    its own, so idle stays at zero wakeups).
 * Neither needs the network; both are plain files so that the capture
 * process needs no socket for them. A settings file out of range or
 * malformed is ignored with a warning.
 */
#ifndef KICK_H
#define KICK_H

#include <stdint.h>

#include "bbt_error.h"
#include "daemon.h"
#include "detector.h"

#define KICK_FILE "sync.kick"
#define KICK_SETTINGS_FILE "server-settings"
#define KICK_SETTINGS_CHECK_S 30

/* The daemon link of the capture process. */
extern const struct daemon_link kick_link;

/* Write the settings file of state_dir (temp file, fsync, rename). */
int kick_settings_write(const char *state_dir, const struct detector_settings *s,
    struct bbt_error *e);
/* Read it: 1 and the settings, 0 if there is none, -1 if it is bad. */
int kick_settings_read(const char *state_dir, struct detector_settings *s,
    struct bbt_error *e);
/* Realtime (Unix us) of the latest kick, 0 if never kicked. */
int64_t kick_time_us(const char *state_dir);

#endif
