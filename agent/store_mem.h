/*
 * store_mem: how much memory the buffer's SQLite may keep, for the process
 * that stays resident (CONTRACT 8: no more PSS than a minimal collectd). Part
 * of the store family so that only storage files include sqlite3.h.
 *  - store_mem_limit(bytes): no page-cache preallocation, and a soft heap
 *    limit for all of SQLite in the process (sqlite3_soft_heap_limit64):
 *    past it SQLite recycles its page cache instead of growing it. Call
 *    before store_open.
 *  - store_mem_release(st): give back every cache page not in use
 *    (sqlite3_db_release_memory), e.g. when the process goes idle.
 */
#ifndef STORE_MEM_H
#define STORE_MEM_H

#include <stdint.h>

#include "store.h"

void store_mem_limit(int64_t bytes);
void store_mem_release(struct store *st);

#endif
