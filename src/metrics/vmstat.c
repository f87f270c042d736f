/* vmstat.c — parse /proc/vmstat ("pswpin 1234" lines). */
#include "metrics/vmstat.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <string.h>

int parse_vmstat(const char *buf, size_t len, struct vmstat *out, struct vd_err *err)
{
	char *text = text_dup(buf, len), *cur = text, *line;
	int seen_in = 0, seen_out = 0;
	memset(out, 0, sizeof(*out));
	while ((line = text_next_line(&cur))) {
		char *sp = strchr(line, ' ');
		uint64_t v;
		if (!sp)
			continue;
		*sp = '\0';
		char *p = sp + 1;
		if (text_u64(&p, &v) < 0)
			continue;
		if (strcmp(line, "pswpin") == 0) {
			out->pswpin = v;
			seen_in = 1;
		} else if (strcmp(line, "pswpout") == 0) {
			out->pswpout = v;
			seen_out = 1;
		} else if (strcmp(line, "pgmajfault") == 0) {
			out->pgmajfault = v;
		}
	}
	x_free(&text);
	out->has_swap = seen_in && seen_out;
	if (!out->has_swap)
		return err_set(err, VD_EINVAL, "vmstat without pswpin/pswpout");
	return 0;
}
