/*
 * sync: the daemon's link to the collector (SPEC 4.4), on its own thread so
 * that a slow network never delays reading input events.
 *
 * The thread opens its own store connection (SQLite WAL allows a reader and
 * a writer at once), heartbeats and uploads every [sync] interval, backs off
 * on failure, enrolls first if an enroll_token is configured and the agent
 * is not enrolled. The run loop kicks it when a session closes and picks up
 * detector settings the server sent.
 */
#ifndef SYNC_H
#define SYNC_H

#include "bbt_error.h"
#include "config.h"
#include "detector.h"

struct sync_thread;

/* Start the thread (a copy of cfg is taken). A config with no server url
 * starts nothing and returns 0 with *out NULL: every call below accepts NULL. */
int sync_thread_start(struct sync_thread **out, const struct agent_config *cfg,
    struct bbt_error *e);
/* A session was logged: upload soon rather than at the next interval. */
void sync_thread_kick(struct sync_thread *st);
/* New config after SIGHUP. */
void sync_thread_reconfigure(struct sync_thread *st, const struct agent_config *cfg);
/* 1 and the settings if the server sent new detector settings since the
 * last call, else 0. */
int sync_thread_settings(struct sync_thread *st, struct detector_settings *out);
/* Stop and join (an upload in flight is abandoned; nothing is lost because
 * the outbox is emptied only by acknowledgements). */
void sync_thread_stop(struct sync_thread *st);

#endif
