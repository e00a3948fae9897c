/* libFuzzer target for the offline bundle reader (common/bbt_bundle.c):
 * any bytes must either be refused with a message or parse into a bundle
 * whose parts are consistent; verification runs against the public key of
 * the seed corpus's valid bundles so that the success path is reached. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_bundle.h"

/* The key that signed tests/fuzz/corpus/fuzz_common_bundle/valid-*.bbtb. */
static const char seed_pub[] = "DFzfV+R001XxTdqTy4sC2ysR7ZrnvEn/lDRQSohG9OU=";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bbt_bundle *b = NULL;
	struct bbt_error e;
	struct bbt_session s;

	if (bbt_bundle_parse((const char *)data, size, &b, &e) != 0) {
		if (b != NULL || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if ((size_t)cJSON_GetArraySize(b->sessions) != b->header.count ||
	    b->signed_len >= size || !bbt_bundle_device_id_valid(b->header.device_id))
		abort();
	if (bbt_bundle_verify(b, seed_pub, &e) == 0) {
		/* A verified bundle is byte-for-byte the signed bytes plus one line. */
		if (memcmp(b->signed_data, data, b->signed_len) != 0)
			abort();
	}
	for (int i = 0; i < cJSON_GetArraySize(b->sessions); i++)
		(void)bbt_session_from_json(cJSON_GetArrayItem(b->sessions, i), &s, &e);
	bbt_bundle_free(b);
	return 0;
}
