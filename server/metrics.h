/*
 * metrics: the collector's counters for GET /metrics, rendered in the
 * Prometheus text format (version 0.0.4). Process-wide and thread-safe:
 * every worker thread counts into the same totals; counters start at 0
 * when the process starts, as Prometheus expects (it handles resets).
 */
#ifndef SERVER_METRICS_H
#define SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* One answered request: endpoint is the route's path (or "other"). */
void metrics_request(const char *endpoint, int status);
/* Sessions judged in one upload or bundle. */
void metrics_sessions(uint64_t accepted, uint64_t duplicate, uint64_t rejected);
/* Time one ingestion took, from body to commit. */
void metrics_ingest_duration(double seconds);
/*
 * The exposition text (malloc'd, *len bytes), with the device gauges the
 * caller read from the database. NULL on allocation failure.
 */
char *metrics_render(int64_t devices_enrolled, int64_t devices_seen, size_t *len);
/* Forget everything (tests). */
void metrics_reset(void);

#endif
