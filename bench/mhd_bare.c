/*
 * mhd_bare: the heartbeat bench's limit (bench/heartbeat.sh): a bare
 * libmicrohttpd responder set up as bbt-server's (server/http_mhd.c): an
 * internal epoll thread pool of THREADS, the same connection limits, that
 * reads each request's body and answers a JSON of a heartbeat reply's
 * size, with no routing, authentication, parsing or database. What
 * bbt-server's heartbeat costs beyond it is ours. Prints the port, then
 * serves until SIGTERM. Bench-only, built by the bench script.
 *
 *   mhd_bare THREADS
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

static const char reply[] = "{\"server_time\":\"2026-12-02T20:00:00+08:00\","
    "\"detector\":{\"idle_gap\":600,\"min_session\":900,\"stuck_contact\":120}}";

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data, size_t *size, void **ctx)
{
	static int marker;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (*ctx == NULL) {
		*ctx = &marker;
		return MHD_YES;
	}
	if (*size) {
		*size = 0;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof(reply) - 1, (void *)reply,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned threads = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 4;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	struct sockaddr_in a = { .sin_family = AF_INET };
	sigset_t sigs;
	int sig;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL,
	    answer, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 1000u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_END);
	if (!d)
		return 1;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("%u\n", info ? info->port : 0);
	fflush(stdout);
	sigwait(&sigs, &sig);
	MHD_stop_daemon(d);
	return 0;
}
