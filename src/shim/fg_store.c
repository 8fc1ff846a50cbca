/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fg_store.c: FaceGate's key/value blobs (gallery entries, threshold) in Zephyr settings,
 * under "facegate/<key>". The backend (ZMS on the N6 and native_sim, see prj.conf) and its
 * partition (storage_partition) are chosen by Kconfig and devicetree, not here.
 */
#include <errno.h>
#include <string.h>
#include <zephyr/kernel.h>

#include "facegate_shim.h"

#if defined(CONFIG_SETTINGS)

#include <zephyr/settings/settings.h>

#define FG_STORE_PREFIX "facegate"
#define FG_STORE_NAME_MAX (sizeof(FG_STORE_PREFIX "/") + FG_STORE_KEY_MAX)

BUILD_ASSERT(FG_STORE_NAME_MAX <= SETTINGS_MAX_NAME_LEN, "facegate/<key> exceeds settings names");

/* Builds "facegate/<key>" into name; FG_OK or FG_ERR_TOO_LARGE / FG_ERR_INVALID. */
static int full_name(const char *key, char name[FG_STORE_NAME_MAX])
{
	size_t len;

	if (key == NULL) {
		return FG_ERR_INVALID;
	}
	len = strnlen(key, FG_STORE_KEY_MAX + 1);
	if (len == 0) {
		return FG_ERR_INVALID;
	}
	if (len > FG_STORE_KEY_MAX) {
		return FG_ERR_TOO_LARGE;
	}
	memcpy(name, FG_STORE_PREFIX "/", sizeof(FG_STORE_PREFIX));
	memcpy(name + sizeof(FG_STORE_PREFIX), key, len + 1);
	return FG_OK;
}

/* Follows include/zephyr/settings/settings.h (v4.4.1): settings_subsys_init(). */
int fg_store_init(void)
{
	return fg_err_from_errno(settings_subsys_init());
}

struct read_ctx {
	void *buf;
	uint32_t cap;
	uint32_t len;
	int result;
};

/* settings_load_direct_cb: backends may report older values first and the current one last,
 * so every call overwrites the previous result. A zero length marks a deleted key. */
static int read_cb(const char *key, size_t len, settings_read_cb rd, void *cb_arg, void *param)
{
	struct read_ctx *ctx = param;
	ssize_t got;

	if (key != NULL && key[0] != '\0') {
		return 0; /* a child of our key, not the key itself */
	}
	if (len == 0) {
		ctx->result = FG_ERR_NOT_FOUND;
		return 0;
	}
	ctx->len = (uint32_t)len;
	if (len > ctx->cap) {
		ctx->result = FG_ERR_TOO_SMALL;
		return 0;
	}
	got = rd(cb_arg, ctx->buf, len);
	ctx->result = (got == (ssize_t)len) ? FG_OK : FG_ERR_IO;
	return 0;
}

/* Follows include/zephyr/settings/settings.h (v4.4.1): settings_load_subtree_direct(subtree,
 * settings_load_direct_cb, param), the callback getting (key below subtree, len, read_cb,
 * cb_arg, param). */
int fg_store_read(const char *key, void *buf, uint32_t cap, uint32_t *len)
{
	char name[FG_STORE_NAME_MAX];
	struct read_ctx ctx = {
		.buf = buf,
		.cap = MIN(cap, FG_STORE_VALUE_MAX),
		.len = 0,
		.result = FG_ERR_NOT_FOUND,
	};
	int ret = full_name(key, name);

	if (ret != FG_OK) {
		return ret;
	}
	if (buf == NULL || len == NULL) {
		return FG_ERR_INVALID;
	}
	ret = settings_load_subtree_direct(name, read_cb, &ctx);
	if (ret != 0) {
		return fg_err_from_errno(ret);
	}
	*len = ctx.len;
	return ctx.result;
}

/* Follows include/zephyr/settings/settings.h (v4.4.1): settings_save_one(name, value, len). */
int fg_store_write(const char *key, const void *buf, uint32_t len)
{
	char name[FG_STORE_NAME_MAX];
	int ret = full_name(key, name);

	if (ret != FG_OK) {
		return ret;
	}
	if (len > FG_STORE_VALUE_MAX) {
		return FG_ERR_TOO_LARGE;
	}
	if (buf == NULL && len != 0) {
		return FG_ERR_INVALID;
	}
	return fg_err_from_errno(settings_save_one(name, buf, len));
}

static int exists_cb(const char *key, size_t len, settings_read_cb rd, void *cb_arg,
		     void *param)
{
	bool *exists = param;

	ARG_UNUSED(rd);
	ARG_UNUSED(cb_arg);
	if (key == NULL || key[0] == '\0') {
		*exists = (len != 0); /* the last report is the current value */
	}
	return 0;
}

/* Follows include/zephyr/settings/settings.h (v4.4.1): settings_delete(name). A missing key
 * gives FG_ERR_NOT_FOUND (checked first with settings_load_subtree_direct). */
int fg_store_delete(const char *key)
{
	char name[FG_STORE_NAME_MAX];
	bool exists = false;
	int ret = full_name(key, name);

	if (ret != FG_OK) {
		return ret;
	}
	ret = settings_load_subtree_direct(name, exists_cb, &exists);
	if (ret != 0) {
		return fg_err_from_errno(ret);
	}
	if (!exists) {
		return FG_ERR_NOT_FOUND;
	}
	return fg_err_from_errno(settings_delete(name));
}

struct list_ctx {
	fg_store_visit_fn visit;
	void *ctx;
	int visited;
	bool stopped;
};

static int list_cb(const char *key, size_t len, settings_read_cb rd, void *cb_arg, void *param)
{
	struct list_ctx *lc = param;

	ARG_UNUSED(rd);
	ARG_UNUSED(cb_arg);
	if (lc->stopped || key == NULL || key[0] == '\0' || len == 0) {
		return 0;
	}
	lc->visited++;
	if (lc->visit(key, (uint32_t)len, lc->ctx) != 0) {
		lc->stopped = true;
		return 1; /* non-zero stops the subtree search (settings.h) */
	}
	return 0;
}

/* Follows include/zephyr/settings/settings.h (v4.4.1): settings_load_subtree_direct(). Backends
 * that keep history may report a key more than once; the caller keeps the last. */
int fg_store_list(fg_store_visit_fn visit, void *ctx)
{
	struct list_ctx lc = {.visit = visit, .ctx = ctx};
	int ret;

	if (visit == NULL) {
		return FG_ERR_INVALID;
	}
	ret = settings_load_subtree_direct(FG_STORE_PREFIX, list_cb, &lc);
	if (ret != 0 && !lc.stopped) {
		return fg_err_from_errno(ret);
	}
	return lc.visited;
}

#else /* !CONFIG_SETTINGS */

int fg_store_init(void)
{
	return FG_ERR_NOT_SUPPORTED;
}

int fg_store_read(const char *key, void *buf, uint32_t cap, uint32_t *len)
{
	ARG_UNUSED(key);
	ARG_UNUSED(buf);
	ARG_UNUSED(cap);
	ARG_UNUSED(len);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_store_write(const char *key, const void *buf, uint32_t len)
{
	ARG_UNUSED(key);
	ARG_UNUSED(buf);
	ARG_UNUSED(len);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_store_delete(const char *key)
{
	ARG_UNUSED(key);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_store_list(fg_store_visit_fn visit, void *ctx)
{
	ARG_UNUSED(visit);
	ARG_UNUSED(ctx);
	return FG_ERR_NOT_SUPPORTED;
}

#endif
