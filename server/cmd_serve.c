/*
 * cmd_serve: `bbt-server serve [--listen 127.0.0.1:8470] [--threads N]
 * [--tls-cert FILE --tls-key FILE] [--max-body BYTES] [--idle-gap S]
 * [--min-session S] [--stuck-contact S]` (SPEC 5.1). Options, then the
 * HTTP server (server/http.c) until SIGTERM/SIGINT.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "commands.h"
#include "http.h"

static int usage(FILE *f)
{
	fputs("usage: bbt-server serve [--listen 127.0.0.1:8470] [--threads N]\n"
	    "         [--tls-cert FILE --tls-key FILE] [--max-body BYTES]\n"
	    "         [--idle-gap S] [--min-session S] [--stuck-contact S]\n"
	    "  --listen ADDR:PORT    port 0 picks a free port (printed when ready)\n"
	    "  --threads N           worker threads, default 4\n"
	    "  --max-body BYTES      request body limit after gzip, default 4194304\n"
	    "  --idle-gap etc.       detector settings handed to agents (600/900/120)\n", f);
	return f == stdout ? 0 : 2;
}

static int number(const char *s, long min, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int bad(const char *opt, long min, long max)
{
	fprintf(stderr, "bbt-server: %s must be %ld..%ld\n", opt, min, max);
	return 2;
}

int cmd_serve(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "max-body", required_argument, NULL, 'm' },
		{ "idle-gap", required_argument, NULL, 'i' },
		{ "min-session", required_argument, NULL, 's' },
		{ "stuck-contact", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct http_config cfg = {
		.db = ctx->db, .listen = HTTP_DEFAULT_LISTEN, .threads = HTTP_DEFAULT_THREADS,
		.max_body = HTTP_DEFAULT_MAX_BODY, .detector = { 600, 900, 120 },
		.tz = ctx->tz, .rules = ctx->rules,
	};
	struct bbt_error e;
	struct stat st;
	struct db *db = NULL;
	long v;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "l:t:c:k:m:i:s:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': cfg.listen = optarg; break;
		case 'c': cfg.tls_cert = optarg; break;
		case 'k': cfg.tls_key = optarg; break;
		case 't':
			if (number(optarg, 1, 256, &v) < 0)
				return bad("--threads", 1, 256);
			cfg.threads = (int)v;
			break;
		case 'm':
			if (number(optarg, 1024, 1L << 30, &cfg.max_body) < 0)
				return bad("--max-body", 1024, 1L << 30);
			break;
		case 'i':
			if (number(optarg, 1, 86400, &v) < 0)
				return bad("--idle-gap", 1, 86400);
			cfg.detector.idle_gap = (int)v;
			break;
		case 's':
			if (number(optarg, 0, 86400, &v) < 0)
				return bad("--min-session", 0, 86400);
			cfg.detector.min_session = (int)v;
			break;
		case 'S':
			if (number(optarg, 1, 86400, &v) < 0)
				return bad("--stuck-contact", 1, 86400);
			cfg.detector.stuck_contact = (int)v;
			break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind != argc)
		return usage(stderr);
	/* A private key others can read is a key others may have: say so. */
	if (cfg.tls_key && stat(cfg.tls_key, &st) == 0 && (st.st_mode & 044) != 0)
		fprintf(stderr, "bbt-server: warning: TLS key %s is mode %04o, readable by group "
		    "or others: chmod 600 %s\n", cfg.tls_key, (unsigned)(st.st_mode & 07777),
		    cfg.tls_key);
	/* serve may make a new database (a fresh install): say so, it could be
	 * the wrong --db. */
	if (cmd_db_open(ctx, &db, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		return 1;
	}
	db_close(db);
	if (http_serve(&cfg, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		return 1;
	}
	return 0;
}
