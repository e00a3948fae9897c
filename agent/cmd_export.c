/*
 * cmd_export: `bbt-agent export --out DIR`, the offline path to the
 * collector (CONTRACT 4.5): every session not yet acknowledged goes into one
 * signed bundle, DIR/bbt-<device_id>-<UTC stamp>.bbtb.
 *
 * Invariants:
 *  - Export never changes the outbox: sessions leave it only when the
 *    server acknowledges them (a sync after `bbt-server import` does that,
 *    as duplicates). So exporting twice, or exporting and then syncing,
 *    is always safe; the server counts each session once.
 *  - DIR never holds a half bundle under the final name, even if the USB
 *    stick is pulled mid-write: the bytes go to a temp file in DIR, which
 *    is fsynced, renamed to its name, and DIR is fsynced. rename() (not
 *    link()) because USB sticks are usually FAT, which has no hard links.
 *  - Times are corrected with this boot's clock evidence exactly as an
 *    upload would be (clock_correct_session), in the bundle's copy only.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bbt_bundle.h"
#include "bbt_ed25519.h"
#include "bbt_file.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "clock.h"
#include "commands.h"
#include "store.h"

/* Well inside the reader's byte limit even with the longest fields. */
#define EXPORT_MAX_SESSIONS 50000

/* Write data as dir/name, atomically and durably (see the top comment). */
static int write_atomic(const char *dir, const char *name, const char *data,
    size_t len, struct bbt_error *e)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, rc = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= sizeof(tmp) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return bbt_error_set(e, "%s: path too long", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		return bbt_error_set(e, "%s: %s", dir, strerror(errno));
	if (bbt_file_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		bbt_error_set(e, "%s: %s", tmp, strerror(errno ? errno : EIO));
		close(fd);
		goto out;
	}
	if (close(fd) != 0) {
		bbt_error_set(e, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		bbt_error_set(e, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* Renamed already: on failure keep the bundle, but report. */
	return bbt_file_fsync_dir(dir, e);
out:
	unlink(tmp);
	return rc;
}

/* The same clock correction an upload applies, on the bundle's copy. */
static void correct_times(struct store *st, struct bbt_session *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char key[CLOCK_META_KEY_LEN], v[64];
		struct clock_evidence ev;
		const struct clock_evidence *have = NULL;

		if (!s[i].boot_id[0])
			continue;
		clock_meta_key(s[i].boot_id, key);
		if (store_meta_get(st, key, v, sizeof(v)) > 0 &&
		    clock_evidence_parse(v, &ev) == 0)
			have = &ev;
		clock_correct_session(&s[i], have);
	}
}

/* Load the outbox (up to the bundle limit); *out is freed by the caller. */
static int load_outbox(struct store *st, struct bbt_session **out, size_t *n,
    struct bbt_error *e)
{
	int64_t count;
	size_t max;

	*out = NULL;
	*n = 0;
	if (store_outbox_count(st, &count, e) != 0)
		return -1;
	if (count == 0)
		return 0;
	max = count > EXPORT_MAX_SESSIONS ? EXPORT_MAX_SESSIONS : (size_t)count;
	if (count > EXPORT_MAX_SESSIONS)
		log_warn("outbox holds %lld sessions; this bundle takes the oldest %d",
		    (long long)count, EXPORT_MAX_SESSIONS);
	*out = calloc(max, sizeof(**out));
	if (*out == NULL)
		return bbt_error_set(e, "out of memory");
	return store_outbox_list(st, *out, max, n, e);
}

static int export_to(struct agent_ctx *ctx, struct store *st, const char *dir,
    struct bbt_error *e)
{
	struct bbt_bundle_header h = { .created = bbt_clock_realtime_us() / 1000000 };
	struct bbt_ed25519_key *key = NULL;
	struct bbt_session *s = NULL;
	char keypath[PATH_MAX], name[256], *data = NULL;
	size_t n = 0, len;
	int rc = -1;

	if (store_meta_get(st, "device_id", h.device_id, sizeof(h.device_id)) <= 0)
		return bbt_error_set(e, "not enrolled: a bundle needs the device id "
		    "and key that enrollment makes (bbt-agent enroll)");
	snprintf(h.agent_version, sizeof(h.agent_version), "%s", BBT_VERSION);
	snprintf(keypath, sizeof(keypath), "%s/%s", ctx->cfg.state_dir,
	    BBT_ED25519_KEY_FILE);
	if (bbt_ed25519_load(keypath, &key, e) != 0)
		return bbt_error_prefix(e, "device key");
	if (load_outbox(st, &s, &n, e) != 0)
		goto out;
	if (n == 0) {
		printf("export: nothing to export (every session is acknowledged)\n");
		rc = 0;
		goto out;
	}
	correct_times(st, s, n);
	if (bbt_bundle_build(&h, s, n, key, &data, &len, e) != 0 ||
	    bbt_bundle_file_name(h.device_id, h.created, name, sizeof(name), e) != 0 ||
	    write_atomic(dir, name, data, len, e) != 0)
		goto out;
	printf("export: %zu session%s to %s/%s\n", n, n == 1 ? "" : "s", dir, name);
	rc = 0;
out:
	free(data);
	free(s);
	bbt_ed25519_free(key);
	return rc;
}

int cmd_export(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	struct store *st = NULL;
	struct bbt_error err;
	struct stat sb;
	int c, rc;

	optind = 0;	/* glibc: restart parsing after main's own getopt */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c != 'o')
			goto usage;
		dir = optarg;
	}
	if (dir == NULL || optind != argc)
		goto usage;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		log_err("export: %s: not a directory", dir);
		return 1;
	}
	if (store_open(&st, ctx->cfg.state_dir, &err) != 0) {
		log_err("export: %s", err.msg);
		return 1;
	}
	rc = export_to(ctx, st, dir, &err);
	if (rc != 0)
		log_err("export: %s", err.msg);
	store_close(st);
	return rc == 0 ? 0 : 1;
usage:
	fprintf(c == 'h' ? stdout : stderr, "usage: bbt-agent export --out DIR\n"
	    "  write a signed offline bundle of the sessions not yet acknowledged\n");
	return c == 'h' ? 0 : 2;
}
