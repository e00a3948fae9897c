/*
 * cmd_serve: `bbt-server serve [--listen 127.0.0.1:8470] [--threads N]
 * [--tls-cert FILE --tls-key FILE] [--max-body BYTES] [--idle-gap S]
 * [--min-session S] [--stuck-contact S] [--max-connections N]
 * [--max-per-address N] [--trusted-proxy CIDR]... [--header-timeout S]
 * [--min-body-rate BYTES] [--body-rate-window S] [--session-idle S]
 * [--session-max S]` (CONTRACT 5.1, 5.2).
 * Options, the rule file (read once, rulebook.h), then the HTTP server
 * (server/http_mhd.c) until SIGTERM/SIGINT; SIGHUP reads the rule file again.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "bbt_defaults.h"
#include "commands.h"
#include "http.h"
#include "rulebook.h"

static int usage(FILE *f)
{
	fputs("usage: bbt-server serve [--listen 127.0.0.1:8470] [--threads N]\n"
	    "         [--tls-cert FILE --tls-key FILE] [--max-body BYTES]\n"
	    "         [--idle-gap S] [--min-session S] [--stuck-contact S]\n"
	    "         [--max-connections N] [--max-per-address N] [--trusted-proxy CIDR]...\n"
	    "         [--header-timeout S] [--min-body-rate BYTES] [--body-rate-window S]\n"
	    "         [--session-idle S] [--session-max S]\n"
	    "  --listen ADDR:PORT    port 0 picks a free port (printed when ready)\n"
	    "  --threads N           worker threads, default 4\n"
	    "  --max-body BYTES      request body limit after gzip, default 4194304\n"
	    "  --idle-gap etc.       detector settings handed to agents (600/900/120)\n"
	    "  --max-connections N   connections at once, default 1000\n"
	    "  --max-per-address N   connections per client address (IPv6: per /64), default 200\n"
	    "  --trusted-proxy CIDR  a proxy whose X-Forwarded-For names the client (repeatable)\n"
	    "  --header-timeout S    whole headers within S of connecting, default 10\n"
	    "  --min-body-rate B     a body must bring B bytes/s (0: off) ... default 1024\n"
	    "  --body-rate-window S  ... over each S seconds, default 10\n"
	    "  --session-idle S      a dashboard sign-in ends unused for S s, default 28800\n"
	    "  --session-max S       ... and S s after sign-in at the latest, default 43200\n",
	    f);
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
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-per-address", required_argument, NULL, 'P' },
		{ "trusted-proxy", required_argument, NULL, 'T' },
		{ "header-timeout", required_argument, NULL, 'H' },
		{ "min-body-rate", required_argument, NULL, 'R' },
		{ "body-rate-window", required_argument, NULL, 'W' },
		{ "session-idle", required_argument, NULL, 'I' },
		{ "session-max", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct http_config cfg = {
		.db = ctx->db, .listen = HTTP_DEFAULT_LISTEN, .threads = HTTP_DEFAULT_THREADS,
		.max_body = HTTP_DEFAULT_MAX_BODY,
		.detector = { BBT_DETECTOR_IDLE_GAP_S, BBT_DETECTOR_MIN_SESSION_S,
		    BBT_DETECTOR_STUCK_CONTACT_S },
		.tz = ctx->tz, .rules = ctx->rules,
		.max_connections = HTTP_DEFAULT_MAX_CONNECTIONS,
		.max_per_address = HTTP_DEFAULT_MAX_PER_ADDRESS,
		.header_timeout = HTTP_DEFAULT_HEADER_TIMEOUT,
		.min_body_rate = HTTP_DEFAULT_MIN_BODY_RATE,
		.body_rate_window = HTTP_DEFAULT_BODY_RATE_WINDOW,
	};
	struct http_cidr trusted[HTTP_MAX_TRUSTED_PROXIES];
	struct bbt_error e;
	struct stat st;
	struct db *db = NULL;
	long v;
	int c;

	optind = 0;
	cfg.trusted = trusted;
	while ((c = getopt_long(argc, argv, "l:t:c:k:m:i:s:S:C:P:T:H:R:W:I:M:h", opts, NULL)) != -1) {
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
		case 'C':
			if (number(optarg, 1, 100000, &v) < 0)
				return bad("--max-connections", 1, 100000);
			cfg.max_connections = (int)v;
			break;
		case 'P':
			if (number(optarg, 1, 100000, &v) < 0)
				return bad("--max-per-address", 1, 100000);
			cfg.max_per_address = (int)v;
			break;
		case 'T':
			if (cfg.ntrusted == HTTP_MAX_TRUSTED_PROXIES) {
				fprintf(stderr, "bbt-server: at most %d --trusted-proxy\n",
				    HTTP_MAX_TRUSTED_PROXIES);
				return 2;
			}
			if (http_cidr_parse(optarg, &trusted[cfg.ntrusted], &e) < 0) {
				fprintf(stderr, "bbt-server: --trusted-proxy %s\n", bbt_error_msg(&e));
				return 2;
			}
			cfg.ntrusted++;
			break;
		case 'H':
			if (number(optarg, 1, 3600, &v) < 0)
				return bad("--header-timeout", 1, 3600);
			cfg.header_timeout = (int)v;
			break;
		case 'R':
			if (number(optarg, 0, 1L << 30, &cfg.min_body_rate) < 0)
				return bad("--min-body-rate", 0, 1L << 30);
			break;
		case 'W':
			if (number(optarg, 1, 3600, &v) < 0)
				return bad("--body-rate-window", 1, 3600);
			cfg.body_rate_window = (int)v;
			break;
		case 'I':
			if (number(optarg, 1, 30L * 86400, &v) < 0)
				return bad("--session-idle", 1, 30L * 86400);
			cfg.session_idle = (int)v;
			break;
		case 'M':
			if (number(optarg, 1, 30L * 86400, &v) < 0)
				return bad("--session-max", 1, 30L * 86400);
			cfg.session_max = (int)v;
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
	/* The rule file once, here (and on SIGHUP), not per request. */
	if (rulebook_load(cfg.rules, &e) < 0) {
		fprintf(stderr, "bbt-server: points rule: %s\n", bbt_error_msg(&e));
		return 1;
	}
	if (http_serve(&cfg, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		return 1;
	}
	return 0;
}
