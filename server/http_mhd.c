/*
 * http_mhd: the collector on the network, through libmicrohttpd. One daemon
 * with an internal epoll thread pool (MHD_USE_AUTO picks epoll on Linux)
 * hands each request to the request path of http.c: the headers first (so
 * a request is routed and authenticated before any body is read), then the
 * body as it arrives, then the end.
 *
 * libmicrohttpd's own timeout is an idle timeout: a client sending one
 * byte every 29 s never reaches it. So every connection is tracked here
 * (MHD_OPTION_NOTIFY_CONNECTION) with the phase it is in, and a reaper
 * thread shuts down the socket of one that has not sent its whole headers
 * within --header-timeout of connecting (or of its last answer), or whose
 * body arrives slower than --min-body-rate over a --body-rate-window (the
 * first window is the grace). shutdown() makes the connection's own
 * thread see end-of-file and close it the ordinary way; the socket is
 * still open because the tracker leaves the list (under the lock) in the
 * CLOSED notification, which libmicrohttpd sends before closing the fd.
 *
 * Per-address limits are kept here too, not by libmicrohttpd, because
 * behind a trusted proxy (--trusted-proxy) the address that counts is the
 * forwarded one: a direct peer takes a slot of its address when it
 * connects (past --max-per-address the oldest connection of that address
 * still waiting for its headers is cut to make room, or if there is none
 * the newcomer); a trusted proxy's
 * connection takes none until its request's headers name the client, and
 * then the client's until the answer (past the limit: 429 with
 * Retry-After). IPv6 clients
 * count per /64, since one host may use any address of its prefix.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "bbt_buf.h"
#include "bbt_file.h"
#include "bbt_log.h"
#include "credcache.h"
#include "heartbeat.h"
#include "http.h"
#include "metrics.h"
#include "rulebook.h"

/* Why these values: see docs/server.md ("Connection limits"). */
#define HTTP_CONN_TIMEOUT_S 30
#define HTTP_CONN_MEMORY (64 * 1024)
#define HTTP_RETRY_AFTER_S "30"
#define HTTP_REAPER_TICK_MS 200
/* A PEM certificate chain or key is a few KiB; 1 MiB is a wrong file. */
#define HTTP_PEM_MAX ((size_t)1024 * 1024)

static const struct http_config *the_cfg;

enum phase { PH_HEADERS, PH_BODY, PH_BUSY };

/* One TCP connection (libmicrohttpd's socket context). Fields under track_lock. */
struct track {
	struct track *prev, *next;
	MHD_socket fd;
	int trusted;			/* the peer is a trusted proxy */
	int counted;			/* key holds one per-address slot */
	unsigned char key[16];
	char addr[48];			/* who, for logs */
	enum phase phase;
	int64_t since_ms;		/* when the phase began */
	int64_t mark_ms;		/* body: start of the current rate window */
	uint64_t bytes, mark_bytes;
	int cut;
};

/* Per-request state (libmicrohttpd's request context). */
struct mhd_req {
	struct http_exchange *x;
	struct track *t;
	int answered;
};

static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reaper_cv = PTHREAD_COND_INITIALIZER;
static struct track *tracks;
static int reaper_stop;
/* Since the reaper's last report (under track_lock). */
static unsigned cut_headers, cut_body, refused_addr, evicted_addr;
static char refused_example[48];

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- connections per address: open addressing, linear probing ---- */

struct slot {
	unsigned char a[16];
	unsigned n;			/* 0 = empty */
};
static struct slot *slots;
static size_t slot_mask;
static uint64_t slot_seed;

static size_t slot_hash(const unsigned char a[16])
{
	uint64_t h = 1469598103934665603ULL ^ slot_seed;

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

/* The slot holding a, or the empty one where it would go; NULL if full. */
static struct slot *slot_find(const unsigned char a[16])
{
	size_t i = slot_hash(a) & slot_mask;

	for (size_t probes = 0; probes <= slot_mask; probes++, i = (i + 1) & slot_mask)
		if (slots[i].n == 0 || memcmp(slots[i].a, a, 16) == 0)
			return &slots[i];
	return NULL;
}

/* Take a slot of address a: the count after, or UINT32_MAX if the table is full. */
static unsigned addr_take(const unsigned char a[16])
{
	struct slot *s = slot_find(a);

	if (!s)
		return UINT32_MAX;
	if (s->n == 0)
		memcpy(s->a, a, 16);
	return ++s->n;
}

static void addr_give(const unsigned char a[16])
{
	struct slot *s = slot_find(a);
	size_t i, j;

	if (!s || s->n == 0 || --s->n > 0)
		return;
	/* Emptied: shift later entries of the run back so lookups still find them. */
	i = (size_t)(s - slots);
	for (j = (i + 1) & slot_mask; slots[j].n != 0; j = (j + 1) & slot_mask) {
		size_t k = slot_hash(slots[j].a) & slot_mask;

		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			slots[i] = slots[j];
			slots[j].n = 0;
			i = j;
		}
	}
	slots[i].n = 0;
}

/* The per-address key of a client: IPv6 by its /64, IPv4 whole. */
static void limit_key(const unsigned char in[16], unsigned char out[16])
{
	static const unsigned char v4map[12] = { [10] = 0xff, [11] = 0xff };

	memcpy(out, in, 16);
	if (memcmp(in, v4map, 12) != 0)
		memset(out + 8, 0, 8);
}

static int slots_init(int max_connections)
{
	size_t n = 64;

	while (n < (size_t)max_connections * 2 + 16)
		n *= 2;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -1;
	slot_mask = n - 1;
	slot_seed = (uint64_t)now_ms() ^ ((uint64_t)(uintptr_t)&n << 17);
	return 0;
}

/* ---- the reaper ---- */

static void cut(struct track *t, unsigned *counter)
{
	if (t->cut)
		return;
	t->cut = 1;
	(*counter)++;
	shutdown(t->fd, SHUT_RDWR);
	log_debug("%s: connection cut (%s)", t->addr,
	    counter == &cut_headers ? "headers too slow" : "body too slow");
}

/*
 * Bytes the kernel holds for us unread. When a worker thread is busy (a
 * handler waiting on the database), its other connections are not read:
 * their slowness is ours, and they must not be cut for it. A slowloris
 * never has data waiting once a worker is free, since it is read at once.
 */
static int unread(const struct track *t)
{
	int n = 0;

	return ioctl(t->fd, FIONREAD, &n) == 0 && n > 0;
}

static void sweep(int64_t now)
{
	const struct http_config *cfg = the_cfg;
	int64_t header_ms = (int64_t)cfg->header_timeout * 1000;
	int64_t window_ms = (int64_t)cfg->body_rate_window * 1000;

	for (struct track *t = tracks; t; t = t->next) {
		if (t->cut)
			continue;
		if (t->phase == PH_HEADERS && now - t->since_ms >= header_ms) {
			if (!unread(t))
				cut(t, &cut_headers);
		} else if (t->phase == PH_BODY && now - t->mark_ms >= window_ms) {
			uint64_t got = t->bytes - t->mark_bytes;

			if ((double)got < (double)cfg->min_body_rate * (double)(now - t->mark_ms)
			    / 1000.0 && !unread(t)) {
				cut(t, &cut_body);
			} else {
				t->mark_ms = now;
				t->mark_bytes = t->bytes;
			}
		}
	}
	/* One line per tick, not one per connection: an attack must not flood the log. */
	if (cut_headers)
		log_info("cut %u connection(s) without whole headers after %d s",
		    cut_headers, cfg->header_timeout);
	if (cut_body)
		log_info("cut %u connection(s) sending a body under %ld bytes/s", cut_body,
		    cfg->min_body_rate);
	if (evicted_addr)
		log_info("cut %u connection(s) still waiting for headers to make room for new "
		    "ones of their address (over --max-per-address %d, e.g. %s)", evicted_addr,
		    cfg->max_per_address, refused_example);
	if (refused_addr)
		log_info("refused %u connection(s) over --max-per-address %d (e.g. %s)",
		    refused_addr, cfg->max_per_address, refused_example);
	cut_headers = cut_body = refused_addr = evicted_addr = 0;
}

static void *reaper_main(void *arg)
{
	struct timespec ts;

	pthread_mutex_lock(&track_lock);
	while (!reaper_stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += HTTP_REAPER_TICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&reaper_cv, &track_lock, &ts);
		if (!reaper_stop)
			sweep(now_ms());
	}
	pthread_mutex_unlock(&track_lock);
	return NULL;
}

/*
 * A new connection t is one too many for its address. A school behind one
 * NAT address must not be locked out by a few of its machines (or one bad
 * one) holding half-open connections: so the oldest connection of that
 * address still waiting for its headers makes room (a real client sends
 * its headers in milliseconds, a slowloris never). Only when every one of
 * them is busy with a request is the newcomer refused. Under track_lock.
 */
static void over_limit(struct track *t)
{
	struct track *victim = NULL;

	for (struct track *o = tracks; o; o = o->next)
		if (o != t && !o->cut && o->counted && o->phase == PH_HEADERS &&
		    memcmp(o->key, t->key, 16) == 0 && (!victim || o->since_ms <= victim->since_ms))
			victim = o;
	snprintf(refused_example, sizeof(refused_example), "%s", t->addr);
	if (victim) {
		evicted_addr++;
		victim->cut = 1;
		shutdown(victim->fd, SHUT_RDWR);
		return;
	}
	refused_addr++;
	t->cut = 1;
	shutdown(t->fd, SHUT_RDWR);
}

/* ---- libmicrohttpd callbacks ---- */

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *fdi, *ai;
	struct http_client client;
	struct track *t;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		t = *socket_context;
		if (!t)
			return;
		pthread_mutex_lock(&track_lock);
		if (t->prev)
			t->prev->next = t->next;
		else
			tracks = t->next;
		if (t->next)
			t->next->prev = t->prev;
		if (t->counted)
			addr_give(t->key);
		pthread_mutex_unlock(&track_lock);
		free(t);
		*socket_context = NULL;
		return;
	}
	fdi = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	ai = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!fdi)
		return;
	t = calloc(1, sizeof(*t));
	if (!t || !ai || http_client_resolve(the_cfg, ai->client_addr, NULL, &client) < 0) {
		/* Cannot account for it: refuse rather than let it escape the limits. */
		free(t);
		shutdown(fdi->connect_fd, SHUT_RDWR);
		return;
	}
	t->fd = fdi->connect_fd;
	t->trusted = http_cidr_match(the_cfg->trusted, the_cfg->ntrusted, client.key);
	snprintf(t->addr, sizeof(t->addr), "%s", client.addr);
	t->phase = PH_HEADERS;
	t->since_ms = now_ms();
	pthread_mutex_lock(&track_lock);
	t->next = tracks;
	if (tracks)
		tracks->prev = t;
	tracks = t;
	if (!t->trusted) {
		limit_key(client.key, t->key);
		t->counted = 1;
		if (addr_take(t->key) > (unsigned)the_cfg->max_per_address)
			over_limit(t);
	}
	pthread_mutex_unlock(&track_lock);
	*socket_context = t;
}

/* Queue res on the connection; frees res->body (MHD copies it). */
static enum MHD_Result send_response(struct MHD_Connection *c, struct http_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	static const char empty[] = "";

	if (res->status == 0 || (res->status >= 500 && !res->body))
		http_reply_error(res, 500, "internal error");
	r = MHD_create_response_from_buffer(res->body ? res->body_len : 0,
	    res->body ? res->body : (void *)empty, MHD_RESPMEM_MUST_COPY);
	free(res->body);
	res->body = NULL;
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    res->content_type ? res->content_type : "application/json");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (res->content_disposition)
		MHD_add_response_header(r, "Content-Disposition", res->content_disposition);
	if (res->csp)
		MHD_add_response_header(r, "Content-Security-Policy", res->csp);
	if (res->status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (res->cookie[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, res->cookie);
	if ((res->status == 503 || res->status == 429) && res->retry_after > 0) {
		char after[24];

		snprintf(after, sizeof(after), "%d", res->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, after);
	} else if (res->status == 503 || res->status == 429) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, HTTP_RETRY_AFTER_S);
	}
	if (res->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
	ret = MHD_queue_response(c, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *src_header(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static const char *src_query(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static const struct http_source mhd_source_proto = { src_header, src_query, NULL };

struct xff_join {
	struct bbt_buf s;
	int failed;
};

/* Every X-Forwarded-For header, in order, joined with commas. */
static enum MHD_Result xff_each(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct xff_join *j = cls;
	size_t n = value ? strlen(value) : 0;

	if (strcasecmp(key, "X-Forwarded-For") != 0 || n == 0)
		return MHD_YES;
	if ((j->s.len && bbt_buf_add(&j->s, ",", 1) < 0) || bbt_buf_add(&j->s, value, n) < 0) {
		j->failed = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

static struct track *track_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i ? i->socket_context : NULL;
}

static void track_phase(struct track *t, enum phase ph)
{
	if (!t)
		return;
	pthread_mutex_lock(&track_lock);
	t->phase = ph;
	t->since_ms = t->mark_ms = now_ms();
	t->bytes = t->mark_bytes = 0;
	pthread_mutex_unlock(&track_lock);
}

/*
 * A trusted proxy's request: its connection's slot moves to the forwarded
 * client. 0, or -1 when that client is over the per-address limit.
 */
static int track_client(struct track *t, const struct http_client *client)
{
	unsigned char key[16];
	int rc = 0;

	if (!t || !t->trusted)
		return 0;
	limit_key(client->key, key);
	pthread_mutex_lock(&track_lock);
	snprintf(t->addr, sizeof(t->addr), "%s", client->addr);
	if (!t->counted || memcmp(t->key, key, 16) != 0) {
		if (t->counted)
			addr_give(t->key);
		memcpy(t->key, key, 16);
		t->counted = 1;
		if (addr_take(key) > (unsigned)the_cfg->max_per_address)
			rc = -1;
	}
	pthread_mutex_unlock(&track_lock);
	return rc;
}

static enum MHD_Result first_call(struct MHD_Connection *c, const char *url,
    const char *method, struct mhd_req *r)
{
	const union MHD_ConnectionInfo *ai =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct http_source src = mhd_source_proto;
	struct http_response res = { 0 };
	struct xff_join xff = { { 0 }, 0 };
	struct http_client client;
	long long clen = -1;
	const char *cl;
	char *end;
	int rc;

	r->t = track_of(c);
	if (r->t && r->t->trusted)
		MHD_get_connection_values(c, MHD_HEADER_KIND, xff_each, &xff);
	rc = ai ? http_client_resolve(the_cfg, ai->client_addr, xff.failed ? NULL : xff.s.p,
	    &client) : -1;
	bbt_buf_free(&xff.s);
	if (rc < 0)
		return MHD_NO;
	track_phase(r->t, PH_BODY);
	r->answered = 1;
	if (track_client(r->t, &client) < 0) {
		log_info("%s: over --max-per-address %d behind the proxy: 429", client.addr,
		    the_cfg->max_per_address);
		track_phase(r->t, PH_BUSY);
		http_reply_error(&res, 429, "too many connections from %s", client.addr);
		metrics_request("other", 429, 0);
		return send_response(c, &res);
	}
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		errno = 0;
		clen = strtoll(cl, &end, 10);
		if (end == cl || errno || clen < 0)
			clen = LLONG_MAX;
	}
	src.ctx = c;
	rc = http_exchange_begin(&r->x, method, url, &src, &client, clen, &res);
	if (rc < 0)
		return MHD_NO;
	if (rc == 1) {
		track_phase(r->t, PH_BUSY);
		return send_response(c, &res);
	}
	r->answered = 0;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct mhd_req *r = *req_cls;
	struct http_response res = { 0 };
	size_t n = *upload_data_size;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*req_cls = r;
		return first_call(c, url, method, r);
	}
	*upload_data_size = 0;
	if (r->answered)
		return MHD_YES;
	if (n) {
		if (r->t) {
			pthread_mutex_lock(&track_lock);
			r->t->bytes += n;
			pthread_mutex_unlock(&track_lock);
		}
		return http_exchange_body(r->x, upload_data, n) < 0 ? MHD_NO : MHD_YES;
	}
	track_phase(r->t, PH_BUSY);
	r->answered = 1;
	http_exchange_end(r->x, &res);
	return send_response(c, &res);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct mhd_req *r = *req_cls;

	if (!r)
		return;
	/* Waiting for the next request's headers now: the deadline runs again. */
	track_phase(r->t, PH_HEADERS);
	/* A proxy's idle kept-alive connection is nobody's: the next request
	 * through it may be another client's. */
	if (r->t && r->t->trusted) {
		pthread_mutex_lock(&track_lock);
		if (r->t->counted)
			addr_give(r->t->key);
		r->t->counted = 0;
		pthread_mutex_unlock(&track_lock);
	}
	http_exchange_free(r->x);
	free(r);
	*req_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	/* A client that hangs up (or that we cut) is not news: one per connection. */
	if (strstr(msg, "socket is closed") || strstr(msg, "closed by remote"))
		log_debug("http: %s", msg);
	else
		log_warn("http: %s", msg);
}

/* ---- the daemon ---- */

/*
 * Each connection is a file descriptor: raise the soft limit toward the
 * hard one so --max-connections can be reached, and say so if it cannot.
 */
static void fd_room(const struct http_config *cfg)
{
	rlim_t want = (rlim_t)cfg->max_connections + 64 + (rlim_t)cfg->threads * 4;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want)
		log_warn("open files limited to %llu: --max-connections %d may not be reached "
		    "(raise LimitNOFILE)", (unsigned long long)rl.rlim_cur, cfg->max_connections);
}

static int host_is_local(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "localhost") == 0;
}

/* "ADDR:PORT" or "[ADDR6]:PORT" -> a socket address. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sslen,
    char *host, size_t hostlen, struct bbt_error *e)
{
	const char *colon, *h = s, *hend;
	struct addrinfo hints = { 0 }, *ai = NULL;
	char port[16];
	int rc;

	if (*s == '[') {
		h = s + 1;
		hend = strchr(h, ']');
		if (!hend || hend[1] != ':')
			return bbt_error_set(e, "--listen %s: want [ADDR]:PORT", s);
		colon = hend + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return bbt_error_set(e, "--listen %s: want ADDR:PORT", s);
		hend = colon;
	}
	if ((size_t)(hend - h) >= hostlen || strlen(colon + 1) >= sizeof(port) ||
	    colon[1] == '\0')
		return bbt_error_set(e, "--listen %s: bad address", s);
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc != 0)
		return bbt_error_set(e, "--listen %s: %s", s, gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* SIGHUP: read the rule file again; a bad one keeps the rule in force. */
static void reload_rules(const struct http_config *cfg)
{
	struct bbt_error e;

	if (rulebook_load(cfg->rules, &e) < 0)
		log_warn("SIGHUP: points rule not reloaded, the old one stays: %s",
		    bbt_error_msg(&e));
	else
		log_info("SIGHUP: points rule reloaded from %s",
		    cfg->rules ? cfg->rules : "the default");
}

int http_serve(const struct http_config *cfg, struct bbt_error *e)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char host[256], *cert = NULL, *key = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d = NULL;
	struct db *probe = NULL;
	pthread_t reaper;
	int reaper_started = 0;
	sigset_t sigs;
	int sig, rc = -1;
	size_t pem_len;

	the_cfg = cfg;
	http_init(cfg);
	if (parse_listen(cfg->listen, &ss, &sslen, host, sizeof(host), e) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (!!cfg->tls_cert != !!cfg->tls_key)
		return bbt_error_set(e, "--tls-cert and --tls-key go together");
	if (cfg->tls_cert && (bbt_file_read(cfg->tls_cert, HTTP_PEM_MAX, &cert, &pem_len, e) < 0 ||
	    bbt_file_read(cfg->tls_key, HTTP_PEM_MAX, &key, &pem_len, e) < 0))
		goto out;
	if (cert)
		flags |= MHD_USE_TLS;
	/* Open (and migrate) once up front so a bad --db fails before listening. */
	if (db_open(cfg->db, &probe, e) < 0)
		goto out;
	db_close(probe);
	if (heartbeat_start(cfg->db, e) < 0 || credcache_start(cfg->db, e) < 0)
		goto out;
	if (slots_init(cfg->max_connections) < 0) {
		bbt_error_set(e, "out of memory");
		goto out;
	}
	fd_room(cfg);
	/* Block the stop signals and SIGHUP in every thread; this one waits for
	 * them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
	    /* Without TLS the list ends here. */
	    cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	    MHD_OPTION_HTTPS_MEM_KEY, key,
	    MHD_OPTION_END);
	if (!d) {
		bbt_error_set(e, "cannot listen on %s%s", cfg->listen,
		    cert ? " (or the TLS certificate/key is unusable)" : "");
		goto out;
	}
	reaper_stop = 0;
	if (pthread_create(&reaper, NULL, reaper_main, NULL) != 0) {
		bbt_error_set(e, "cannot start the connection reaper");
		goto out;
	}
	reaper_started = 1;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "bbt-server: listening on %s%s%s:%u (%s, %d threads)\n",
	    ss.ss_family == AF_INET6 ? "[" : "", host, ss.ss_family == AF_INET6 ? "]" : "",
	    info ? info->port : 0, cert ? "https" : "http", cfg->threads);
	if (!cert && !host_is_local(host))
		log_warn("serving plain HTTP on %s: use --tls-cert/--tls-key or a TLS proxy",
		    host);
	while (sigwait(&sigs, &sig) != 0 || sig == SIGHUP) {
		if (sig == SIGHUP)
			reload_rules(cfg);
		sig = 0;
	}
	log_info("signal %d: stopping", sig);
	rc = 0;
out:
	if (reaper_started) {
		pthread_mutex_lock(&track_lock);
		reaper_stop = 1;
		pthread_cond_signal(&reaper_cv);
		pthread_mutex_unlock(&track_lock);
		pthread_join(reaper, NULL);
	}
	if (d)
		MHD_stop_daemon(d);
	/* No request is left: write the heartbeats held (heartbeat.h). */
	heartbeat_stop();
	credcache_stop();
	http_fini();
	free(slots);
	slots = NULL;
	free(cert);
	free(key);
	return rc;
}
