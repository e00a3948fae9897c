/*
 * metrics: counters behind one mutex. Requests are counted per (endpoint,
 * status) pair in a small table, and timed per endpoint; endpoints are
 * route paths, never raw request paths, so a scanner cannot blow up the
 * number of series. The process metrics are read from /proc at render
 * time (the names and units of the Prometheus client libraries), so an
 * operator's usual alerts work unchanged.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bbt_buf.h"
#include "metrics.h"

#define MAX_SERIES 256
#define MAX_ENDPOINTS 64
#define ENDPOINT_LEN 64

/* Uploads and heartbeats take milliseconds; a term's report can take a minute. */
static const double buckets[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct hist {
	uint64_t le[NBUCKETS];	/* cumulative: le[i] counts every value <= buckets[i] */
	uint64_t count;
	double sum;
};

struct series {
	char endpoint[ENDPOINT_LEN];
	int status;
	uint64_t n;
};

struct timed {
	char endpoint[ENDPOINT_LEN];
	struct hist h;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct series requests[MAX_SERIES];
static size_t nrequests;
static struct timed durations[MAX_ENDPOINTS];
static size_t ndurations;
static uint64_t sessions[3];
static struct hist ingest, hb_flush;
static uint64_t uploads, heartbeats, bundles, hb_flushes[2], hb_pending;
static uint64_t credentials[2];	/* device tokens found: [0] database, [1] cache */

static void hist_add(struct hist *h, double seconds)
{
	for (size_t i = 0; i < NBUCKETS; i++)
		if (seconds <= buckets[i])
			h->le[i]++;
	h->count++;
	h->sum += seconds;
}

/* The duration series of endpoint, made if there is room; NULL if not. */
static struct timed *timed_of(const char *endpoint)
{
	size_t i;

	for (i = 0; i < ndurations; i++)
		if (strcmp(durations[i].endpoint, endpoint) == 0)
			return &durations[i];
	if (ndurations == MAX_ENDPOINTS)
		return NULL;
	memset(&durations[i], 0, sizeof(durations[i]));
	snprintf(durations[i].endpoint, ENDPOINT_LEN, "%s", endpoint);
	ndurations++;
	return &durations[i];
}

void metrics_request(const char *endpoint, int status, double seconds)
{
	struct timed *d;
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
	d = timed_of(endpoint);
	if (d)
		hist_add(&d->h, seconds < 0 ? 0 : seconds);
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
	hist_add(&ingest, seconds);
	pthread_mutex_unlock(&lock);
}

static void count(uint64_t *c)
{
	pthread_mutex_lock(&lock);
	(*c)++;
	pthread_mutex_unlock(&lock);
}

void metrics_upload(void) { count(&uploads); }
void metrics_heartbeat(void) { count(&heartbeats); }
void metrics_bundle(void) { count(&bundles); }
void metrics_credential(int cached) { count(&credentials[cached ? 1 : 0]); }

void metrics_heartbeat_flush(uint64_t n, double seconds, int ok)
{
	pthread_mutex_lock(&lock);
	hb_flushes[ok ? 0 : 1]++;
	if (ok)
		hist_add(&hb_flush, seconds);
	(void)n;
	pthread_mutex_unlock(&lock);
}

void metrics_heartbeat_pending(uint64_t pending)
{
	pthread_mutex_lock(&lock);
	hb_pending = pending;
	pthread_mutex_unlock(&lock);
}

void metrics_reset(void)
{
	pthread_mutex_lock(&lock);
	nrequests = ndurations = 0;
	memset(sessions, 0, sizeof(sessions));
	memset(&ingest, 0, sizeof(ingest));
	memset(&hb_flush, 0, sizeof(hb_flush));
	uploads = heartbeats = bundles = hb_pending = 0;
	hb_flushes[0] = hb_flushes[1] = 0;
	credentials[0] = credentials[1] = 0;
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

static void put_head(struct buf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One histogram's samples; label is "" or `endpoint="..."` already escaped. */
static void put_hist(struct buf *b, const char *name, const char *label, const struct hist *h)
{
	const char *sep = label[0] ? "," : "";

	for (size_t i = 0; i < NBUCKETS; i++)
		put(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, label, sep, buckets[i],
		    (unsigned long long)h->le[i]);
	put(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, label, sep,
	    (unsigned long long)h->count);
	put(b, "%s_sum%s%s%s %.6f\n", name, label[0] ? "{" : "", label, label[0] ? "}" : "",
	    h->sum);
	put(b, "%s_count%s%s%s %llu\n", name, label[0] ? "{" : "", label, label[0] ? "}" : "",
	    (unsigned long long)h->count);
}

static void put_counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
	put_head(b, name, "counter", help);
	put(b, "%s %llu\n", name, (unsigned long long)v);
}

static void render_requests(struct buf *b)
{
	struct buf label = { { 0 }, 0 };

	put_head(b, "bbt_http_requests_total", "counter",
	    "HTTP requests answered, by route and status.");
	for (size_t i = 0; i < nrequests; i++) {
		put(b, "bbt_http_requests_total{endpoint=\"");
		put_label(b, requests[i].endpoint);
		put(b, "\",status=\"%d\"} %llu\n", requests[i].status,
		    (unsigned long long)requests[i].n);
	}
	put_head(b, "bbt_http_request_duration_seconds", "histogram",
	    "Time from a request's headers to its answer, by route.");
	for (size_t i = 0; i < ndurations; i++) {
		label.b.len = 0;
		put(&label, "endpoint=\"");
		put_label(&label, durations[i].endpoint);
		put(&label, "\"");
		if (label.failed)
			b->failed = 1;
		else
			put_hist(b, "bbt_http_request_duration_seconds", label.b.p,
			    &durations[i].h);
	}
	bbt_buf_free(&label.b);
}

static void render_locked(struct buf *b, int64_t enrolled, int64_t seen)
{
	static const char *const results[] = { "accepted", "duplicate", "rejected" };

	put_head(b, "bbt_build_info", "gauge", "The collector's version, always 1.");
	put(b, "bbt_build_info{version=\"");
	put_label(b, BBT_VERSION);
	put(b, "\"} 1\n");
	render_requests(b);
	put_head(b, "bbt_sessions_total", "counter",
	    "Sessions judged (uploads and bundles), by result.");
	for (size_t i = 0; i < 3; i++)
		put(b, "bbt_sessions_total{result=\"%s\"} %llu\n", results[i],
		    (unsigned long long)sessions[i]);
	put_counter(b, "bbt_uploads_total", "Session uploads stored.", uploads);
	put_counter(b, "bbt_bundles_total", "Offline bundles imported over HTTP.", bundles);
	put_counter(b, "bbt_heartbeats_total", "Heartbeats recorded.", heartbeats);
	put_head(b, "bbt_device_tokens_total", "counter",
	    "Device tokens found, by where: the credential cache or the database.");
	put(b, "bbt_device_tokens_total{source=\"cache\"} %llu\n"
	    "bbt_device_tokens_total{source=\"database\"} %llu\n",
	    (unsigned long long)credentials[1], (unsigned long long)credentials[0]);
	put_head(b, "bbt_heartbeat_flushes_total", "counter",
	    "Writes of the heartbeats held in memory to the database, by result.");
	put(b, "bbt_heartbeat_flushes_total{result=\"ok\"} %llu\n"
	    "bbt_heartbeat_flushes_total{result=\"failed\"} %llu\n",
	    (unsigned long long)hb_flushes[0], (unsigned long long)hb_flushes[1]);
	put_head(b, "bbt_heartbeats_pending", "gauge",
	    "Heartbeats answered and not yet written to the database.");
	put(b, "bbt_heartbeats_pending %llu\n", (unsigned long long)hb_pending);
	put_head(b, "bbt_heartbeat_flush_duration_seconds", "histogram",
	    "Time to write one flush of heartbeats (one transaction).");
	put_hist(b, "bbt_heartbeat_flush_duration_seconds", "", &hb_flush);
	put_head(b, "bbt_devices_enrolled", "gauge", "Devices enrolled.");
	put(b, "bbt_devices_enrolled %lld\n", (long long)enrolled);
	put_head(b, "bbt_devices_seen", "gauge", "Devices heard from in the last 24 hours.");
	put(b, "bbt_devices_seen %lld\n", (long long)seen);
	put_head(b, "bbt_ingest_duration_seconds", "histogram",
	    "Time to judge and commit one upload or bundle.");
	put_hist(b, "bbt_ingest_duration_seconds", "", &ingest);
}

/* ---- the process, from /proc ---- */

/* utime + stime and starttime of /proc/self/stat, in clock ticks. */
static int proc_stat(unsigned long long *cpu, unsigned long long *start)
{
	char line[1024], *p;
	unsigned long long v[20] = { 0 };
	FILE *f = fopen("/proc/self/stat", "r");
	int n = 0;

	if (!f)
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	/* The command name may hold spaces and parentheses: fields follow the last ')'. */
	p = p ? strrchr(line, ')') : NULL;
	if (!p)
		return -1;
	/* From field 3 (state, skipped) on: v[0] is field 4. */
	p = strchr(p + 2, ' ');
	while (p && n < 20) {
		v[n++] = strtoull(p + 1, &p, 10);
		if (*p != ' ')
			break;
	}
	if (n < 19)
		return -1;
	*cpu = v[10] + v[11];	/* fields 14, 15 */
	*start = v[18];		/* field 22 */
	return 0;
}

/* btime of /proc/stat: the boot, in Unix seconds. */
static int boot_time(unsigned long long *btime)
{
	char line[256];
	FILE *f = fopen("/proc/stat", "r");
	int rc = -1;

	if (!f)
		return -1;
	while (rc < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %llu", btime) == 1)
			rc = 0;
	fclose(f);
	return rc;
}

static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own */
}

static void render_process(struct buf *b)
{
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE), fds = open_fds();
	unsigned long long cpu, start, btime, vsz, rss;
	struct rlimit rl;
	FILE *f;

	if (tck > 0 && proc_stat(&cpu, &start) == 0 && boot_time(&btime) == 0) {
		put_head(b, "process_cpu_seconds_total", "counter",
		    "User and system CPU time spent, in seconds.");
		put(b, "process_cpu_seconds_total %.2f\n", (double)cpu / (double)tck);
		put_head(b, "process_start_time_seconds", "gauge",
		    "Start time of the process since the Unix epoch, in seconds.");
		put(b, "process_start_time_seconds %.2f\n",
		    (double)btime + (double)start / (double)tck);
	}
	f = fopen("/proc/self/statm", "r");
	if (f && page > 0 && fscanf(f, "%llu %llu", &vsz, &rss) == 2) {
		put_head(b, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
		put(b, "process_virtual_memory_bytes %llu\n", vsz * (unsigned long long)page);
		put_head(b, "process_resident_memory_bytes", "gauge",
		    "Resident memory size in bytes.");
		put(b, "process_resident_memory_bytes %llu\n", rss * (unsigned long long)page);
	}
	if (f)
		fclose(f);
	if (fds >= 0) {
		put_head(b, "process_open_fds", "gauge", "Number of open file descriptors.");
		put(b, "process_open_fds %ld\n", fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		put_head(b, "process_max_fds", "gauge",
		    "Maximum number of open file descriptors.");
		put(b, "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
	}
}

char *metrics_render(int64_t devices_enrolled, int64_t devices_seen, size_t *len)
{
	struct buf b = { { 0 }, 0 };

	pthread_mutex_lock(&lock);
	render_locked(&b, devices_enrolled, devices_seen);
	pthread_mutex_unlock(&lock);
	render_process(&b);
	if (b.failed || b.b.p == NULL) {
		bbt_buf_free(&b.b);
		return NULL;
	}
	*len = b.b.len;
	return b.b.p;
}
