/* test_host_state.c — the one state machine of a host and the age of its
 * data (model/host_state.c): per-source answers and errors, a poll that
 * waits past the connect timeout, stale data, h.last_poll meaning a poll
 * every source answered. */
#include "check.h"

#include "core/xalloc.h"
#include "metrics/host_metrics.h"
#include "model/cluster.h"

/* One full poll at monotonic time t: which sources answered. */
static void poll(struct cluster *c, struct host *h, double t, int libvirt_ok, int shell_ok)
{
	struct host_snapshot s;
	memset(&s, 0, sizeof s);
	s.t = t;
	s.shell_used = 1;
	s.libvirt_ok = libvirt_ok;
	if (!libvirt_ok)
		s.libvirt_error = x_strdup("libvirt: connection refused");
	s.shell_ok = shell_ok;
	if (shell_ok)
		s.metrics = x_calloc(1, sizeof *s.metrics);
	else
		s.shell_error = x_strdup("ssh: connection refused");
	s.answered[HOST_SRC_LIBVIRT] = t + 0.1;
	s.answered[HOST_SRC_SHELL] = t + 0.2;
	host_apply_snapshot(c, h, &s, 1000.0 + t);
	host_snapshot_free(&s);
}

static void waits(struct cluster *c, struct host *h, double libvirt, double shell, double now)
{
	double w[HOST_NSRC] = { [HOST_SRC_LIBVIRT] = libvirt, [HOST_SRC_SHELL] = shell };
	host_note_waits(c, h, w, now);
}

int main(void)
{
	struct inventory inv;
	memset(&inv, 0, sizeof inv);
	struct host_config *hc = inventory_add(&inv);
	hc->name = x_strdup("hv");
	hc->transport = HT_SSH;
	hc->interval_ms = 1000;
	struct cluster c;
	cluster_init(&c, &inv);
	c.connect_timeout_s = 3;
	struct host *h = &c.hosts[0];

	/* Nothing heard yet: connecting, no ages, nothing stale. */
	CHECK_INT(h->state, HOST_CONNECTING);
	CHECK(host_source_age(h, HOST_SRC_SHELL, 5) < 0);
	CHECK(!host_data_stale(&c, h, 100));

	/* Both answer: up; each source's age runs from its own answer. */
	poll(&c, h, 10, 1, 1);
	CHECK_INT(h->state, HOST_UP);
	CHECK(host_source_age(h, HOST_SRC_LIBVIRT, 11) > 0.89 && host_source_age(h, HOST_SRC_LIBVIRT, 11) < 0.91);
	CHECK(host_source_age(h, HOST_SRC_SHELL, 11) > 0.79 && host_source_age(h, HOST_SRC_SHELL, 11) < 0.81);
	CHECK(h->last_full_wall > 1009.9 && h->last_full_wall < 1010.1);

	/* SSH gone, libvirt answering: degraded at once; the host's files
	 * keep their age, and h.last_poll stays at the last poll both answered. */
	poll(&c, h, 11, 1, 0);
	poll(&c, h, 12, 1, 0);
	CHECK_INT(h->state, HOST_DEGRADED);
	CHECK(h->last_full_wall < 1010.1);
	CHECK(host_source_age(h, HOST_SRC_SHELL, 12.5) > 2.2);
	CHECK(host_source_age(h, HOST_SRC_LIBVIRT, 12.5) < 0.5);
	/* Stale once older than the connect timeout, as the source fails. */
	CHECK(!host_source_stale(&c, h, HOST_SRC_SHELL, 13.1));          /* 2.9 s old */
	CHECK(host_source_stale(&c, h, HOST_SRC_SHELL, 13.3));           /* 3.1 s old */
	CHECK(!host_source_stale(&c, h, HOST_SRC_LIBVIRT, 13.3));
	CHECK(host_data_stale(&c, h, 13.3));
	CHECK(host_data_age(h, 13.3) > 3.0);                             /* the oldest source */

	/* SSH back: up, fresh. */
	poll(&c, h, 14, 1, 1);
	CHECK_INT(h->state, HOST_UP);
	CHECK(!host_data_stale(&c, h, 14.5));
	CHECK(h->last_full_wall > 1013.9);

	/* A source that answers is not stale for being old when its interval
	 * is long; past interval + timeout it is, whatever the reason. */
	CHECK(!host_source_stale(&c, h, HOST_SRC_SHELL, 14.2 + 3.5));    /* 3.5 s, answering */
	CHECK(host_source_stale(&c, h, HOST_SRC_SHELL, 14.2 + 4.5));     /* > 1 s + 3 s */

	/* A frozen libvirtd: the poll started at 20 waits inside libvirt, so
	 * neither source has answered it.  Not overdue within the timeout... */
	waits(&c, h, 20, 20, 22.9);
	CHECK_INT(h->state, HOST_UP);
	CHECK(h->libvirt_error == NULL);
	/* ...down after it, naming the timeout; the event log says so. */
	unsigned gen = h->generation;
	waits(&c, h, 20, 20, 23.1);
	CHECK_INT(h->state, HOST_DOWN);
	CHECK_STR(h->libvirt_error, "no answer within 3 s");
	CHECK_STR(h->shell_error, "no answer within 3 s");
	CHECK(h->generation != gen);
	CHECK(host_source_stale(&c, h, HOST_SRC_LIBVIRT, 23.1));
	const struct event *ev = eventlog_get(&c.events, c.events.n - 1);
	CHECK(ev && strstr(ev->text, "up -> down"));
	/* The same wait is marked once (the views do not redraw for nothing). */
	gen = h->generation;
	waits(&c, h, 20, 20, 24);
	CHECK(h->generation == gen);
	/* Libvirt's answer comes (SIGCONT): up again. */
	poll(&c, h, 25, 1, 1);
	CHECK_INT(h->state, HOST_UP);
	CHECK(h->libvirt_error == NULL && h->shell_error == NULL);

	/* Only the shell half hangs (libvirt answered this poll): degraded. */
	waits(&c, h, 0, 30, 33.5);
	CHECK_INT(h->state, HOST_DEGRADED);
	CHECK(h->libvirt_error == NULL);

	/* A host that never answers within the timeout is down, not connecting. */
	struct host_config *hc2 = inventory_add(&inv);
	hc2->name = x_strdup("silent");
	hc2->transport = HT_NONE;
	cluster_free(&c);
	cluster_init(&c, &inv);
	c.connect_timeout_s = 3;
	struct host *s2 = &c.hosts[1];
	waits(&c, s2, 1, 1, 3.5);
	CHECK_INT(s2->state, HOST_CONNECTING);
	waits(&c, s2, 1, 1, 4.5);
	CHECK_INT(s2->state, HOST_DOWN);
	CHECK(s2->shell_error == NULL);          /* transport none: no shell to blame */
	CHECK(host_domains_settled(s2));

	cluster_free(&c);
	inventory_free(&inv);
	return check_summary();
}
