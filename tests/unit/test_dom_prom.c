/* test_dom_prom.c — which per-VM figures win (model/dom_prom.h): libvirt's
 * live statistics are kept; the exporter's fill only domains libvirt gave
 * none for, with rates from the previous poll, and survive a libvirt
 * sample without statistics. */
#include "check.h"

#include "model/dom_prom.h"

#include <math.h>

static struct prom_vms *poll_vms(double t, double cpu, uint64_t rd)
{
	struct prom_vms *vs = calloc(1, sizeof *vs);
	prom_vms_init(vs, t);
	const char *names[] = { "a", "b" };
	for (size_t i = 0; i < 2; i++) {
		struct prom_label l[2] = { { "__name__", "libvirt_domain_info_cpu_time_seconds_total" },
					   { "domain", (char *)names[i] } };
		struct prom_sample s = { .labels = l, .nlabels = 2, .value = cpu };
		prom_vms_add(vs, &s);
		l[0].value = "libvirt_domain_block_stats_read_bytes_total";
		s.value = (double)rd;
		prom_vms_add(vs, &s);
		l[0].value = "libvirt_domain_info_memory_usage_bytes";
		s.value = 1024;
		prom_vms_add(vs, &s);
	}
	prom_vms_finish(vs);
	return vs;
}

int main(void)
{
	struct domain doms[2];
	memset(doms, 0, sizeof doms);
	snprintf(doms[0].info.name, sizeof doms[0].info.name, "a");
	snprintf(doms[1].info.name, sizeof doms[1].info.name, "b");
	doms[0].stats = (struct dom_stats){ .valid = 1, .cpu_time_ns = 7, .balloon_current = 4096 };
	struct host h;
	memset(&h, 0, sizeof h);
	h.doms = doms;
	h.ndoms = 2;
	struct prom_vms *vs = poll_vms(10.0, 100.0, 1000);
	dom_prom_apply(&h, &vs);
	CHECK(vs == NULL && h.vms != NULL);
	CHECK(doms[0].stats.from_prometheus == 0 && doms[0].stats.balloon_current == 4096);   /* libvirt wins */
	CHECK(doms[1].stats.valid && doms[1].stats.from_prometheus);
	CHECK(doms[1].stats.balloon_current == 1024 && doms[1].stats.rd_bytes == 1000);
	CHECK(doms[1].stats.cpu_time_ns == 100000000000ULL);
	vs = poll_vms(12.0, 101.0, 3000);
	dom_prom_apply(&h, &vs);
	CHECK(fabs(doms[1].stats.cpu_util - 50.0) < 1e-9);
	CHECK(fabs(doms[1].stats.rd_bps - 1000.0) < 1e-9);
	/* The next libvirt sample has no statistics: the exporter's stay. */
	struct dom_stats none = { 0 };
	dom_prom_keep(&doms[1].stats, &none);
	CHECK(none.from_prometheus && none.rd_bytes == 3000);
	struct dom_stats live = { .valid = 1, .rd_bytes = 5 };
	dom_prom_keep(&doms[1].stats, &live);
	CHECK(!live.from_prometheus && live.rd_bytes == 5);
	dom_prom_free(&h.vms);
	CHECK(h.vms == NULL);
	return check_summary();
}
