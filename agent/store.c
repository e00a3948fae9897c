/* store: placeholder until the store module lands; see store.h. */
#include "store.h"

int store_open(struct store **st, const char *state_dir, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

void store_close(struct store *st)
{
}

int store_session_add(struct store *st, const struct bbt_session *s, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_checkpoint_save(struct store *st, const struct bbt_session *open, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_checkpoint_clear(struct store *st, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_checkpoint_load(struct store *st, struct bbt_session *out, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_recover(struct store *st, int min_session, struct bbt_session *out, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_outbox_count(struct store *st, int64_t *count, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_outbox_list(struct store *st, struct bbt_session *out, size_t max, size_t *n, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_outbox_ack(struct store *st, const char *const *ids, size_t n, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_session_update_times(struct store *st, const struct bbt_session *s, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_sessions_each(struct store *st, int64_t since, store_session_fn fn, void *arg, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_meta_get(struct store *st, const char *key, char *buf, size_t len)
{
	return 0;
}

int store_meta_set(struct store *st, const char *key, const char *value, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}

int store_meta_delete(struct store *st, const char *key, struct bbt_error *e)
{
	return bbt_error_set(e, "store not implemented");
}
