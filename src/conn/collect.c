/* collect.c — placeholder until the transports land: no shell metrics. */
#include "conn/collect.h"
#include "core/xalloc.h"

struct collector {
	const struct host_config *cfg;
};

struct collector *collector_new(const struct host_config *cfg, int accept_new_hostkeys, int connect_timeout_ms)
{
	(void)accept_new_hostkeys;
	(void)connect_timeout_ms;
	struct collector *col = x_calloc(1, sizeof *col);
	col->cfg = cfg;
	return col;
}

void collector_poll(struct collector *col, struct host_snapshot *s)
{
	(void)col;
	s->shell_used = 0;
}

struct transport *collector_transport(struct collector *col, struct vd_err *err)
{
	(void)col;
	err_set(err, VD_EUNSUPPORTED, "no shell transport yet");
	return NULL;
}

void collector_free(struct collector **col)
{
	x_free(col);
}
