/*
 * rulebook: the rule file as `serve` holds it. The collector reads the
 * rule file once at start (a bad file stops it before it listens) and
 * again on SIGHUP, never per request: a report costs its data, not a file
 * parse, and every request of one moment is judged by the same rule. A
 * reload that fails keeps the rule in force and says why in the log, so a
 * typo in the file never turns every report into a 500.
 *
 * Invariant: a reader gets one whole rule (points and stats sections of the
 * same load), copied under a lock; nothing it holds changes under it.
 * Without rulebook_load (the CLI, tests, the fuzzer) rulebook_get reads
 * the file itself, as every command did before.
 */
#ifndef SERVER_RULEBOOK_H
#define SERVER_RULEBOOK_H

#include "bbt_error.h"
#include "rules.h"

/* Read path (NULL: the default, rules.h) and make it the rule in force. On
 * failure the rule in force is kept. */
int rulebook_load(const char *path, struct bbt_error *e);
/* The rule in force (or path's, if none was loaded) into r and s (either
 * may be NULL). */
int rulebook_get(const char *path, struct points_rule *r, struct rules_stats *s,
    struct bbt_error *e);
/* Forget the rule in force (tests). */
void rulebook_reset(void);

#endif
