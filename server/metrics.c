/*
 * metrics: counters behind one mutex. Requests are counted per (endpoint,
 * status) pair in a small table; endpoints are route paths, never raw
 * request paths, so a scanner cannot blow up the number of series.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_buf.h"
#include "metrics.h"

#define MAX_SERIES 256
#define ENDPOINT_LEN 64

static const double buckets[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct series {
	char endpoint[ENDPOINT_LEN];
	int status;
	uint64_t n;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct series requests[MAX_SERIES];
static size_t nrequests;
static uint64_t sessions[3];
static uint64_t hist[NBUCKETS];
static uint64_t hist_count;
static double hist_sum;

void metrics_request(const char *endpoint, int status)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nrequests; i++)
		if (requests[i].status == status && strcmp(requests[i].endpoint, endpoint) == 0)
			break;
	if (i == nrequests && nrequests < MAX_SERIES) {
		snprintf(requests[i].endpoint, ENDPOINT_LEN, "%s", endpoint);
		requests[i].status = status;
		nrequests++;
	}
	if (i < nrequests)
		requests[i].n++;
	pthread_mutex_unlock(&lock);
}

void metrics_sessions(uint64_t accepted, uint64_t duplicate, uint64_t rejected)
{
	pthread_mutex_lock(&lock);
	sessions[0] += accepted;
	sessions[1] += duplicate;
	sessions[2] += rejected;
	pthread_mutex_unlock(&lock);
}

void metrics_ingest_duration(double seconds)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < NBUCKETS; i++)
		if (seconds <= buckets[i])
			hist[i]++;
	hist_count++;
	hist_sum += seconds;
	pthread_mutex_unlock(&lock);
}

void metrics_reset(void)
{
	pthread_mutex_lock(&lock);
	nrequests = 0;
	memset(sessions, 0, sizeof(sessions));
	memset(hist, 0, sizeof(hist));
	hist_count = 0;
	hist_sum = 0;
	pthread_mutex_unlock(&lock);
}

struct buf {
	struct bbt_buf b;
	int failed;		/* an append failed: the page is dropped */
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->failed)
		return;
	va_start(ap, fmt);
	if (bbt_buf_vprintf(&b->b, fmt, ap) < 0)
		b->failed = 1;
	va_end(ap);
}

/* Endpoints are our own route paths; escape anyway, as the format requires. */
static void put_label(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			put(b, "\\%c", *s);
		else if (*s == '\n')
			put(b, "\\n");
		else
			put(b, "%c", *s);
	}
}

static void render_locked(struct buf *b, int64_t enrolled, int64_t seen)
{
	static const char *const results[] = { "accepted", "duplicate", "rejected" };
	uint64_t cum = 0;

	put(b, "# HELP bbt_http_requests_total HTTP requests answered, by route and status.\n"
	    "# TYPE bbt_http_requests_total counter\n");
	for (size_t i = 0; i < nrequests; i++) {
		put(b, "bbt_http_requests_total{endpoint=\"");
		put_label(b, requests[i].endpoint);
		put(b, "\",status=\"%d\"} %llu\n", requests[i].status,
		    (unsigned long long)requests[i].n);
	}
	put(b, "# HELP bbt_sessions_total Sessions judged, by result.\n"
	    "# TYPE bbt_sessions_total counter\n");
	for (size_t i = 0; i < 3; i++)
		put(b, "bbt_sessions_total{result=\"%s\"} %llu\n", results[i],
		    (unsigned long long)sessions[i]);
	put(b, "# HELP bbt_devices_enrolled Devices enrolled.\n"
	    "# TYPE bbt_devices_enrolled gauge\nbbt_devices_enrolled %lld\n", (long long)enrolled);
	put(b, "# HELP bbt_devices_seen Devices heard from in the last 24 hours.\n"
	    "# TYPE bbt_devices_seen gauge\nbbt_devices_seen %lld\n", (long long)seen);
	put(b, "# HELP bbt_ingest_duration_seconds Time to judge and commit one upload.\n"
	    "# TYPE bbt_ingest_duration_seconds histogram\n");
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum = hist[i];
		put(b, "bbt_ingest_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[i],
		    (unsigned long long)cum);
	}
	put(b, "bbt_ingest_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
	    (unsigned long long)hist_count);
	put(b, "bbt_ingest_duration_seconds_sum %.6f\n", hist_sum);
	put(b, "bbt_ingest_duration_seconds_count %llu\n", (unsigned long long)hist_count);
}

char *metrics_render(int64_t devices_enrolled, int64_t devices_seen, size_t *len)
{
	struct buf b = { { 0 }, 0 };

	pthread_mutex_lock(&lock);
	render_locked(&b, devices_enrolled, devices_seen);
	pthread_mutex_unlock(&lock);
	if (b.failed || b.b.p == NULL) {
		bbt_buf_free(&b.b);
		return NULL;
	}
	*len = b.b.len;
	return b.b.p;
}
