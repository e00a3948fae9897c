/* Unit tests of the device key (common/bbt_ed25519.c): key file creation
 * rules, sign/verify round trips, strict decoding, and RFC 8032's first
 * test vector so that "verifies" means real Ed25519. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "bbt_ed25519.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/bbt-ed25519-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void hex_to_b64(const char *hex, char *out)
{
	unsigned char raw[64];
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		raw[i] = (unsigned char)v;
	}
	EVP_EncodeBlock((unsigned char *)out, raw, (int)n);
}

static void test_generate_file_rules(void **state)
{
	char path[128], before[4096], after[4096];
	struct stat st;
	struct bbt_error e;
	FILE *f;
	size_t n1, n2;

	path_in(path, sizeof(path), "device.key");
	assert_int_equal(bbt_ed25519_generate(path, &e), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(path, "r");
	n1 = fread(before, 1, sizeof(before), f);
	fclose(f);
	assert_non_null(memmem(before, n1, "BEGIN PRIVATE KEY", 17));
	/* A second generate must refuse and leave the first key intact. */
	assert_int_equal(bbt_ed25519_generate(path, &e), -1);
	assert_non_null(strstr(e.msg, "already exists"));
	f = fopen(path, "r");
	n2 = fread(after, 1, sizeof(after), f);
	fclose(f);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	/* No temp file is left behind. */
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "test $(ls '%s' | grep -c tmp) = 0", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_sign_verify(void **state)
{
	char path[128], pub[BBT_ED25519_PUB_B64_LEN], sig[BBT_ED25519_SIG_B64_LEN];
	char msg[] = "line one\nline two\n";
	struct bbt_ed25519_key *k;
	struct bbt_error e;

	path_in(path, sizeof(path), "a.key");
	assert_int_equal(bbt_ed25519_load_or_generate(path, &k, &e), 0);
	assert_int_equal(bbt_ed25519_public_b64(k, pub, &e), 0);
	assert_int_equal(strlen(pub), 44);
	assert_true(bbt_ed25519_public_valid(pub));
	assert_int_equal(bbt_ed25519_sign(k, msg, strlen(msg), sig, &e), 0);
	assert_int_equal(strlen(sig), 88);
	assert_int_equal(bbt_ed25519_verify(pub, msg, strlen(msg), sig, &e), 0);
	/* One changed byte, one byte less: refused. */
	msg[3] = 'X';
	assert_int_equal(bbt_ed25519_verify(pub, msg, strlen(msg), sig, &e), -1);
	assert_string_equal(e.msg, "signature does not verify");
	msg[3] = 'e';
	assert_int_equal(bbt_ed25519_verify(pub, msg, strlen(msg) - 1, sig, &e), -1);
	bbt_ed25519_free(k);

	/* Loading again gives the same key (the same public key). */
	{
		char pub2[BBT_ED25519_PUB_B64_LEN];

		assert_int_equal(bbt_ed25519_load_or_generate(path, &k, &e), 0);
		assert_int_equal(bbt_ed25519_public_b64(k, pub2, &e), 0);
		assert_string_equal(pub, pub2);
		bbt_ed25519_free(k);
	}
}

static void test_other_key_refused(void **state)
{
	char pa[128], pb[128], puba[BBT_ED25519_PUB_B64_LEN], sigb[BBT_ED25519_SIG_B64_LEN];
	struct bbt_ed25519_key *a, *b;

	path_in(pa, sizeof(pa), "x.key");
	path_in(pb, sizeof(pb), "y.key");
	assert_int_equal(bbt_ed25519_load_or_generate(pa, &a, NULL), 0);
	assert_int_equal(bbt_ed25519_load_or_generate(pb, &b, NULL), 0);
	assert_int_equal(bbt_ed25519_public_b64(a, puba, NULL), 0);
	assert_int_equal(bbt_ed25519_sign(b, "data", 4, sigb, NULL), 0);
	assert_int_equal(bbt_ed25519_verify(puba, "data", 4, sigb, NULL), -1);
	bbt_ed25519_free(a);
	bbt_ed25519_free(b);
}

static void test_rfc8032_vector(void **state)
{
	char pub[64], sig[100];
	struct bbt_error e;

	hex_to_b64("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pub);
	hex_to_b64("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", sig);
	assert_int_equal(bbt_ed25519_verify(pub, "", 0, sig, &e), 0);
	sig[10] = sig[10] == 'A' ? 'B' : 'A';
	assert_int_equal(bbt_ed25519_verify(pub, "", 0, sig, &e), -1);
}

static void test_strict_base64(void **state)
{
	char pub[64], sig[100], bad[100];
	struct bbt_error e;

	hex_to_b64("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pub);
	hex_to_b64("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", sig);
	assert_true(bbt_ed25519_public_valid(pub));
	assert_false(bbt_ed25519_public_valid(""));
	assert_false(bbt_ed25519_public_valid(NULL));
	/* Without its padding, with a space, with a bad char, too long. */
	snprintf(bad, sizeof(bad), "%.43s", pub);
	assert_false(bbt_ed25519_public_valid(bad));
	snprintf(bad, sizeof(bad), " %.43s", pub);
	assert_false(bbt_ed25519_public_valid(bad));
	snprintf(bad, sizeof(bad), "%s", pub);
	bad[5] = '*';
	assert_false(bbt_ed25519_public_valid(bad));
	snprintf(bad, sizeof(bad), "%sAAAA", pub);
	assert_false(bbt_ed25519_public_valid(bad));
	/* Non-canonical: the last char before '=' carries unused bits. The
	 * canonical one ends in a char whose low two bits are 0 ('o' here). */
	snprintf(bad, sizeof(bad), "%s", pub);
	assert_int_equal(bad[42], 'o');
	bad[42] = 'p';
	assert_false(bbt_ed25519_public_valid(bad));
	assert_int_equal(bbt_ed25519_verify(bad, "", 0, sig, &e), -1);
	assert_non_null(strstr(e.msg, "malformed public key"));
	snprintf(bad, sizeof(bad), "%.86s", sig);
	assert_int_equal(bbt_ed25519_verify(pub, "", 0, bad, &e), -1);
	assert_non_null(strstr(e.msg, "malformed signature"));
}

static void test_load_rejects(void **state)
{
	char path[128];
	struct bbt_ed25519_key *k = (void *)1;
	struct bbt_error e;
	FILE *f;

	path_in(path, sizeof(path), "missing.key");
	assert_int_equal(bbt_ed25519_load(path, &k, &e), -1);
	assert_null(k);
	path_in(path, sizeof(path), "junk.key");
	f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	assert_int_equal(bbt_ed25519_load(path, &k, &e), -1);
	/* load_or_generate must not replace an unreadable key with a new one. */
	assert_int_equal(bbt_ed25519_load_or_generate(path, &k, &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_file_rules),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_other_key_refused),
		cmocka_unit_test(test_rfc8032_vector),
		cmocka_unit_test(test_strict_base64),
		cmocka_unit_test(test_load_rejects),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
