/*
 * hbload: the heartbeat bench's load generator (bench/heartbeat.sh). CONNS
 * keep-alive connections to 127.0.0.1:PORT, each sending one POST PATH at
 * a time (the next once the answer is in, no pipelining, as an agent
 * does), spread over two threads with an epoll each, for SECONDS; prints
 * "REQUESTS ERRORS SECONDS". Connection i sends, in turn, the Bearer tokens
 * on lines i, i + CONNS, i + 2 CONNS ... of TOKENS (every device of the
 * file takes its turn, not just the first CONNS; "-" for none) and the
 * body BODY ($HBLOAD_METHOD instead of POST, to time another endpoint).
 * Bench-only: not part of the product, built by the bench script.
 *
 *   hbload PORT SECONDS CONNS PATH TOKENS BODY
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 2
#define RBUF 8192

struct conn {
	int fd;
	char **reqs;		/* one request a token of this connection's */
	size_t *lens;
	int nreq, next;
	const char *req;
	size_t req_len, sent;
	char buf[RBUF];
	size_t got;
};

struct worker {
	pthread_t t;
	struct conn *c;
	int n;
	unsigned long long done, errors;
};

static int port;
static double seconds;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("hbload: connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* A whole answer in c->buf: its length, 0 if more is needed, -1 if bad. */
static long answer_len(struct conn *c, int *ok)
{
	char *end, *cl;
	long hl, body;

	c->buf[c->got] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (!end)
		return c->got >= RBUF - 1 ? -1 : 0;
	hl = end + 4 - c->buf;
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	if (!cl || cl > end)
		return -1;
	body = strtol(cl + 17, NULL, 10);
	*ok = strncmp(c->buf + 8, " 200", 4) == 0;
	return (size_t)(hl + body) <= c->got ? hl + body : 0;
}

static void send_some(struct conn *c)
{
	while (c->sent < c->req_len) {
		ssize_t n = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);

		if (n <= 0) {
			if (n < 0 && errno == EAGAIN)
				return;
			perror("hbload: send");
			exit(1);
		}
		c->sent += (size_t)n;
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev, evs[64];
	int ep = epoll_create1(0);
	double end = now_s() + seconds;

	for (int i = 0; i < w->n; i++) {
		ev.events = EPOLLIN;
		ev.data.ptr = &w->c[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, w->c[i].fd, &ev);
		send_some(&w->c[i]);
	}
	while (now_s() < end) {
		int n = epoll_wait(ep, evs, 64, 100);

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r = recv(c->fd, c->buf + c->got, RBUF - 1 - c->got, 0);
			long len;
			int ok = 0;

			if (r <= 0) {
				fprintf(stderr, "hbload: the server closed a connection\n");
				exit(1);
			}
			c->got += (size_t)r;
			len = answer_len(c, &ok);
			if (len < 0) {
				fprintf(stderr, "hbload: bad answer: %.200s\n", c->buf);
				exit(1);
			}
			if (len == 0)
				continue;
			w->done++;
			w->errors += !ok;
			memmove(c->buf, c->buf + len, c->got - (size_t)len);
			c->got -= (size_t)len;
			c->next = (c->next + 1) % c->nreq;
			c->req = c->reqs[c->next];
			c->req_len = c->lens[c->next];
			c->sent = 0;
			send_some(c);
		}
	}
	close(ep);
	return NULL;
}

/* The tokens, one a line; "-" gives one empty token. */
static char **read_tokens(const char *path, int *n)
{
	static char *none[] = { "" };
	char line[512], **t = NULL;
	FILE *f;

	*n = 0;
	if (strcmp(path, "-") == 0) {
		*n = 1;
		return none;
	}
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		t = reallocarray(t, (size_t)*n + 1, sizeof(*t));
		if (!t || !(t[*n] = strdup(line)))
			exit(1);
		(*n)++;
	}
	fclose(f);
	if (*n == 0)
		exit(1);
	return t;
}

int main(int argc, char **argv)
{
	struct worker w[NTHREADS] = { 0 };
	unsigned long long done = 0, errors = 0;
	struct conn *c;
	char **tok;
	int conns, ntok;
	double t0;

	if (argc != 7) {
		fprintf(stderr, "usage: hbload PORT SECONDS CONNS PATH TOKENS BODY\n");
		return 2;
	}
	port = (int)strtol(argv[1], NULL, 10);
	seconds = strtod(argv[2], NULL);
	conns = (int)strtol(argv[3], NULL, 10);
	tok = read_tokens(argv[5], &ntok);
	c = calloc((size_t)conns, sizeof(*c));
	if (!c || conns < NTHREADS)
		return 1;
	for (int i = 0; i < conns; i++) {
		c[i].nreq = ntok > conns ? (ntok - i + conns - 1) / conns : 1;
		c[i].reqs = calloc((size_t)c[i].nreq, sizeof(char *));
		c[i].lens = calloc((size_t)c[i].nreq, sizeof(size_t));
		if (!c[i].reqs || !c[i].lens)
			return 1;
		for (int k = 0; k < c[i].nreq; k++) {
			const char *t = tok[(i + k * conns) % ntok];
			int len = asprintf(&c[i].reqs[k], "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			    "%s%s%sContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			    getenv("HBLOAD_METHOD") ? getenv("HBLOAD_METHOD") : "POST", argv[4],
			    t[0] ? "Authorization: Bearer " : "", t, t[0] ? "\r\n" : "",
			    strlen(argv[6]), argv[6]);

			if (len < 0)
				return 1;
			c[i].lens[k] = (size_t)len;
		}
		c[i].req = c[i].reqs[0];
		c[i].req_len = c[i].lens[0];
		c[i].fd = dial();
	}
	t0 = now_s();
	for (int i = 0; i < NTHREADS; i++) {
		w[i].c = c + i * (conns / NTHREADS);
		w[i].n = i == NTHREADS - 1 ? conns - i * (conns / NTHREADS) : conns / NTHREADS;
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].t, NULL);
		done += w[i].done;
		errors += w[i].errors;
	}
	printf("%llu %llu %.3f\n", done, errors, now_s() - t0);
	return 0;
}
