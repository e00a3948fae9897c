/*
 * clock: what the agent knows about true time on a machine whose wall
 * clock may be wrong (dead CMOS battery, years off, jumping when NTP syncs;
 * CONTRACT 4.4).
 *
 * Evidence: whenever a reply of the collector carries its time, the agent
 * notes, for the current boot (kernel boot id), the CLOCK_BOOTTIME reading
 * at that moment and the server's time. CLOCK_BOOTTIME counts from boot,
 * including suspend, and no wall-clock step moves it, so any other instant
 * of the same boot has true time = server time + (its boottime - the
 * boottime of the contact). Sessions keep their boot id and boot-relative
 * times for exactly this.
 *
 * Everything here is pure (no I/O) except clock_boot_id(); persisting
 * evidence in the store is the caller's (sync.c) job, in the text form
 * clock_evidence_format() writes.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"
#include "bbt_session.h"

/* Recorded times within this of the true ones are left alone. */
#define CLOCK_TOLERANCE_S 5
/* The local clock is "contradicted by evidence" past this. */
#define CLOCK_UNTRUSTED_S 60
#define CLOCK_META_PREFIX "clock_evidence:"
#define CLOCK_META_KEY_LEN (sizeof(CLOCK_META_PREFIX) + BBT_BOOT_ID_LEN)

struct clock_evidence {
	int64_t boottime_us;	/* CLOCK_BOOTTIME at the contact */
	int64_t server_us;	/* the server's time then, Unix microseconds */
};

/* The current boot id, lowercase (platform_boot_id: on Linux
 * /proc/sys/kernel/random/boot_id). */
int clock_boot_id(char out[BBT_BOOT_ID_LEN], struct bbt_error *e);

/* Store meta key for a boot's evidence. */
void clock_meta_key(const char *boot_id, char out[CLOCK_META_KEY_LEN]);
/* Evidence as text ("<boottime_us> <server_us>") and back (0 / -1). */
void clock_evidence_format(const struct clock_evidence *ev, char *out, size_t n);
int clock_evidence_parse(const char *s, struct clock_evidence *ev);

/* True Unix microseconds of a boottime instant of the evidence's boot. */
int64_t clock_true_us(const struct clock_evidence *ev, int64_t boottime_us);

/*
 * Correct a session before upload. Empty boot_id (replayed recordings):
 * untouched. ev NULL (no evidence for its boot): flag clock_unverified.
 * Else, if the true start or end differs from the recorded one by more than
 * CLOCK_TOLERANCE_S, replace both times (duration kept consistent), flag
 * clock_adjusted and clear clock_unverified. Returns 1 if *s changed.
 */
int clock_correct_session(struct bbt_session *s, const struct clock_evidence *ev);

/*
 * The time to judge certificate dates by: the evidence-derived time of
 * this boot if known (evidence_s > 0), else the local clock; never earlier
 * than the build time or the latest server time ever seen (floor_s).
 */
int64_t clock_trusted_time(int64_t build_epoch, int64_t local_s,
    int64_t evidence_s, int64_t floor_s);
/* 1 if the local clock must not be used for certificate dates. */
int clock_local_untrusted(int64_t build_epoch, int64_t local_s,
    int64_t evidence_s);
/*
 * The time probe's check (ntpd constraint): the server's Date must be no
 * earlier than our build and inside its certificate's validity.
 */
int clock_probe_acceptable(int64_t date, int64_t not_before, int64_t not_after,
    int64_t build_epoch);

#endif
