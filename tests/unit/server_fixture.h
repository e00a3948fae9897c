/*
 * server_fixture: the collector's unit-test database, one for every test of
 * server code that needs storage (server_enrollment, server_fleet,
 * server_ingest, server_bundles): a real SQLite database in a fresh
 * directory under /tmp, its schools, enrollment tokens and devices, and its
 * removal afterwards. Every step is asserted, so a fixture that could not be
 * built fails the test that asked for it rather than testing nothing.
 *
 * Not a test binary of its own (the Makefile links it into every
 * tests/unit/server_*.c and leaves it out of UNIT_SRC).
 */
#ifndef TESTS_UNIT_SERVER_FIXTURE_H
#define TESTS_UNIT_SERVER_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct server_fixture {
	char dir[64], path[96];	/* the directory and the database file in it */
	struct db *db;
};

/* A new database with the n schools added; NULL never (asserts). */
struct server_fixture *server_fixture_open(const struct db_school *schools, size_t n);
/* Close the database and remove the file, its -wal and -shm, and the
 * directory. */
void server_fixture_close(struct server_fixture *f);

/* An enrollment token: token as the agent sends it (stored as its SHA-256,
 * as the collector does), for school, with uses, made at created and
 * expiring at expires. */
void server_fixture_token(struct db *db, const char *token, const char *school, int uses,
    int64_t created, int64_t expires);

/* A device to enroll: id, hw_id, school and room, public key "k", token
 * hash "h-<id>"; the caller sets any other field before enrolling it. */
struct db_device server_fixture_device(const char *id, const char *hw, const char *school,
    const char *room);
/* db_device_enroll(d), asserted to succeed; returns its `again` result. */
int server_fixture_enroll(struct db *db, struct db_device *d);

#endif
