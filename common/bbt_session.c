/*
 * bbt_session: the session record and its JSON form (see bbt_session.h).
 * Parsing is strict on types and lengths because it runs on untrusted
 * request bodies on the server; the fuzz target tests/fuzz/fuzz_common_session.c
 * drives it.
 */
#include "bbt_session.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bbt_time.h"
#include "bbt_utf8.h"

static const char *const flag_names[BBT_FLAG_COUNT] = {
	"stuck_contact", "recovered", "clock_adjusted", "clock_unverified",
};

const char *bbt_flag_name(unsigned flag)
{
	for (int i = 0; i < BBT_FLAG_COUNT; i++)
		if (flag == 1u << i)
			return flag_names[i];
	return NULL;
}

unsigned bbt_flag_from_name(const char *name)
{
	for (int i = 0; i < BBT_FLAG_COUNT; i++)
		if (strcmp(name, flag_names[i]) == 0)
			return 1u << i;
	return 0;
}

unsigned bbt_flags_parse(const char *text)
{
	unsigned bits = 0;

	for (const char *t = text; *t; t += *t == ',') {
		size_t n = strcspn(t, ",");
		char name[32];

		if (n < sizeof(name)) {
			memcpy(name, t, n);
			name[n] = '\0';
			bits |= bbt_flag_from_name(name);
		}
		t += n;
	}
	return bits;
}

size_t bbt_flags_format(unsigned flags, const char *sep, char *buf, size_t len)
{
	size_t used = 0, n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (int i = 0; i < BBT_FLAG_COUNT; i++) {
		int w;

		if (!(flags & (1u << i)))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", n ? sep : "", flag_names[i]);
		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0';
			break;
		}
		used += (size_t)w;
		n++;
	}
	return n;
}

static int add_time(cJSON *o, const char *key, int64_t t, int off)
{
	char buf[BBT_ISO8601_LEN];

	bbt_time_format(t, off, buf);
	return cJSON_AddStringToObject(o, key, buf) ? 0 : -1;
}

static cJSON *input_to_json(const struct bbt_input_id *in)
{
	cJSON *o;

	if (in->name[0] == '\0')
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "name", in->name);
	cJSON_AddStringToObject(o, "vid", in->vid);
	cJSON_AddStringToObject(o, "pid", in->pid);
	return o;
}

cJSON *bbt_session_to_json(const struct bbt_session *s)
{
	cJSON *o = cJSON_CreateObject(), *flags;

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "id", s->id);
	add_time(o, "start", s->start, s->utc_offset);
	add_time(o, "end", s->end, s->utc_offset);
	cJSON_AddNumberToObject(o, "duration_s", (double)s->duration_s);
	cJSON_AddNumberToObject(o, "touches", s->touches);
	cJSON_AddNumberToObject(o, "active_minutes", s->active_minutes);
	if (s->teacher[0] != '\0')
		cJSON_AddStringToObject(o, "teacher", s->teacher);
	else
		cJSON_AddNullToObject(o, "teacher");
	cJSON_AddItemToObject(o, "input", input_to_json(&s->input));
	flags = cJSON_AddArrayToObject(o, "flags");
	for (int i = 0; flags != NULL && i < BBT_FLAG_COUNT; i++)
		if (s->flags & (1u << i))
			cJSON_AddItemToArray(flags,
			    cJSON_CreateString(flag_names[i]));
	return o;
}

char *bbt_session_to_json_line(const struct bbt_session *s)
{
	cJSON *o = bbt_session_to_json(s);
	char *line;

	if (o == NULL)
		return NULL;
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return line;
}

int bbt_json_print_line(cJSON *o)
{
	char *line = o ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	if (line == NULL)
		return -1;
	printf("%s\n", line);
	free(line);
	return 0;
}

int bbt_json_mark_nul(const char *json, size_t len, char **copy)
{
	*copy = NULL;
	/* Outside strings valid JSON has no backslash, so pairing escapes from
	 * the start is enough: in \\u0000 the second backslash is escaped. */
	for (size_t i = 0; i + 1 < len; i++) {
		if (json[i] != '\\')
			continue;
		if (i + 5 < len && memcmp(json + i + 1, "u0000", 5) == 0) {
			if (*copy == NULL) {
				*copy = malloc(len + 1);
				if (*copy == NULL)
					return -1;
				memcpy(*copy, json, len);
				(*copy)[len] = '\0';
			}
			memcpy(*copy + i + 2, "ffff", 4);
			i += 5;
			continue;
		}
		i++;	/* skip the escaped character */
	}
	return 0;
}

int bbt_text_check(const char *s, const char *name, struct bbt_error *e)
{
	unsigned c;

	/* Lead bytes (0xc2, 0xef) are never continuation bytes, so a byte-wise
	 * scan cannot match inside another character. */
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (p[0] < 0x20 || p[0] == 0x7f)
			c = p[0];
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			c = p[1];
		else if (p[0] == 0xef && p[1] == 0xbf && p[2] == 0xbf)
			return bbt_error_set(e, "field \"%s\" has an escaped NUL (\\u0000)",
			    name);
		else
			continue;
		return bbt_error_set(e, "field \"%s\" has a control character (U+%04X)",
		    name, c);
	}
	return 0;
}

size_t bbt_text_scrub(char *s)
{
	unsigned char *in = (unsigned char *)s, *out = in, *end = in + strlen(s);
	size_t fixed = 0, n;
	uint32_t cp;

	while (*in != '\0') {
		n = bbt_utf8_char(in, (size_t)(end - in), &cp);
		if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
		    cp == 0xffff) {
			*out++ = '?';
			in += n ? n : 1;
			fixed++;
			continue;
		}
		memmove(out, in, n);
		out += n;
		in += n;
	}
	*out = '\0';
	return fixed;
}

static int copy_string(const cJSON *v, const char *key, char *dst, size_t n,
    int nullable, struct bbt_error *e)
{
	if (v == NULL || cJSON_IsNull(v)) {
		if (!nullable)
			return bbt_error_set(e, "missing field \"%s\"", key);
		dst[0] = '\0';
		return 0;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return bbt_error_set(e, "field \"%s\" must be a string", key);
	if (bbt_text_check(v->valuestring, key, e) < 0)
		return -1;
	if (strlen(v->valuestring) >= n)
		return bbt_error_set(e, "field \"%s\" is longer than %zu bytes",
		    key, n - 1);
	memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

static int get_int(const cJSON *o, const char *key, int64_t lo, int64_t hi,
    int64_t *out, struct bbt_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL)
		return bbt_error_set(e, "missing field \"%s\"", key);
	if (!cJSON_IsNumber(v))
		return bbt_error_set(e, "field \"%s\" must be an integer", key);
	/* Range first: converting a double outside int64_t is undefined. */
	if (!(v->valuedouble >= (double)lo && v->valuedouble <= (double)hi))
		return bbt_error_set(e, "field \"%s\" out of range", key);
	if (v->valuedouble != (double)(int64_t)v->valuedouble)
		return bbt_error_set(e, "field \"%s\" must be an integer", key);
	*out = (int64_t)v->valuedouble;
	return 0;
}

static int hex4_valid(const char *s)
{
	if (s[0] == '\0')
		return 1;
	if (strlen(s) != 4)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int input_from_json(const cJSON *v, struct bbt_input_id *in,
    struct bbt_error *e)
{
	memset(in, 0, sizeof(*in));
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v))
		return bbt_error_set(e, "field \"input\" must be an object or null");
	if (copy_string(cJSON_GetObjectItemCaseSensitive(v, "name"), "input.name",
	    in->name, sizeof(in->name), 0, e) < 0 ||
	    copy_string(cJSON_GetObjectItemCaseSensitive(v, "vid"), "input.vid",
	    in->vid, sizeof(in->vid), 1, e) < 0 ||
	    copy_string(cJSON_GetObjectItemCaseSensitive(v, "pid"), "input.pid",
	    in->pid, sizeof(in->pid), 1, e) < 0)
		return -1;
	if (!hex4_valid(in->vid) || !hex4_valid(in->pid))
		return bbt_error_set(e, "input vid/pid must be 4 hex digits");
	return 0;
}

static int flags_from_json(const cJSON *v, unsigned *flags, struct bbt_error *e)
{
	const cJSON *f;

	*flags = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return bbt_error_set(e, "field \"flags\" must be an array");
	cJSON_ArrayForEach(f, v) {
		unsigned bit;

		if (!cJSON_IsString(f))
			return bbt_error_set(e, "flags must be strings");
		if (bbt_text_check(f->valuestring, "flags", e) < 0)
			return -1;
		bit = bbt_flag_from_name(f->valuestring);
		if (bit == 0)
			return bbt_error_set(e, "unknown flag \"%.40s\"",
			    f->valuestring);
		*flags |= bit;
	}
	return 0;
}

static int time_from_json(const cJSON *o, const char *key, int64_t *t,
    int *off, struct bbt_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL)
		return bbt_error_set(e, "missing field \"%s\"", key);
	if (!cJSON_IsString(v))
		return bbt_error_set(e, "field \"%s\" must be a string", key);
	if (bbt_text_check(v->valuestring, key, e) < 0)
		return -1;
	if (bbt_time_parse(v->valuestring, t, off, e) < 0)
		return bbt_error_prefix(e, "field \"%s\"", key);
	return 0;
}

int bbt_session_from_json(const cJSON *o, struct bbt_session *s,
    struct bbt_error *e)
{
	int64_t v;
	int end_off;

	memset(s, 0, sizeof(*s));
	if (!cJSON_IsObject(o))
		return bbt_error_set(e, "session must be an object");
	if (copy_string(cJSON_GetObjectItemCaseSensitive(o, "id"), "id", s->id,
	    sizeof(s->id), 0, e) < 0)
		return -1;
	if (!bbt_uuid_valid(s->id))
		return bbt_error_set(e, "field \"id\" must be a UUID");
	for (char *p = s->id; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (time_from_json(o, "start", &s->start, &s->utc_offset, e) < 0 ||
	    time_from_json(o, "end", &s->end, &end_off, e) < 0)
		return -1;
	if (get_int(o, "duration_s", -((int64_t)1 << 40), (int64_t)1 << 40, &v, e) < 0)
		return -1;
	s->duration_s = v;
	if (get_int(o, "touches", 0, 1 << 30, &v, e) < 0)
		return -1;
	s->touches = (int)v;
	if (get_int(o, "active_minutes", 0, 1 << 30, &v, e) < 0)
		return -1;
	s->active_minutes = (int)v;
	if (copy_string(cJSON_GetObjectItemCaseSensitive(o, "teacher"), "teacher",
	    s->teacher, sizeof(s->teacher), 1, e) < 0)
		return -1;
	if (input_from_json(cJSON_GetObjectItemCaseSensitive(o, "input"),
	    &s->input, e) < 0)
		return -1;
	if (flags_from_json(cJSON_GetObjectItemCaseSensitive(o, "flags"),
	    &s->flags, e) < 0)
		return -1;
	if (s->duration_s != s->end - s->start)
		return bbt_error_set(e, "duration_s %lld does not match end - start "
		    "(%lld)", (long long)s->duration_s,
		    (long long)(s->end - s->start));
	return 0;
}

int bbt_uuid_v4(char out[BBT_UUID_LEN])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0)
			return -1;
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, BBT_UUID_LEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

int bbt_collector_url_valid(const char *s, size_t cap)
{
	size_t n = strlen(s);

	if (n <= 8 || n >= cap || strncmp(s, "https://", 8) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

int bbt_uuid_valid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	}
	return s[36] == '\0';
}
