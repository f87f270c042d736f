/* host_state.c — the one state machine of a host, and the age of its data.
 *
 * A host has two sources: libvirt, and its own files read over its shell
 * transport (none when transport = "none").  A source answers when its
 * last read succeeded; it stops answering when a read fails or when a
 * poll has waited on it for longer than the connect timeout (the worker
 * may be stuck inside a call to a frozen daemon: the loop thread notices,
 * host_note_waits).  The host is up when every source it uses answers,
 * degraded when one does, down when none does.  The console, --check and
 * Lua all read this one state. */
#include "model/cluster.h"
#include "core/xalloc.h"

#include <stdlib.h>

static void replace_str(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

int host_source_used(const struct host *h, enum host_source s)
{
	return s == HOST_SRC_LIBVIRT || (s == HOST_SRC_SHELL && (h->cfg->transport != HT_NONE ||
								  h->cfg->metrics.source == MS_PROMETHEUS));
}

const char *host_source_name(enum host_source s)
{
	return s == HOST_SRC_LIBVIRT ? "libvirt" : "shell";
}

static char **error_slot(struct host *h, enum host_source s)
{
	return s == HOST_SRC_LIBVIRT ? &h->libvirt_error : &h->shell_error;
}

const char *host_source_error(const struct host *h, enum host_source s)
{
	return s == HOST_SRC_LIBVIRT ? h->libvirt_error : h->shell_error;
}

static unsigned answers(const struct host *h, enum host_source s)
{
	return s == HOST_SRC_LIBVIRT ? h->libvirt_polls : h->shell_polls;
}

double host_source_age(const struct host *h, enum host_source s, double now)
{
	if (!host_source_used(h, s) || !answers(h, s))
		return -1;
	double age = now - h->answered_mono[s];
	return age > 0 ? age : 0;
}

static double interval_s(const struct host *h)
{
	return (h->cfg->interval_ms > 0 ? h->cfg->interval_ms : 2000) / 1000.0;
}

int host_source_stale(const struct cluster *c, const struct host *h, enum host_source s, double now)
{
	double age = host_source_age(h, s, now);
	if (age <= c->connect_timeout_s)   /* also: never answered (unknown, not stale) */
		return 0;
	return host_source_error(h, s) || age > interval_s(h) + c->connect_timeout_s;
}

int host_data_stale(const struct cluster *c, const struct host *h, double now)
{
	for (int s = 0; s < HOST_NSRC; s++)
		if (host_source_stale(c, h, (enum host_source)s, now))
			return 1;
	return 0;
}

double host_data_age(const struct host *h, double now)
{
	double oldest = -1;
	for (int s = 0; s < HOST_NSRC; s++) {
		double age = host_source_age(h, (enum host_source)s, now);
		if (age > oldest)
			oldest = age;
	}
	return oldest;
}

/* The one rule for a host's state: up when every source it uses answers,
 * degraded when one does, down when none does and one failed or went
 * silent; connecting before anything was heard. */
static enum host_state state_of(const struct host *h)
{
	int used = 0, up = 0, failed = 0;
	for (int i = 0; i < HOST_NSRC; i++) {
		enum host_source s = (enum host_source)i;
		if (!host_source_used(h, s))
			continue;
		used++;
		if (host_source_error(h, s))
			failed++;
		else if (answers(h, s))
			up++;
	}
	if (up == used)
		return HOST_UP;
	if (up)
		return HOST_DEGRADED;
	return failed ? HOST_DOWN : HOST_CONNECTING;
}

void host_update_state(struct cluster *c, struct host *h)
{
	enum host_state next = state_of(h);
	if (h->state == next)
		return;
	enum event_kind kind = next == HOST_UP ? EV_INFO : next == HOST_DOWN ? EV_ALERT : EV_WARN;
	eventlog_add(&c->events, kind, h->cfg->name, "host %s -> %s", host_state_name(h->state),
		     host_state_name(next));
	h->state = next;
}

static double answer_time(const struct host_snapshot *s, enum host_source src)
{
	return s->answered[src] > 0 ? s->answered[src] : s->t;
}

/* Each source's result in this poll: its error (or none), when it last
 * answered.  A libvirt-only poll (shell_skipped) leaves the shell as it was. */
void host_note_answers(struct host *h, struct host_snapshot *s, double wall)
{
	replace_str(&h->libvirt_error, s->libvirt_error);
	if (!s->shell_skipped)
		replace_str(&h->shell_error, s->shell_error);
	else
		free(s->shell_error);
	s->libvirt_error = s->shell_error = NULL;
	if (s->libvirt_ok) {
		h->libvirt_polls++;
		h->answered_mono[HOST_SRC_LIBVIRT] = answer_time(s, HOST_SRC_LIBVIRT);
	}
	int shell_ok = !s->shell_skipped && s->shell_ok;
	if (shell_ok) {
		h->shell_polls++;
		h->answered_mono[HOST_SRC_SHELL] = answer_time(s, HOST_SRC_SHELL);
	}
	if (s->libvirt_ok && (shell_ok || !host_source_used(h, HOST_SRC_SHELL)))
		h->last_full_wall = wall;
}

void host_note_waits(struct cluster *c, struct host *h, const double waiting[HOST_NSRC], double now)
{
	int marked = 0;
	for (int i = 0; i < HOST_NSRC; i++) {
		enum host_source s = (enum host_source)i;
		if (!host_source_used(h, s) || waiting[s] <= 0 || waiting[s] == h->overdue_wait[s] ||
		    now - waiting[s] <= c->connect_timeout_s)
			continue;
		h->overdue_wait[s] = waiting[s];   /* once per wait: the answer, when it comes, replaces it */
		replace_str(error_slot(h, s), x_asprintf("no answer within %g s", c->connect_timeout_s));
		marked = 1;
	}
	if (!marked)
		return;
	host_update_state(c, h);
	h->generation++;
	c->generation++;
}
