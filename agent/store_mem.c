/*
 * store_mem: see store_mem.h. Both calls only bound caches: no data is
 * given up, a page dropped is read again from the file when needed.
 */
#include <sqlite3.h>

#include "store_mem.h"

void store_mem_limit(int64_t bytes)
{
	/* No bulk page-cache allocation up front (SQLite's default is 20
	 * pages, ~90 KiB, per connection, resident whether used or not):
	 * pages are allocated one by one as they are read. Only possible
	 * before SQLite initialises; later it is a no-op. */
	sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
	sqlite3_soft_heap_limit64(bytes);
}

static void release(sqlite3 *db)
{
	sqlite3_db_release_memory(db);
}

/* Through store_with_sqlite: the sync thread's heal may close the connection. */
void store_mem_release(struct store *st)
{
	if (st)
		store_with_sqlite(st, release);
}
