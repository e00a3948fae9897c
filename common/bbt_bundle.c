/*
 * bbt_bundle: writing and strictly reading signed offline bundles (see
 * bbt_bundle.h for the format). The reader runs on files from USB sticks
 * and on HTTP request bodies, so it trusts nothing: every size is bounded
 * before anything is allocated for it, every line is parsed with its exact
 * length, and the first problem refuses the whole bundle with the line
 * number in the message. tests/fuzz/fuzz_common_bundle.c drives it.
 */
#include "bbt_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bbt_buf.h"
#include "bbt_time.h"

/* Append one JSON line; refuses lines the reader would refuse. */
static int buf_add_line(struct bbt_buf *b, const char *line, struct bbt_error *e)
{
	size_t n = strlen(line);

	if (n == 0 || n > BBT_BUNDLE_MAX_LINE || memchr(line, '\n', n))
		return bbt_error_set(e, "a bundle line would be malformed or too long");
	if (b->len + n + 1 > (size_t)BBT_BUNDLE_MAX_BYTES)
		return bbt_error_set(e, "bundle would exceed %ld bytes",
		    BBT_BUNDLE_MAX_BYTES);
	if (bbt_buf_add(b, line, n) != 0 || bbt_buf_add(b, "\n", 1) != 0)
		return bbt_error_set(e, "out of memory");
	return 0;
}

int bbt_bundle_device_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return 0;
	n = strnlen(id, BBT_BUNDLE_DEVICE_ID_LEN);
	if (n == 0 || n >= BBT_BUNDLE_DEVICE_ID_LEN || id[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static char *header_line(const struct bbt_bundle_header *h, size_t n)
{
	char created[BBT_ISO8601_LEN];
	cJSON *o = cJSON_CreateObject();
	char *line;

	if (o == NULL)
		return NULL;
	bbt_time_format(h->created, 0, created);
	cJSON_AddStringToObject(o, "format", BBT_BUNDLE_FORMAT);
	cJSON_AddStringToObject(o, "device_id", h->device_id);
	cJSON_AddStringToObject(o, "created", created);
	cJSON_AddStringToObject(o, "agent_version", h->agent_version);
	cJSON_AddNumberToObject(o, "count", (double)n);
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return line;
}

static int add_sessions(struct bbt_buf *b, const struct bbt_session *s, size_t n,
    struct bbt_error *e)
{
	for (size_t i = 0; i < n; i++) {
		char *line = bbt_session_to_json_line(&s[i]);
		int rc;

		if (line == NULL)
			return bbt_error_set(e, "out of memory");
		rc = buf_add_line(b, line, e);
		free(line);
		if (rc != 0)
			return bbt_error_prefix(e, "session %s", s[i].id);
	}
	return 0;
}

int bbt_bundle_build(const struct bbt_bundle_header *header,
    const struct bbt_session *sessions, size_t n,
    const struct bbt_ed25519_key *key, char **out, size_t *out_len,
    struct bbt_error *e)
{
	char sig[BBT_ED25519_SIG_B64_LEN], sig_line[128];
	struct bbt_buf b = { 0 };
	char *hl = NULL;

	*out = NULL;
	*out_len = 0;
	if (!bbt_bundle_device_id_valid(header->device_id))
		return bbt_error_set(e, "invalid device id \"%s\"", header->device_id);
	if (n > BBT_BUNDLE_MAX_SESSIONS)
		return bbt_error_set(e, "more than %d sessions in one bundle",
		    BBT_BUNDLE_MAX_SESSIONS);
	hl = header_line(header, n);
	if (hl == NULL) {
		bbt_error_set(e, "out of memory");
		goto fail;
	}
	if (buf_add_line(&b, hl, e) != 0 || add_sessions(&b, sessions, n, e) != 0)
		goto fail;
	if (bbt_ed25519_sign(key, b.p, b.len, sig, e) != 0)
		goto fail;
	snprintf(sig_line, sizeof(sig_line), "{\"signature\":\"%s\"}", sig);
	if (buf_add_line(&b, sig_line, e) != 0)
		goto fail;
	free(hl);
	*out = b.p;
	*out_len = b.len;
	return 0;
fail:
	free(hl);
	free(b.p);
	return -1;
}

/* Parse exactly [p, p+n) as one JSON object; no whitespace around it. */
static cJSON *parse_object_line(const char *p, size_t n, size_t lineno,
    struct bbt_error *e)
{
	const char *end = NULL, *src;
	char *marked = NULL;
	cJSON *o;

	if (n == 0) {
		bbt_error_set(e, "line %zu: empty line", lineno);
		return NULL;
	}
	if (n > BBT_BUNDLE_MAX_LINE) {
		bbt_error_set(e, "line %zu: longer than %d bytes", lineno,
		    BBT_BUNDLE_MAX_LINE);
		return NULL;
	}
	if (p[0] != '{' || p[n - 1] != '}') {
		bbt_error_set(e, "line %zu: not a JSON object", lineno);
		return NULL;
	}
	/* cJSON ends a string at an escaped NUL: parse a copy in which each
	 * \u0000 is marked, so the session check refuses it (CONTRACT 5.3). The
	 * signature covers the original bytes, which stay as they are. */
	if (bbt_json_mark_nul(p, n, &marked) < 0) {
		bbt_error_set(e, "line %zu: out of memory", lineno);
		return NULL;
	}
	src = marked ? marked : p;
	o = cJSON_ParseWithLengthOpts(src, n, &end, 0);
	if (o == NULL || end != src + n || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		free(marked);
		bbt_error_set(e, "line %zu: not a valid JSON object", lineno);
		return NULL;
	}
	free(marked);
	return o;
}

static const char *get_string(const cJSON *o, const char *key, size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    strnlen(v->valuestring, max) >= max)
		return NULL;
	return v->valuestring;
}

static int parse_header(const cJSON *o, struct bbt_bundle_header *h,
    struct bbt_error *e)
{
	const char *format = get_string(o, "format", 64);
	const char *id = get_string(o, "device_id", BBT_BUNDLE_DEVICE_ID_LEN);
	const char *created = get_string(o, "created", BBT_ISO8601_LEN + 16);
	const char *version = get_string(o, "agent_version", BBT_BUNDLE_VERSION_LEN);
	const cJSON *count = cJSON_GetObjectItemCaseSensitive(o, "count");
	struct bbt_error te;

	if (format == NULL)
		return bbt_error_set(e, "line 1: not a bundle header (no \"format\")");
	if (strcmp(format, BBT_BUNDLE_FORMAT) != 0)
		return bbt_error_set(e, "line 1: unsupported format \"%s\" (want %s)",
		    format, BBT_BUNDLE_FORMAT);
	if (!bbt_bundle_device_id_valid(id))
		return bbt_error_set(e, "line 1: missing or invalid \"device_id\"");
	if (created == NULL || bbt_time_parse(created, &h->created, NULL, &te) != 0)
		return bbt_error_set(e, "line 1: missing or invalid \"created\"");
	if (version == NULL || bbt_text_check(version, "agent_version", NULL) < 0)
		return bbt_error_set(e, "line 1: missing or invalid \"agent_version\"");
	if (!cJSON_IsNumber(count) || count->valuedouble < 0 ||
	    count->valuedouble > BBT_BUNDLE_MAX_SESSIONS ||
	    count->valuedouble != (double)(long)count->valuedouble)
		return bbt_error_set(e, "line 1: \"count\" must be an integer 0..%d",
		    BBT_BUNDLE_MAX_SESSIONS);
	snprintf(h->device_id, sizeof(h->device_id), "%s", id);
	snprintf(h->agent_version, sizeof(h->agent_version), "%s", version);
	h->count = (size_t)count->valuedouble;
	return 0;
}

static int parse_signature(const char *p, size_t n, size_t lineno,
    struct bbt_bundle *b, struct bbt_error *e)
{
	cJSON *o = parse_object_line(p, n, lineno, e);
	const char *sig;
	int rc = -1;

	if (o == NULL)
		return bbt_error_prefix(e, "signature line (truncated bundle?)");
	sig = get_string(o, "signature", BBT_ED25519_SIG_B64_LEN + 1);
	if (sig == NULL || o->child->next != NULL) {
		bbt_error_set(e, "line %zu: the last line is not a signature line "
		    "(truncated bundle?)", lineno);
		goto out;
	}
	if (strlen(sig) != BBT_ED25519_SIG_B64_LEN - 1) {
		bbt_error_set(e, "line %zu: malformed signature", lineno);
		goto out;
	}
	memcpy(b->signature, sig, BBT_ED25519_SIG_B64_LEN);
	rc = 0;
out:
	cJSON_Delete(o);
	return rc;
}

static int parse_session(const char *p, size_t n, size_t lineno,
    struct bbt_bundle *b, struct bbt_error *e)
{
	cJSON *o;

	if (lineno - 1 > b->header.count)
		return bbt_error_set(e, "line %zu: more session lines than the "
		    "header's count %zu", lineno, b->header.count);
	o = parse_object_line(p, n, lineno, e);
	if (o == NULL)
		return -1;
	if (get_string(o, "id", BBT_UUID_LEN) == NULL) {
		cJSON_Delete(o);
		return bbt_error_set(e, "line %zu: session without a valid \"id\"",
		    lineno);
	}
	cJSON_AddItemToArray(b->sessions, o);
	return 0;
}

/* Lines of the signed part: header, then sessions. */
static int parse_body(const char *data, size_t len, struct bbt_bundle *b,
    struct bbt_error *e)
{
	size_t pos = 0, lineno = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = (size_t)(nl - (data + pos));
		int rc;

		lineno++;
		if (lineno == 1) {
			cJSON *h = parse_object_line(data, n, 1, e);

			rc = h == NULL ? -1 : parse_header(h, &b->header, e);
			cJSON_Delete(h);
		} else {
			rc = parse_session(data + pos, n, lineno, b, e);
		}
		if (rc != 0)
			return -1;
		pos += n + 1;
	}
	if (lineno == 0)
		return bbt_error_set(e, "no header line");
	if (lineno - 1 != b->header.count)
		return bbt_error_set(e, "%zu session lines but the header's count "
		    "is %zu (lines removed or truncated?)", lineno - 1, b->header.count);
	return 0;
}

int bbt_bundle_parse(const char *data, size_t len, struct bbt_bundle **out,
    struct bbt_error *e)
{
	struct bbt_bundle *b = NULL;
	size_t sig_start, lines = 0;

	*out = NULL;
	if (len == 0)
		return bbt_error_set(e, "empty file");
	if (len > (size_t)BBT_BUNDLE_MAX_BYTES)
		return bbt_error_set(e, "larger than %ld bytes", BBT_BUNDLE_MAX_BYTES);
	if (memchr(data, '\0', len) || memchr(data, '\r', len))
		return bbt_error_set(e, "contains NUL or carriage-return bytes");
	if (data[len - 1] != '\n')
		return bbt_error_set(e, "truncated (does not end with a newline)");
	for (sig_start = len - 1; sig_start > 0 && data[sig_start - 1] != '\n';)
		sig_start--;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	if (sig_start == 0)
		return bbt_error_set(e, "truncated (only one line)");
	if (lines - 2 > BBT_BUNDLE_MAX_SESSIONS)
		return bbt_error_set(e, "more than %d sessions", BBT_BUNDLE_MAX_SESSIONS);
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return bbt_error_set(e, "out of memory");
	b->sessions = cJSON_CreateArray();
	b->signed_data = malloc(sig_start);
	if (b->sessions == NULL || b->signed_data == NULL) {
		bbt_error_set(e, "out of memory");
		goto fail;
	}
	memcpy(b->signed_data, data, sig_start);
	b->signed_len = sig_start;
	if (parse_body(data, sig_start, b, e) != 0 ||
	    parse_signature(data + sig_start, len - sig_start - 1, lines, b, e) != 0)
		goto fail;
	*out = b;
	return 0;
fail:
	bbt_bundle_free(b);
	return -1;
}

int bbt_bundle_verify(const struct bbt_bundle *b, const char *pub_b64,
    struct bbt_error *e)
{
	if (bbt_ed25519_verify(pub_b64, b->signed_data, b->signed_len,
	    b->signature, e) != 0)
		return bbt_error_prefix(e, "bundle of device %s", b->header.device_id);
	return 0;
}

void bbt_bundle_free(struct bbt_bundle *b)
{
	if (b == NULL)
		return;
	cJSON_Delete(b->sessions);
	free(b->signed_data);
	free(b);
}

int bbt_bundle_file_name(const char *device_id, int64_t when, char *out,
    size_t len, struct bbt_error *e)
{
	int64_t days = bbt_floor_div(when, 86400), secs = when - days * 86400;
	int y, m, d;

	if (!bbt_bundle_device_id_valid(device_id))
		return bbt_error_set(e, "invalid device id \"%s\"", device_id);
	bbt_civil_from_days(days, &y, &m, &d);
	if ((size_t)snprintf(out, len, "bbt-%s-%04d%02d%02dT%02d%02d%02dZ%s",
	    device_id, y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60), BBT_BUNDLE_SUFFIX) >= len)
		return bbt_error_set(e, "bundle file name too long");
	return 0;
}
