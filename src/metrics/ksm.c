/* ksm.c — parse the single-number files of /sys/kernel/mm/ksm. */
#include "metrics/ksm.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <string.h>

static const struct { const char *name; size_t off; } files[] = {
	{ "run", offsetof(struct ksm, run) },
	{ "pages_shared", offsetof(struct ksm, pages_shared) },
	{ "pages_sharing", offsetof(struct ksm, pages_sharing) },
	{ "pages_unshared", offsetof(struct ksm, pages_unshared) },
	{ "pages_volatile", offsetof(struct ksm, pages_volatile) },
	{ "pages_to_scan", offsetof(struct ksm, pages_to_scan) },
	{ "full_scans", offsetof(struct ksm, full_scans) },
	{ "sleep_millisecs", offsetof(struct ksm, sleep_millisecs) },
	{ "merge_across_nodes", offsetof(struct ksm, merge_across_nodes) },
};

#define NFILES (sizeof(files) / sizeof(files[0]))

const char *ksm_file_name(size_t i)
{
	return i < NFILES ? files[i].name : i == NFILES ? "general_profit" : NULL;
}

int parse_ksm_file(const char *name, const char *buf, size_t len, struct ksm *out,
		   struct vd_err *err)
{
	char *text = text_dup(buf, len);
	int rc = 0;
	if (strcmp(name, "general_profit") == 0) {
		char *p = text;
		int64_t v;
		if (text_i64(&p, &v) < 0 || *text_skip_ws(text_rtrim(p)))
			rc = err_set(err, VD_EINVAL, "ksm %s: not a number", name);
		else {
			out->general_profit = v;
			out->has_general_profit = 1;
			out->present = 1;
		}
		goto out;
	}
	for (size_t i = 0; i < NFILES; i++) {
		uint64_t v;
		if (strcmp(name, files[i].name) != 0)
			continue;
		if (text_u64_full(text, &v) < 0) {
			rc = err_set(err, VD_EINVAL, "ksm %s: not a number", name);
			goto out;
		}
		*(uint64_t *)((char *)out + files[i].off) = v;
		if (strcmp(name, "merge_across_nodes") == 0)
			out->has_merge_across_nodes = 1;
		out->present = 1;
	}
out:
	x_free(&text);
	return rc;
}

void ksm_finish(struct ksm *k, uint64_t page_size)
{
	k->saved = text_mul_sat(k->pages_sharing, page_size ? page_size : 4096);
}
