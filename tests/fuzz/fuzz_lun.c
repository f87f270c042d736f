/* fuzz_lun.c — libFuzzer target: LUN link lines, /sys/block files and SAN
 * pool volume XML on arbitrary bytes must not crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "metrics/lun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char pool[] = "<pool type='iscsi'><name>p</name><source><host name='h'/>"
			   "<device path='iqn.x'/></source></pool>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_err e;
	struct lun_list a = { 0 }, b = { 0 };
	const char *s = (const char *)data;
	err_clear(&e);
	lun_parse_links(&a, s, size, &e);
	const char *nl = memchr(s, '\n', size);
	if (nl && (size_t)(nl - s) < 200) {
		char rel[201];
		memcpy(rel, s, (size_t)(nl - s));
		rel[nl - s] = '\0';
		lun_sysfs_file(&a, rel, nl + 1, size - (size_t)(nl - s) - 1, &e);
	}
	lun_list_finish(&a);
	lun_pool_volume_add(&b, pool, sizeof pool - 1, s, size, &e);
	lun_pool_volume_add(&b, s, size, s, size, &e);
	lun_list_merge(&a, &b);
	char w[80];
	if (size < 100) {
		char t[100];
		memcpy(t, s, size);
		t[size] = '\0';
		lun_wwn_normalise(t, w, sizeof w);
		lun_find(&a, t);
	}
	lun_list_free(&a);
	lun_list_free(&b);
	return 0;
}
