/* procstat.c — parse the cpu lines of /proc/stat. */
#include "metrics/procstat.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/cpulist.h"
#include "metrics/text.h"

#include <stdlib.h>
#include <string.h>

uint64_t cpu_jiffies_idle(const struct cpu_jiffies *c)
{
	return c->idle + c->iowait;
}

uint64_t cpu_jiffies_total(const struct cpu_jiffies *c)
{
	return c->user + c->nice + c->system + c->idle + c->iowait + c->irq + c->softirq + c->steal;
}

static int by_cpu(const void *a, const void *b)
{
	const struct cpu_jiffies *x = a, *y = b;
	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

/* Values above 2^56 are hostile (centuries of jiffies) and would let the
 * sums above overflow: such a line is rejected. */
#define JIFFIES_MAX (UINT64_C(1) << 56)

int parse_proc_stat(const char *buf, size_t len, struct cpu_jiffies *total,
		    struct cpu_jiffies **cpus, size_t *n, struct vd_err *err)
{
	char *text = text_dup(buf, len), *cur = text, *line;
	struct cpu_jiffies *arr = NULL;
	size_t cnt = 0, cap = 0;
	int has_total = 0;
	memset(total, 0, sizeof(*total));
	total->cpu = -1;
	total->util = -1;
	while ((line = text_next_line(&cur))) {
		struct cpu_jiffies c;
		uint64_t id = 0, v[10] = { 0 };
		char *p = line;
		int k, ok = 1;
		if (!text_prefix(p, "cpu"))
			continue;
		p += 3;
		memset(&c, 0, sizeof(c));
		c.cpu = -1;
		c.util = -1;
		if (*p >= '0' && *p <= '9') {
			/* the same bound as CPU lists: a node's CPUs come from either */
			if (text_u64(&p, &id) < 0 || id > CPULIST_MAX_CPU)
				continue;
			c.cpu = (int)id;
		}
		if (*p != ' ' && *p != '\t')
			continue;
		for (k = 0; k < 10; k++) {
			if (text_u64(&p, &v[k]) < 0)
				break;
			if (v[k] > JIFFIES_MAX)
				ok = 0;
		}
		if (k < 4 || !ok)
			continue;
		c.user = v[0]; c.nice = v[1]; c.system = v[2]; c.idle = v[3];
		c.iowait = v[4]; c.irq = v[5]; c.softirq = v[6]; c.steal = v[7];
		c.guest = v[8]; c.guest_nice = v[9];
		if (c.cpu < 0) {
			*total = c;
			has_total = 1;
		} else {
			x_grow(&arr, &cap, cnt + 1, sizeof(*arr));
			arr[cnt++] = c;
		}
	}
	x_free(&text);
	if (!has_total) {
		x_free(&arr);
		*cpus = NULL;
		*n = 0;
		return err_set(err, VD_EINVAL, "/proc/stat without a cpu line");
	}
	if (cnt)
		qsort(arr, cnt, sizeof(*arr), by_cpu);
	/* drop duplicate CPU numbers (hostile input), keeping one of each */
	size_t w = 0;
	for (size_t i = 0; i < cnt; i++)
		if (!w || arr[w - 1].cpu != arr[i].cpu)
			arr[w++] = arr[i];
	if (w && w < cap)   /* kept for a poll interval, per host: no doubling slack */
		arr = x_realloc(arr, w * sizeof *arr);
	*cpus = arr;
	*n = w;
	return 0;
}
