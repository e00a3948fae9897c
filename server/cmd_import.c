/*
 * cmd_import: `bbt-server import BUNDLE...` (CONTRACT 5.1, 4.5): verify each
 * offline bundle against its enrolled device and ingest it exactly as an
 * upload would be (server/bundles.h). Files are independent: one refused
 * bundle stores nothing of itself and does not stop the others. One line
 * per file on stdout; exit 0 only if every file was imported.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bbt_bundle.h"
#include "bbt_file.h"
#include "bbt_log.h"
#include "bundles.h"
#include "commands.h"
#include "db.h"
#include "ingest.h"

static int usage(FILE *f)
{
	fputs("usage: bbt-server import BUNDLE...\n"
	    "  verify offline bundles (.bbtb, from bbt-agent export) and ingest them\n", f);
	return f == stdout ? 0 : 2;
}

static void print_rejected(const struct ingest_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->items[i].result == INGEST_REJECTED)
			printf("  rejected %s: %s\n", b->items[i].has_id ?
			    b->items[i].id : "(no id)", b->items[i].error);
}

/* 0 imported, 1 refused (reported), -1 the server's own failure. */
static int import_one(struct db *db, const char *path)
{
	struct bundles_checked c;
	struct ingest_batch b = { 0 };
	struct bbt_error e;
	enum bundles_status st;
	char *data = NULL;
	size_t len;
	int rc = 1;

	if (bbt_file_read(path, (size_t)BBT_BUNDLE_MAX_BYTES, &data, &len, &e) != 0) {
		printf("%s: refused: %s\n", path, e.msg);
		return 1;
	}
	st = bundles_check(db, data, len, &c, &e);
	free(data);
	if (st != BUNDLES_OK) {
		printf("%s: %s: %s\n", path, st == BUNDLES_REFUSED ? "refused" : "failed",
		    e.msg);
		return st == BUNDLES_REFUSED ? 1 : -1;
	}
	if (bundles_store(db, &c, (int64_t)time(NULL), &b, &e) != 0) {
		printf("%s: failed (nothing stored): %s\n", path, e.msg);
		rc = -1;
		goto out;
	}
	printf("%s: device %s: %zu accepted, %zu duplicate, %zu rejected\n", path,
	    c.device.device_id, b.accepted, b.duplicate, b.rejected);
	print_rejected(&b);
	rc = 0;
out:
	ingest_batch_free(&b);
	bundles_checked_free(&c);
	return rc;
}

int cmd_import(struct server_ctx *ctx, int argc, char **argv)
{
	struct bbt_error e;
	struct db *db = NULL;
	int refused = 0, failed = 0, c = cmd_help_opts(argc, argv, usage);

	if (c >= 0)
		return c;
	if (optind >= argc)
		return usage(stderr);
	if (cmd_db_open(ctx, &db, &e) != 0) {
		log_err("%s", e.msg);
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		int r = import_one(db, argv[i]);

		refused += r == 1;
		failed += r < 0;
	}
	cmd_db_close(db);
	if (refused || failed)
		fprintf(stderr, "bbt-server: import: %d of %d bundle%s not imported\n",
		    refused + failed, argc - optind, argc - optind == 1 ? "" : "s");
	return refused || failed ? 1 : 0;
}
