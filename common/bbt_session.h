/*
 * bbt_session: the teaching-session record both programs share, and its
 * JSON form (CONTRACT 4.3).
 *
 * Times are Unix seconds; utc_offset is only how the record is shown
 * (the agent shows its local offset, replay shows --start's). duration_s
 * is always end - start. The boot fields are the agent's evidence for
 * clock correction (CONTRACT 4.4); they travel in the JSON as "boot" only
 * between agent modules, never required by the server.
 */
#ifndef BBT_SESSION_H
#define BBT_SESSION_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "bbt_error.h"

#define BBT_UUID_LEN 37
#define BBT_TEACHER_LEN 64
#define BBT_INPUT_NAME_LEN 128
#define BBT_BOOT_ID_LEN 37
#define BBT_MAX_SESSION_S (24 * 3600)

enum bbt_session_flag {
	BBT_FLAG_STUCK_CONTACT = 1 << 0,
	BBT_FLAG_RECOVERED = 1 << 1,
	BBT_FLAG_CLOCK_ADJUSTED = 1 << 2,
	BBT_FLAG_CLOCK_UNVERIFIED = 1 << 3,
};
#define BBT_FLAG_COUNT 4

struct bbt_input_id {
	char name[BBT_INPUT_NAME_LEN];	/* "" means no input known: JSON null */
	char vid[5];			/* 4 lowercase hex digits, or "" */
	char pid[5];
};

struct bbt_session {
	char id[BBT_UUID_LEN];		/* UUID v4, lowercase */
	int64_t start, end;		/* Unix seconds */
	int utc_offset;			/* seconds east of UTC, for display */
	int64_t duration_s;
	int touches;
	int active_minutes;
	char teacher[BBT_TEACHER_LEN];	/* "" means null */
	struct bbt_input_id input;
	unsigned flags;			/* enum bbt_session_flag */
	/* Agent-side clock evidence (not sent to the server). */
	char boot_id[BBT_BOOT_ID_LEN];
	int64_t boot_start_us, boot_end_us;
};

/* Name of one flag bit ("stuck_contact"...), NULL for an unknown bit. */
const char *bbt_flag_name(unsigned flag);
/* Bit of a flag name, 0 if unknown. */
unsigned bbt_flag_from_name(const char *name);
/*
 * The names of the known bits set in flags, joined by sep, into buf
 * ("stuck_contact,recovered"); "" when none. Only whole names are written:
 * one that does not fit ends the list. Returns how many names were written.
 */
size_t bbt_flags_format(unsigned flags, const char *sep, char *buf, size_t len);
/* The bits of a list bbt_flags_format wrote with the separator ","
 * ("stuck_contact,recovered"); unknown names are dropped. */
unsigned bbt_flags_parse(const char *text);

/* The CONTRACT 4.3 object. Returns NULL only on allocation failure. */
cJSON *bbt_session_to_json(const struct bbt_session *s);
/* The same, printed unformatted; caller frees. */
char *bbt_session_to_json_line(const struct bbt_session *s);
/* Print o unformatted on one line of stdout and free it (NULL is freed as
 * nothing); -1 if o is NULL or cannot be printed. */
int bbt_json_print_line(cJSON *o);
/*
 * Read a CONTRACT 4.3 object, checking every field's type and range: id a UUID,
 * start/end ISO 8601 with offsets, duration_s == end - start, counts >= 0,
 * strings within their limits and clean (bbt_text_check; parse the JSON
 * text through bbt_json_mark_nul so an escaped NUL is seen). Unknown flag
 * names are an error. Checks of
 * meaning against a clock (future, too long) are the server's.
 */
int bbt_session_from_json(const cJSON *obj, struct bbt_session *s,
    struct bbt_error *e);

/*
 * Strings from the network (CONTRACT 5.3: "strings with control characters or
 * an escaped NUL are malformed").
 *
 * cJSON decodes the escape \u0000 to a NUL byte, so a C string silently
 * ends there: "<uuid>\u0000junk" would read as a valid id. Before parsing,
 * bbt_json_mark_nul rewrites each \u0000 escape of a JSON text (in a copy,
 * same length) to \uffff, the noncharacter U+FFFF, which no real text
 * carries; bbt_text_check then refuses it as an escaped NUL. *copy is NULL
 * when the text has no \u0000 (parse the original), else a malloc'd,
 * NUL-terminated copy of len bytes. -1 only when out of memory.
 */
int bbt_json_mark_nul(const char *json, size_t len, char **copy);
/*
 * 0 if s is clean text; -1 with "field \"NAME\" has a control character
 * (U+001B)" or "... an escaped NUL (\u0000)" when s holds a C0 control
 * (U+0000..U+001F, TAB and newlines included), DEL, a C1 control
 * (U+0080..U+009F) or the U+FFFF left by bbt_json_mark_nul.
 */
int bbt_text_check(const char *s, const char *name, struct bbt_error *e);
/*
 * Make text from the machine (device names from the kernel or a USB string,
 * a hostname) clean in place, so that the collector never refuses a record
 * for a name the teacher cannot change: every byte that is not part of
 * valid UTF-8, and every character bbt_text_check refuses, becomes '?'.
 * The result is never longer than s. Returns the number of replacements.
 */
size_t bbt_text_scrub(char *s);

/* A random (v4) UUID in lowercase text form. */
int bbt_uuid_v4(char out[BBT_UUID_LEN]);
/* 1 if s is a UUID in 8-4-4-4-12 hex form (any version, any case). */
int bbt_uuid_valid(const char *s);
/*
 * 1 if s is a collector address a moved collector may hand its agents
 * (CONTRACT 4.4 collector_url, `school move`): "https://" and more, under
 * cap bytes with the NUL, every byte visible ASCII other than '"' and '\'
 * (so the collector's reply needs no escaping). The one rule for the
 * server that stores it and the agent that follows it.
 */
int bbt_collector_url_valid(const char *s, size_t cap);

#endif
