/*
 * metrics: the collector's counters for GET /metrics, rendered in the
 * Prometheus text format (version 0.0.4). Process-wide and thread-safe:
 * every worker thread counts into the same totals; counters start at 0
 * when the process starts, as Prometheus expects (it handles resets).
 * Each collector of a province reports its own process: an operator sums
 * them (and tells them apart by their instance label).
 */
#ifndef SERVER_METRICS_H
#define SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

/*
 * One answered request: endpoint is the route's path (or "other"),
 * seconds the time from its headers to its answer (the request-duration
 * histogram, per endpoint).
 */
void metrics_request(const char *endpoint, int status, double seconds);
/* Sessions judged in one upload or bundle. */
void metrics_sessions(uint64_t accepted, uint64_t duplicate, uint64_t rejected);
/* Time one ingestion (an upload or a bundle) took, from body to commit. */
void metrics_ingest_duration(double seconds);
/* One upload stored (POST /api/v1/sessions committed). */
void metrics_upload(void);
/* One heartbeat recorded. */
void metrics_heartbeat(void);
/* A device token found, in the credential cache (cached 1) or the database. */
void metrics_credential(int cached);
/* One bundle imported over HTTP (its sessions also go to metrics_sessions). */
void metrics_bundle(void);
/*
 * The heartbeat write-behind (heartbeat.h): one flush of n heartbeats in
 * seconds, ok or failed; pending is how many wait for the next one.
 */
void metrics_heartbeat_flush(uint64_t n, double seconds, int ok);
void metrics_heartbeat_pending(uint64_t pending);
/*
 * The exposition text (malloc'd, *len bytes), with the device gauges the
 * caller read from the database, the build and the process metrics
 * (process_*, read from /proc where there is one). NULL on allocation
 * failure.
 */
char *metrics_render(int64_t devices_enrolled, int64_t devices_seen, size_t *len);
/* Forget everything (tests). */
void metrics_reset(void);

#endif
