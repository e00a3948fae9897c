/*
 * fleet: the `devices` report (CONTRACT 5.1, issue 5): every enrolled classroom
 * device with where it is, what it runs, when it last reported, whether it
 * is online, its clock offset, the sessions it still buffers and the input
 * hardware it found. Built once for the CLI and GET /api/v1/devices.
 *
 * Online means a contact within three of the agent's own sync intervals
 * (it reports `sync_interval_s` in its heartbeat); for an agent that has
 * not, within `offline_after` seconds (default three intervals of the
 * agent's default 300 s). The decision is pure (fleet_online) so tests
 * drive it.
 *
 * `buffered` is the outbox depth the agent reported at the heartbeat that
 * opened its last pass, less the sessions it was answered for since (db.h
 * db_device_uploaded): the depth after the pass, not before it. A clock
 * offset never measured (no agent_time yet) is null, not 0.
 *
 * Identity columns (CONTRACT 4.4): reenrolled counts the times the device's
 * hw_id enrolled again (a re-image keeps the device_id), last_reenrolled is
 * the last of them, revoked says an admin revoked its token. clone_suspected
 * is true when, in the last 14 days (DB_CLONE_WINDOW_S), the collector saw
 * evidence of two live machines on one hw_id: a device token that a
 * re-enrollment with another key replaced was presented again (a re-imaged
 * machine no longer has its old token; a second machine does), or a
 * re-enrollment came with a public key that an enrollment with another key
 * had replaced (the machines alternate). See docs/server.md "Identity".
 */
#ifndef SERVER_FLEET_H
#define SERVER_FLEET_H

#include <stdint.h>

#include "bbt_error.h"
#include "report.h"

#define FLEET_AGENT_INTERVAL_S 300	/* the agent's default [sync] interval */
#define FLEET_MISSED_BEATS 3
#define FLEET_OFFLINE_AFTER_S (FLEET_MISSED_BEATS * FLEET_AGENT_INTERVAL_S)

struct db;

/* 1 if a device last seen at last_seen (0 = never) is online at now. */
int fleet_online(int64_t last_seen, int64_t now, int64_t offline_after_s);
/* 1 if clone evidence seen at clone_at (0 = never) still flags it at now. */
int fleet_clone_suspected(int64_t clone_at, int64_t now);

/*
 * The report of one school's devices (NULL = all), times in zone. JSON rows
 * also carry "input_devices", the array the agent reported.
 */
struct report *fleet_devices_report(struct db *db, const char *school, const char *zone,
    int64_t now, int64_t offline_after_s, struct bbt_error *e);

#endif
