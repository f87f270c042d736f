/* test_model.c — applying worker snapshots: full lists, statistics-only
 * updates with rates, and the one-domain re-read after an operation. */
#include "check.h"

#include "core/xalloc.h"
#include "model/cluster.h"

static struct domain dom(const char *name, const char *uuid, unsigned vcpus)
{
	struct domain d;
	memset(&d, 0, sizeof d);
	snprintf(d.info.name, sizeof d.info.name, "%s", name);
	snprintf(d.info.uuid, sizeof d.info.uuid, "%s", uuid);
	d.info.vcpus = vcpus;
	d.state = DOM_RUNNING;
	return d;
}

static void apply_list(struct cluster *c, struct domain *doms, size_t n, double t)
{
	struct host_snapshot s;
	memset(&s, 0, sizeof s);
	s.libvirt_ok = 1;
	s.t = t;
	s.doms = x_calloc(n, sizeof *s.doms);
	memcpy(s.doms, doms, n * sizeof *doms);
	s.ndoms = n;
	host_apply_snapshot(c, &c->hosts[0], &s, t);
	host_snapshot_free(&s);
}

int main(void)
{
	struct inventory inv;
	memset(&inv, 0, sizeof inv);
	struct host_config *hc = inventory_add(&inv);
	hc->name = x_strdup("hv");
	hc->transport = HT_NONE;
	struct cluster c;
	cluster_init(&c, &inv);
	struct host *h = &c.hosts[0];

	struct domain two[2] = { dom("a", "u-a", 2), dom("b", "u-b", 4) };
	two[0].stats = (struct dom_stats){ .valid = 1, .cpu_time_ns = 1000000000ULL, .rx_bytes = 1000, .t = 1.0 };
	apply_list(&c, two, 2, 1.0);
	CHECK_INT(h->ndoms, 2);
	CHECK_INT(h->state, HOST_UP);
	CHECK_INT(h->polls, 1);

	/* Statistics only: same domains, new counters → rates. */
	struct host_snapshot s;
	memset(&s, 0, sizeof s);
	s.libvirt_ok = 1;
	s.t = 3.0;
	s.doms_same = 1;
	s.ndoms = 2;
	s.stats = x_calloc(2, sizeof *s.stats);
	s.stats[0] = (struct dom_stats){ .valid = 1, .cpu_time_ns = 2000000000ULL, .rx_bytes = 3000, .t = 3.0 };
	host_apply_snapshot(&c, h, &s, 3.0);
	host_snapshot_free(&s);
	CHECK_INT(h->ndoms, 2);
	CHECK(h->doms[0].stats.cpu_util > 49.9 && h->doms[0].stats.cpu_util < 50.1);   /* 1 s of CPU in 2 s */
	CHECK(h->doms[0].stats.rx_bps > 7999 && h->doms[0].stats.rx_bps < 8001);       /* 2000 B in 2 s = 8000 b/s */
	CHECK_STR(h->doms[1].info.name, "b");

	/* One domain re-read after an operation: replaced in place, statistics kept. */
	unsigned polls = h->polls, gen = h->generation;
	memset(&s, 0, sizeof s);
	s.libvirt_ok = 1;
	s.dom_update = 1;
	s.shell_skipped = 1;
	s.doms = x_calloc(1, sizeof *s.doms);
	s.doms[0] = dom("a", "u-a", 8);
	s.ndoms = 1;
	host_apply_snapshot(&c, h, &s, 4.0);
	host_snapshot_free(&s);
	CHECK_INT(h->ndoms, 2);
	CHECK_INT(h->doms[0].info.vcpus, 8);
	CHECK(h->doms[0].stats.cpu_util > 49.9);
	CHECK_INT(h->polls, polls);          /* not a poll */
	CHECK(h->generation != gen);         /* but the views redraw */

	/* A re-read of a domain the model did not have yet appends it. */
	memset(&s, 0, sizeof s);
	s.libvirt_ok = 1;
	s.dom_update = 1;
	s.doms = x_calloc(1, sizeof *s.doms);
	s.doms[0] = dom("c", "u-c", 1);
	s.ndoms = 1;
	host_apply_snapshot(&c, h, &s, 5.0);
	host_snapshot_free(&s);
	CHECK_INT(h->ndoms, 3);
	CHECK(host_find_domain_name(h, "c") != NULL);

	cluster_free(&c);
	inventory_free(&inv);
	return check_summary();
}
