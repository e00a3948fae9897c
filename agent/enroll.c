/*
 * enroll: POST /api/v1/enroll and the enrollment state (see enroll.h).
 *
 * The device token is written to the store only together with
 * enrolled=1, after a 201: a failed or refused enrollment leaves the
 * previous state untouched, so a device that was enrolled keeps working.
 */
#include "enroll.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "bbt_ed25519.h"
#include "bbt_log.h"
#include "bbt_session.h"
#include "http_client.h"
#include "link.h"
#include "reply.h"

/* Values firmware writes when the field was never set. */
static int placeholder(const char *v)
{
	static const char *const bad[] = {
		"", "0", "none", "default string", "to be filled by o.e.m.",
		"not settable", "not specified", "system serial number",
		"00000000-0000-0000-0000-000000000000",
		"ffffffff-ffff-ffff-ffff-ffffffffffff",
		"03000200-0400-0500-0006-000700080009",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcasecmp(v, bad[i]) == 0)
			return 1;
	return 0;
}

static int read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f)
		return -1;
	if (!fgets(buf, (int)n, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	return 0;
}

/* 8-4-4-4-12 hex digits, as the kernel prints an SMBIOS UUID. */
static int uuid_shaped(const char *v)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(v) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '-' ? v[i] != '-' : !isxdigit((unsigned char)v[i]))
			return 0;
	return 1;
}

int enroll_hw_id_from(const struct enroll_hw_paths *p, char out[ENROLL_HW_ID_LEN],
    const char **source, struct bbt_error *e)
{
	/* The state file holds the product UUID: hashed under the same name, so
	 * the agent, root or not, and the postinst agree on one hw_id. */
	const struct { const char *label, *name, *path; int uuid; } src[] = {
		{ "dmi-product-uuid (state dir)", "dmi-product-uuid", p->state_file, 1 },
		{ "dmi-product-uuid", "dmi-product-uuid", p->product_uuid, 1 },
		{ "dmi-board-serial", "dmi-board-serial", p->board_serial, 0 },
		{ "machine-id", "machine-id", p->machine_id, 0 },
	};
	unsigned char md[32];
	unsigned int mdlen = 0;
	char val[256], in[320];
	const char *name = NULL, *label = NULL, *env = getenv("BBT_HW_ID");

	if (env && *env) {
		name = label = "env";
		snprintf(val, sizeof(val), "%s", env);
	}
	for (size_t i = 0; !name && i < sizeof(src) / sizeof(src[0]); i++) {
		if (src[i].path && read_line(src[i].path, val, sizeof(val)) == 0 &&
		    !placeholder(val) && (!src[i].uuid || uuid_shaped(val))) {
			name = src[i].name;
			label = src[i].label;
		}
	}
	if (!name)
		return bbt_error_set(e, "no hardware id: no DMI id readable "
		    "and no /etc/machine-id");
	for (char *c = val; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	snprintf(in, sizeof(in), "bbt-hw-id/1 %s %s", name, val);
	if (!EVP_Digest(in, strlen(in), md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != sizeof(md))
		return bbt_error_set(e, "SHA-256 failed");
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	if (source)
		*source = label;
	return 0;
}

int enroll_hw_id(const char *state_dir, char out[ENROLL_HW_ID_LEN], const char **source,
    struct bbt_error *e)
{
	char file[PATH_MAX];
	struct enroll_hw_paths p = { file, "/sys/class/dmi/id/product_uuid",
	    "/sys/class/dmi/id/board_serial", "/etc/machine-id" };

	snprintf(file, sizeof(file), "%s/%s", state_dir, ENROLL_HW_ID_FILE);
	return enroll_hw_id_from(&p, out, source, e);
}

/* The device key's public half (base64 of the raw 32 bytes), made once. */
static int device_public_key(const char *state_dir,
    char b64[BBT_ED25519_PUB_B64_LEN], struct bbt_error *e)
{
	struct bbt_ed25519_key *key = NULL;
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", state_dir, BBT_ED25519_KEY_FILE);
	if (bbt_ed25519_load_or_generate(path, &key, e) < 0)
		return bbt_error_prefix(e, "device key %s", path);
	ret = bbt_ed25519_public_b64(key, b64, e);
	bbt_ed25519_free(key);
	return ret;
}

static char *request_body(const struct agent_config *cfg,
    const struct enroll_params *p, struct bbt_error *e)
{
	char hw[ENROLL_HW_ID_LEN], host[256] = "", pub[BBT_ED25519_PUB_B64_LEN];
	const char *src;
	cJSON *o;
	char *s;

	if (enroll_hw_id(cfg->state_dir, hw, &src, e) < 0 ||
	    device_public_key(cfg->state_dir, pub, e) < 0)
		return NULL;
	log_debug("hw_id from %s", src);
	gethostname(host, sizeof(host) - 1);
	bbt_text_scrub(host);
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "token", p->token) ||
	    !cJSON_AddStringToObject(o, "hw_id", hw) ||
	    !cJSON_AddStringToObject(o, "hostname", host) ||
	    !cJSON_AddStringToObject(o, "school", p->school) ||
	    !cJSON_AddStringToObject(o, "room", p->room) ||
	    !cJSON_AddStringToObject(o, "agent_version", BBT_VERSION) ||
	    !cJSON_AddStringToObject(o, "public_key", pub)) {
		cJSON_Delete(o);
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		bbt_error_set(e, "out of memory");
	return s;
}

static const char *status_text(enum enroll_status s)
{
	return s == ENROLL_ACTIVE ? "1" : s == ENROLL_REVOKED ? "revoked" : "0";
}

int enroll_state_save(struct store *st, const struct enroll_state *s,
    struct bbt_error *e)
{
	const struct store_meta_kv kv[] = {
		{ "device_id", s->device_id }, { "device_token", s->device_token },
		{ "server_url", s->url }, { "server_url_prev", s->prev_url },
		{ "school", s->school }, { "room", s->room },
		{ "last_sync_error", "" }, { "enrolled", status_text(s->status) },
	};

	return store_meta_set_all(st, kv, sizeof(kv) / sizeof(kv[0]), e);
}

int enroll_state_load(struct store *st, struct enroll_state *out,
    struct bbt_error *e)
{
	char v[16];
	int rc = store_meta_get(st, "enrolled", v, sizeof(v));

	memset(out, 0, sizeof(*out));
	if (rc < 0 ||
	    store_meta_get(st, "server_url", out->url, sizeof(out->url)) < 0 ||
	    store_meta_get(st, "server_url_prev", out->prev_url, sizeof(out->prev_url)) < 0 ||
	    store_meta_get(st, "device_id", out->device_id, sizeof(out->device_id)) < 0 ||
	    store_meta_get(st, "device_token", out->device_token,
	    sizeof(out->device_token)) < 0 ||
	    store_meta_get(st, "school", out->school, sizeof(out->school)) < 0 ||
	    store_meta_get(st, "room", out->room, sizeof(out->room)) < 0)
		return bbt_error_set(e, "cannot read the enrollment state");
	out->status = strcmp(v, "1") == 0 ? ENROLL_ACTIVE :
	    strcmp(v, "revoked") == 0 ? ENROLL_REVOKED : ENROLL_NONE;
	return 0;
}

/* A reply that is not usable (reply.c) leaves the previous state intact. */
static int save(struct store *st, const struct enroll_params *p,
    const struct http_response *r, struct bbt_error *e)
{
	struct reply_enroll en;
	struct enroll_state s = { .status = ENROLL_ACTIVE };

	if (reply_enroll_parse(r->body, r->len, &en, e) < 0)
		return -1;
	if (strlen(p->url) >= sizeof(s.url))
		return bbt_error_set(e, "server url too long");
	snprintf(s.url, sizeof(s.url), "%s", p->url);
	snprintf(s.device_id, sizeof(s.device_id), "%s", en.device_id);
	snprintf(s.device_token, sizeof(s.device_token), "%s", en.device_token);
	snprintf(s.school, sizeof(s.school), "%s", p->school ? p->school : "");
	snprintf(s.room, sizeof(s.room), "%s", p->room ? p->room : "");
	if (enroll_state_save(st, &s, e) < 0)
		return -1;
	log_info("enrolled with %s as device %s", p->url, en.device_id);
	return 0;
}

enum enroll_attempt enroll_attempt(struct store *st, const struct agent_config *cfg,
    struct bbt_error *e)
{
	struct enroll_params ep = { cfg->server.url, cfg->server.enroll_token,
	    cfg->server.school, cfg->server.room };
	long status;

	if (enroll_is_enrolled(st))
		return ENROLL_ATTEMPT_ALREADY;
	if (enroll_is_revoked(st) || !cfg->server.enroll_token[0])
		return ENROLL_ATTEMPT_CANNOT;
	if (enroll_run(st, cfg, &ep, &status, e) == 0)
		return ENROLL_ATTEMPT_DONE;
	return link_fault_transient(link_fault_of(status)) ? ENROLL_ATTEMPT_RETRY :
	    ENROLL_ATTEMPT_REFUSED;
}

int enroll_run(struct store *st, const struct agent_config *cfg,
    const struct enroll_params *p, long *http_status, struct bbt_error *e)
{
	struct http_client_opts o;
	struct http_response r;
	char url[600], msg[REPLY_TEXT_LEN];
	char *body;
	int ret = -1;

	*http_status = 0;
	if (!p->url || !*p->url)
		return bbt_error_set(e, "no server url ([server] url or --server)");
	if (!p->token || !*p->token)
		return bbt_error_set(e, "no enrollment token ([server] enroll_token "
		    "or --token)");
	if (http_client_url_join(p->url, "api/v1/enroll", url, sizeof(url)) < 0)
		return bbt_error_set(e, "server url too long");
	if (strncmp(p->url, "http://", 7) == 0 && p->url != cfg->server.url)
		log_warn("%s: plain HTTP, the enrollment token is sent in clear",
		    p->url);
	body = request_body(cfg, p, e);
	if (!body)
		return -1;
	link_http_opts(st, cfg, p->url, &o);
	if (http_client_post_json(&o, url, NULL, body, strlen(body), 0, &r, e) < 0) {
		bbt_error_prefix(e, "%s", url);
		goto out;
	}
	*http_status = r.status;
	if (r.status == 200 || r.status == 201) {
		link_note_server_time(st, &r, 0);
		ret = save(st, p, &r, e);
	} else {
		bbt_error_set(e, "%s: HTTP %ld %s", url, r.status,
		    link_error_text(&r, msg, sizeof(msg)));
	}
	http_client_response_free(&r);
out:
	free(body);
	return ret;
}

int enroll_is_enrolled(struct store *st)
{
	char v[16];

	return store_meta_get(st, "enrolled", v, sizeof(v)) > 0 &&
	    strcmp(v, "1") == 0;
}

int enroll_is_revoked(struct store *st)
{
	char v[16];

	return store_meta_get(st, "enrolled", v, sizeof(v)) > 0 &&
	    strcmp(v, "revoked") == 0;
}

int enroll_mark_revoked(struct store *st, struct bbt_error *e)
{
	return store_meta_set(st, "enrolled", "revoked", e);
}
