/* Unit tests of the offline bundle format (common/bbt_bundle.c): a built
 * bundle reads back to the same sessions, and every kind of damage (changed,
 * added, removed, reordered lines, any truncation, another device's key,
 * malformed header or signature) refuses the whole bundle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bbt_bundle.h"
#include "bbt_file.h"
#include "bbt_time.h"

static char dir[64];
static struct bbt_ed25519_key *key_a, *key_b;
static char pub_a[BBT_ED25519_PUB_B64_LEN], pub_b[BBT_ED25519_PUB_B64_LEN];

static int setup(void **state)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/bbt-bundle-ut-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/a.key", dir);
	if (bbt_ed25519_load_or_generate(path, &key_a, NULL) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/b.key", dir);
	if (bbt_ed25519_load_or_generate(path, &key_b, NULL) != 0)
		return -1;
	if (bbt_ed25519_public_b64(key_a, pub_a, NULL) != 0 ||
	    bbt_ed25519_public_b64(key_b, pub_b, NULL) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	bbt_ed25519_free(key_a);
	bbt_ed25519_free(key_b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void make_session(struct bbt_session *s, int i)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(bbt_uuid_v4(s->id), 0);
	bbt_time_parse("2026-11-23T08:00:05+08:00", &s->start, &s->utc_offset, NULL);
	s->start += i * 86400;
	s->end = s->start + 2400 + i;
	s->duration_s = s->end - s->start;
	s->touches = 100 + i;
	s->active_minutes = 30;
	snprintf(s->input.name, sizeof(s->input.name), "IRTOUCH Infrared Touch");
	snprintf(s->input.vid, sizeof(s->input.vid), "6615");
	snprintf(s->input.pid, sizeof(s->input.pid), "0070");
	if (i == 1)
		s->flags = BBT_FLAG_STUCK_CONTACT;
}

/* A 3-session bundle signed by key_a; caller frees. */
static char *build3(struct bbt_session s[3], size_t *len)
{
	struct bbt_bundle_header h = { .created = 1795392005 };
	struct bbt_error e;
	char *out;

	snprintf(h.device_id, sizeof(h.device_id), "dev-1");
	snprintf(h.agent_version, sizeof(h.agent_version), "0.1.0");
	for (int i = 0; i < 3; i++)
		make_session(&s[i], i);
	assert_int_equal(bbt_bundle_build(&h, s, 3, key_a, &out, len, &e), 0);
	return out;
}

/* Parse and verify with pub; 0 only if both pass. */
static int accept(const char *data, size_t len, const char *pub,
    struct bbt_error *e)
{
	struct bbt_bundle *b;
	int rc;

	if (bbt_bundle_parse(data, len, &b, e) != 0)
		return -1;
	rc = bbt_bundle_verify(b, pub, e);
	bbt_bundle_free(b);
	return rc;
}

static void test_roundtrip(void **state)
{
	struct bbt_session s[3], back;
	struct bbt_bundle *b;
	struct bbt_error e;
	size_t len, lines = 0;
	char *data = build3(s, &len);

	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	assert_int_equal(lines, 5);
	assert_int_equal(data[len - 1], '\n');
	assert_non_null(strstr(data, "{\"format\":\"bbt-bundle/1\",\"device_id\":\"dev-1\""));
	assert_int_equal(bbt_bundle_parse(data, len, &b, &e), 0);
	assert_int_equal(bbt_bundle_verify(b, pub_a, &e), 0);
	assert_string_equal(b->header.device_id, "dev-1");
	assert_string_equal(b->header.agent_version, "0.1.0");
	assert_int_equal(b->header.created, 1795392005);
	assert_int_equal(b->header.count, 3);
	assert_int_equal(cJSON_GetArraySize(b->sessions), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(bbt_session_from_json(
		    cJSON_GetArrayItem(b->sessions, i), &back, &e), 0);
		assert_string_equal(back.id, s[i].id);
		assert_int_equal(back.start, s[i].start);
		assert_int_equal(back.end, s[i].end);
		assert_int_equal(back.touches, s[i].touches);
		assert_int_equal(back.flags, s[i].flags);
	}
	bbt_bundle_free(b);
	free(data);
}

/* An escaped NUL in a bundle's session is seen, not a silent truncation. */
static void test_escaped_nul(void **state)
{
	struct bbt_session s[3], back;
	struct bbt_bundle *b;
	struct bbt_error e;
	size_t len;
	char *data = build3(s, &len), *at;

	(void)state;
	at = strstr(data, "IRTOUCH Infrared Touch");
	assert_non_null(at);
	memcpy(at, "IR\\u0000", 8);
	assert_int_equal(bbt_bundle_parse(data, len, &b, &e), 0);
	assert_int_equal(bbt_session_from_json(cJSON_GetArrayItem(b->sessions, 0), &back, &e), -1);
	assert_non_null(strstr(e.msg, "escaped NUL"));
	bbt_bundle_free(b);
	free(data);
}

static void test_empty_bundle(void **state)
{
	struct bbt_bundle_header h = { .created = 0 };
	struct bbt_bundle *b;
	struct bbt_error e;
	char *data;
	size_t len;

	snprintf(h.device_id, sizeof(h.device_id), "d");
	assert_int_equal(bbt_bundle_build(&h, NULL, 0, key_a, &data, &len, &e), 0);
	assert_int_equal(bbt_bundle_parse(data, len, &b, &e), 0);
	assert_int_equal(bbt_bundle_verify(b, pub_a, &e), 0);
	assert_int_equal(cJSON_GetArraySize(b->sessions), 0);
	bbt_bundle_free(b);
	free(data);
}

static void test_other_device_key(void **state)
{
	struct bbt_session s[3];
	struct bbt_error e;
	size_t len;
	char *data = build3(s, &len);

	assert_int_equal(accept(data, len, pub_b, &e), -1);
	assert_non_null(strstr(e.msg, "signature does not verify"));
	assert_non_null(strstr(e.msg, "dev-1"));
	free(data);
}

/* Offsets of the starts of each line (at most 8). */
static size_t line_starts(const char *data, size_t len, size_t *starts)
{
	size_t n = 0;

	starts[n++] = 0;
	for (size_t i = 0; i + 1 < len && n < 8; i++)
		if (data[i] == '\n')
			starts[n++] = i + 1;
	return n;
}

static void test_changed_line(void **state)
{
	struct bbt_session s[3];
	struct bbt_error e;
	size_t len;
	char *data = build3(s, &len), *p;

	/* touches 101 -> 901 in the second session: still valid JSON. */
	p = strstr(data, "\"touches\":101");
	assert_non_null(p);
	p[11] = '9';
	assert_int_equal(accept(data, len, pub_a, &e), -1);
	assert_non_null(strstr(e.msg, "signature does not verify"));
	p[11] = '0';
	assert_int_equal(accept(data, len, pub_a, &e), 0);
	/* The header's device id changed to another valid id. */
	p = strstr(data, "dev-1");
	p[4] = '2';
	assert_int_equal(accept(data, len, pub_a, &e), -1);
	free(data);
}

static void test_added_line(void **state)
{
	struct bbt_session s[3];
	struct bbt_error e;
	size_t len, st[8], n;
	char *data = build3(s, &len), *big, *q;

	n = line_starts(data, len, st);
	assert_int_equal(n, 5);
	/* Repeat line 2 after itself. */
	big = malloc(len + 4096);
	memcpy(big, data, st[2]);
	memcpy(big + st[2], data + st[1], st[2] - st[1]);
	memcpy(big + st[2] + (st[2] - st[1]), data + st[2], len - st[2]);
	assert_int_equal(accept(big, len + st[2] - st[1], pub_a, &e), -1);
	assert_non_null(strstr(e.msg, "count"));
	/* Same, with the header's count raised to match: the signature fails. */
	q = strstr(big, "\"count\":3");
	q[8] = '4';
	assert_int_equal(accept(big, len + st[2] - st[1], pub_a, &e), -1);
	assert_non_null(strstr(e.msg, "signature does not verify"));
	free(big);
	free(data);
}

static void test_removed_line(void **state)
{
	struct bbt_session s[3];
	struct bbt_error e;
	size_t len, st[8], cut;
	char *data = build3(s, &len), *q;

	line_starts(data, len, st);
	cut = st[3] - st[2];
	memmove(data + st[2], data + st[3], len - st[3]);
	assert_int_equal(accept(data, len - cut, pub_a, &e), -1);
	assert_non_null(strstr(e.msg, "count"));
	q = strstr(data, "\"count\":3");
	q[8] = '2';
	assert_int_equal(accept(data, len - cut, pub_a, &e), -1);
	assert_non_null(strstr(e.msg, "signature does not verify"));
	free(data);
}

static void test_reordered_lines(void **state)
{
	struct bbt_session s[3];
	struct bbt_error e;
	size_t len, st[8];
	char *data = build3(s, &len), *copy = malloc(len);
	size_t l1, l2;

	line_starts(data, len, st);
	l1 = st[2] - st[1];
	l2 = st[3] - st[2];
	memcpy(copy, data, len);
	memcpy(copy + st[1], data + st[2], l2);
	memcpy(copy + st[1] + l2, data + st[1], l1);
	assert_int_equal(accept(copy, len, pub_a, &e), -1);
	assert_non_null(strstr(e.msg, "signature does not verify"));
	free(copy);
	free(data);
}

static void test_every_truncation(void **state)
{
	struct bbt_session s[3];
	struct bbt_error e;
	size_t len;
	char *data = build3(s, &len);

	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(accept(data, cut, pub_a, &e), -1);
	assert_int_equal(accept(data, len, pub_a, &e), 0);
	free(data);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"\n",
		"{\"signature\":\"x\"}\n",
		"{\"format\":\"bbt-bundle/2\",\"device_id\":\"d\",\"created\":"
		    "\"2026-11-23T00:00:00Z\",\"agent_version\":\"1\",\"count\":0}\n"
		    "{\"signature\":\"x\"}\n",
		"{\"format\":\"bbt-bundle/1\",\"device_id\":\"../x\",\"created\":"
		    "\"2026-11-23T00:00:00Z\",\"agent_version\":\"1\",\"count\":0}\n"
		    "{\"signature\":\"x\"}\n",
		"{\"format\":\"bbt-bundle/1\",\"device_id\":\"d\",\"created\":"
		    "\"2026-11-23T00:00:00Z\",\"agent_version\":\"1\",\"count\":0.5}\n"
		    "{\"signature\":\"x\"}\n",
		"{\"format\":\"bbt-bundle/1\",\"device_id\":\"d\",\"created\":"
		    "\"yesterday\",\"agent_version\":\"1\",\"count\":0}\n"
		    "{\"signature\":\"x\"}\n",
		"[1]\n{\"signature\":\"x\"}\n",
	};
	struct bbt_bundle *b = (void *)1;
	struct bbt_error e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(bbt_bundle_parse(bad[i], strlen(bad[i]), &b, &e), -1);
		assert_null(b);
	}
}

/* Replace the first occurrence of `from` with `to` (same data otherwise). */
static char *replaced(const char *data, size_t len, const char *from,
    const char *to, size_t *out_len)
{
	const char *p = strstr(data, from);
	size_t pre, fl = strlen(from), tl = strlen(to);
	char *out;

	assert_non_null(p);
	pre = (size_t)(p - data);
	out = malloc(len - fl + tl + 1);
	memcpy(out, data, pre);
	memcpy(out + pre, to, tl);
	memcpy(out + pre + tl, p + fl, len - pre - fl);
	*out_len = len - fl + tl;
	out[*out_len] = '\0';
	return out;
}

static void test_structure_damage(void **state)
{
	struct bbt_session s[3];
	struct bbt_bundle *b;
	struct bbt_error e;
	size_t len, l2;
	char *data = build3(s, &len), *d2;

	/* CRLF line ends (a careless copy) are refused, not normalised. */
	d2 = replaced(data, len, "}\n", "}\r\n", &l2);
	assert_int_equal(bbt_bundle_parse(d2, l2, &b, &e), -1);
	free(d2);
	/* A session line that is not JSON. */
	d2 = replaced(data, len, "{\"id\"", "{id\"", &l2);
	assert_int_equal(bbt_bundle_parse(d2, l2, &b, &e), -1);
	assert_non_null(strstr(e.msg, "line 2"));
	free(d2);
	/* A session without an id. */
	d2 = replaced(data, len, "{\"id\"", "{\"xd\"", &l2);
	assert_int_equal(bbt_bundle_parse(d2, l2, &b, &e), -1);
	assert_non_null(strstr(e.msg, "id"));
	free(d2);
	/* A signature line with another member. */
	d2 = replaced(data, len, "{\"signature\"", "{\"x\":1,\"signature\"", &l2);
	assert_int_equal(bbt_bundle_parse(d2, l2, &b, &e), -1);
	free(d2);
	/* Trailing garbage after a line's object. */
	d2 = replaced(data, len, "}\n{\"id\"", "} \n{\"id\"", &l2);
	assert_int_equal(bbt_bundle_parse(d2, l2, &b, &e), -1);
	free(d2);
	/* A NUL byte. */
	data[len / 2] = '\0';
	assert_int_equal(bbt_bundle_parse(data, len, &b, &e), -1);
	free(data);
}

static void test_signature_malformed(void **state)
{
	struct bbt_session s[3];
	struct bbt_error e;
	size_t len, st[8];
	char *data = build3(s, &len);

	line_starts(data, len, st);
	/* Flip the signature's first character to another base64 char. */
	data[st[4] + 14] = data[st[4] + 14] == 'A' ? 'B' : 'A';
	assert_int_equal(accept(data, len, pub_a, &e), -1);
	/* A non-base64 character. */
	data[st[4] + 14] = '*';
	assert_int_equal(accept(data, len, pub_a, &e), -1);
	assert_non_null(strstr(e.msg, "malformed signature"));
	free(data);
}

static void test_file_name_and_read(void **state)
{
	char name[128], path[160], *back;
	struct bbt_error e;
	size_t len, blen;
	struct bbt_session s[3];
	char *data;
	FILE *f;

	assert_int_equal(bbt_bundle_file_name("dev-1", 1795392005, name,
	    sizeof(name), &e), 0);
	assert_string_equal(name, "bbt-dev-1-20261123T000005Z.bbtb");
	assert_int_equal(bbt_bundle_file_name("../etc", 0, name, sizeof(name), &e), -1);
	assert_int_equal(bbt_bundle_file_name("a/b", 0, name, sizeof(name), &e), -1);

	data = build3(s, &len);
	snprintf(path, sizeof(path), "%s/%s", dir, "x.bbtb");
	f = fopen(path, "w");
	fwrite(data, 1, len, f);
	fclose(f);
	assert_int_equal(bbt_file_read(path, (size_t)BBT_BUNDLE_MAX_BYTES, &back, &blen, &e), 0);
	assert_int_equal(blen, len);
	assert_memory_equal(back, data, len);
	assert_int_equal(accept(back, blen, pub_a, &e), 0);
	free(back);
	free(data);
	snprintf(path, sizeof(path), "%s/%s", dir, "missing.bbtb");
	assert_int_equal(bbt_file_read(path, (size_t)BBT_BUNDLE_MAX_BYTES, &back, &blen, &e), -1);
	assert_non_null(strstr(e.msg, "missing.bbtb"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_escaped_nul),
		cmocka_unit_test(test_empty_bundle),
		cmocka_unit_test(test_other_device_key),
		cmocka_unit_test(test_changed_line),
		cmocka_unit_test(test_added_line),
		cmocka_unit_test(test_removed_line),
		cmocka_unit_test(test_reordered_lines),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_structure_damage),
		cmocka_unit_test(test_signature_malformed),
		cmocka_unit_test(test_file_name_and_read),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
