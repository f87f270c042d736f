/* netdev.c — parse /proc/net/dev. */
#include "metrics/netdev.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <string.h>

int parse_netdev(const char *buf, size_t len, struct netdev_stat **out, size_t *n,
		 struct vd_err *err)
{
	char *text = text_dup(buf, len), *cur = text, *line;
	struct netdev_stat *arr = NULL;
	size_t cnt = 0, cap = 0;
	*out = NULL;
	*n = 0;
	while ((line = text_next_line(&cur))) {
		/* Linux interface names cannot contain ':'. */
		char *colon = strchr(line, ':');
		uint64_t v[16];
		if (!colon || strchr(line, '|'))
			continue;
		*colon = '\0';
		char *name = text_rtrim(text_skip_ws(line));
		char *p = colon + 1;
		int i;
		for (i = 0; i < 16; i++)
			if (text_u64(&p, &v[i]) < 0)
				break;
		if (i < 16 || !*name)
			continue;
		if (strlen(name) >= NIC_NAME_MAX) {
			x_free(&arr);
			x_free(&text);
			return err_set(err, VD_EINVAL, "/proc/net/dev: interface name too long");
		}
		x_grow(&arr, &cap, cnt + 1, sizeof(*arr));
		struct netdev_stat *s = &arr[cnt++];
		memset(s, 0, sizeof(*s));
		text_copy(s->name, sizeof(s->name), name);
		s->rx_bytes = v[0];
		s->rx_packets = v[1];
		s->rx_errors = v[2];
		s->rx_dropped = v[3];
		s->tx_bytes = v[8];
		s->tx_packets = v[9];
		s->tx_errors = v[10];
		s->tx_dropped = v[11];
	}
	x_free(&text);
	*out = arr;
	*n = cnt;
	return 0;
}
