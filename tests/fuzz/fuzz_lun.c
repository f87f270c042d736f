/* fuzz_lun.c — libFuzzer target: LUN link lines, /sys/block files and SAN
 * pool volume XML on arbitrary bytes.  Invariants: LUN counts bounded by
 * the input, strings terminated, a merge keeps every LUN of its target, a
 * normalised WWN is lower-case hex and normalises to itself, and time per
 * byte is bounded. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/lun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char pool[] = "<pool type='iscsi'><name>p</name><source><host name='h'/>"
			   "<device path='iqn.x'/></source></pool>";

static void check_list(const struct lun_list *l, size_t most)
{
	FUZZ_ASSERT(l->n <= most);
	for (size_t i = 0; i < l->n; i++)
		FUZZ_ASSERT(FUZZ_TERMINATED(l->v[i].dev) && FUZZ_TERMINATED(l->v[i].path) &&
			    FUZZ_TERMINATED(l->v[i].wwn) && FUZZ_TERMINATED(l->v[i].iqn));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_err e;
	struct lun_list a = { 0 }, b = { 0 };
	const char *s = (const char *)data;
	err_clear(&e);
	double t0 = fuzz_clock_start();
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
	fuzz_clock_check(t0, size, "LUN parsers");
	/* a device needs at least a line of a few bytes */
	check_list(&a, size / 2 + 1);
	check_list(&b, size / 2 + 2);
	size_t before = a.n;
	lun_list_merge(&a, &b);
	FUZZ_ASSERT(a.n >= before && a.n <= before + b.n);
	check_list(&a, size + 4);
	char w[80], w2[80];
	if (size < 100) {
		char t[100];
		memcpy(t, s, size);
		t[size] = '\0';
		lun_wwn_normalise(t, w, sizeof w);
		if (w[0]) {
			for (const char *p = w; *p; p++)
				FUZZ_ASSERT(isxdigit((unsigned char)*p) && !isupper((unsigned char)*p));
			lun_wwn_normalise(w, w2, sizeof w2);
			FUZZ_ASSERT(!strcmp(w, w2));
		}
		lun_find(&a, t);
	}
	lun_list_free(&a);
	lun_list_free(&b);
	return 0;
}
