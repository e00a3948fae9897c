/* libFuzzer target: the POST /api/v1/sessions body parser and the CONTRACT 5.3
 * judgement (ingest_parse_body, ingest_judge, ingest_reply) with no server
 * and no database. Any input must end in a usable batch or a body error,
 * every item judged with a reason when rejected, every accepted one with
 * clean strings (no control character, nothing cut at an escaped NUL);
 * never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bbt_utf8.h"
#include "http.h"
#include "ingest.h"

#define FUZZ_NOW 1795132800LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ingest_body_error why;
	struct ingest_batch b;
	struct bbt_error e;
	cJSON *reply;

	if (ingest_parse_body((const char *)data, size, 50, "610102001", FUZZ_NOW, &b, &why,
	    &e) < 0) {
		if (why == INGEST_BODY_OK || e.msg[0] == '\0')
			__builtin_trap();
		ingest_batch_free(&b);
		return 0;
	}
	if (b.n > 50)
		__builtin_trap();
	for (size_t i = 0; i < b.n; i++) {
		const struct ingest_item *it = &b.items[i];

		if (it->result == INGEST_REJECTED && it->error[0] == '\0')
			__builtin_trap();
		if (it->result == INGEST_ACCEPTED && (it->s.end < it->s.start ||
		    it->s.end > FUZZ_NOW + INGEST_FUTURE_S ||
		    it->s.duration_s > BBT_MAX_SESSION_S))
			__builtin_trap();
		if (it->has_id && !bbt_utf8_valid(it->id, strlen(it->id), 0))
			__builtin_trap();
		if (it->result == INGEST_ACCEPTED && (bbt_text_check(it->s.teacher, "t", NULL) < 0 ||
		    bbt_text_check(it->s.input.name, "n", NULL) < 0 ||
		    !bbt_uuid_valid(it->s.id)))
			__builtin_trap();
	}
	reply = ingest_reply(&b, FUZZ_NOW);
	cJSON_Delete(reply);
	ingest_batch_free(&b);
	return 0;
}
