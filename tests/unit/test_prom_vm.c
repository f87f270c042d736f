/* test_prom_vm.c — a libvirt exporter's series into per-VM figures
 * (metrics/prom_vm.c): the query of a libvirt batch byte for byte,
 * routing to hosts, per-device counters summed, and rates between two
 * polls, on an answer modelled on prometheus-libvirt-exporter 0.2.0's
 * output for test:///default (tests/fixtures/prometheus/vms.json). */
#include "check.h"

#include "core/err.h"
#include "metrics/prom.h"

#include <math.h>

static struct prom_batch *libvirt_batch(void)
{
	struct prom_batch *b = prom_batch_new();
	struct vd_err err;
	err_clear(&err);
	struct prom_label a[] = { { "instance", "10.0.0.7:9177" } };
	struct prom_label c[] = { { "instance", "10.0.0.8:9177" } };
	CHECK_INT(prom_batch_add(b, a, 1, &err), 0);
	CHECK_INT(prom_batch_add(b, c, 1, &err), 1);
	return b;
}

static void test_query(void)
{
	struct prom_batch *b = libvirt_batch();
	char *q = prom_query_vms(b);
	CHECK_STR(q, "max by (__name__,domain,target_device,instance) ({__name__=~\"libvirt_domain_state_code"
		     "|libvirt_domain_info_(virtual_cpus|memory_usage_bytes|maximum_memory_bytes|cpu_time_seconds_total)"
		     "|libvirt_domain_block_stats_(read|write)_bytes_total"
		     "|libvirt_domain_interface_stats_(receive|transmit)_bytes_total\","
		     "instance=~\"10\\\\.0\\\\.0\\\\.7:9177|10\\\\.0\\\\.0\\\\.8:9177\"})");
	free(q);
	prom_batch_free(&b);
}

/* One poll of the fixture, split per host as conn/prom_source.c does. */
static void poll_fixture(struct prom_vms vs[2], double t)
{
	size_t len = 0;
	char *s = check_slurp("tests/fixtures/prometheus/vms.json", &len);
	CHECK(s != NULL);
	struct prom_vector v = { 0 };
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(s ? prom_vector_parse(s, len, &v, &err) : -1, 0);
	struct prom_batch *b = libvirt_batch();
	prom_vms_init(&vs[0], t);
	prom_vms_init(&vs[1], t);
	size_t unrouted = 0;
	for (size_t i = 0; i < v.n; i++) {
		long h = prom_batch_route(b, &v.samples[i]);
		if (h < 0)
			unrouted++;
		else
			prom_vms_add(&vs[h], &v.samples[i]);
	}
	CHECK_INT(unrouted, 1);   /* 10.0.0.9's domain belongs to no host */
	prom_vms_finish(&vs[0]);
	prom_vms_finish(&vs[1]);
	prom_batch_free(&b);
	prom_vector_free(&v);
	free(s);
}

static void test_mapping(void)
{
	struct prom_vms vs[2];
	poll_fixture(vs, 100.0);
	CHECK_INT(vs[0].n, 1);
	CHECK_INT(vs[1].n, 1);
	CHECK(prom_vms_find(&vs[0], "db1") == NULL);
	const struct prom_vm *t = prom_vms_find(&vs[0], "test");
	CHECK(t != NULL);
	if (t) {
		CHECK_INT(t->state, 1);
		CHECK_INT(t->vcpus, 2);
		CHECK(t->mem_bytes == 2147483648ULL);
		CHECK(t->max_mem_bytes == 8589934592ULL);
		CHECK(fabs(t->cpu_seconds - 1796616323.920607) < 1e-3);
		CHECK(t->rd_bytes == 89830816196032ULL + 1000);   /* vda + vdb */
		CHECK(t->wr_bytes == 44915408098016ULL);
		CHECK(t->rx_bytes == 179661632392073ULL);
		CHECK(t->tx_bytes == 89830816196036ULL);
	}
	const struct prom_vm *d = prom_vms_find(&vs[1], "db1");
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->state, 5);   /* VIR_DOMAIN_SHUTOFF */
		CHECK_INT(d->vcpus, 4);
		CHECK(d->rd_bytes == 0 && d->rx_bytes == 0);
	}
	prom_vms_free(&vs[0]);
	prom_vms_free(&vs[1]);
}

static void test_rates(void)
{
	struct prom_vm prev = { .name = "x", .cpu_seconds = 10.0, .rd_bytes = 1000, .wr_bytes = 500,
				.rx_bytes = 100, .tx_bytes = 900, .seen_t = 50.0 };
	struct prom_vm cur = { .name = "x", .cpu_seconds = 13.0, .rd_bytes = 3000, .wr_bytes = 500,
			       .rx_bytes = 300, .tx_bytes = 100, .seen_t = 52.0 };
	prom_vm_rates(&prev, &cur);
	CHECK(fabs(cur.cpu_util - 150.0) < 1e-9);   /* 1.5 CPUs busy */
	CHECK(fabs(cur.rd_bps - 1000.0) < 1e-9);
	CHECK(cur.wr_bps == 0);
	CHECK(fabs(cur.rx_bps - 800.0) < 1e-9);     /* bits/s, as libvirt's path gives */
	CHECK(cur.tx_bps == 0);                     /* counter went back: no rate */
	/* A poll between two scrapes: same counters, the same rates, and the
	 * next change measured from when these counters were first seen. */
	struct prom_vm again = cur;
	again.seen_t = 52.5;
	again.cpu_util = again.rd_bps = 0;
	prom_vm_rates(&cur, &again);
	CHECK(fabs(again.cpu_util - 150.0) < 1e-9 && fabs(again.rd_bps - 1000.0) < 1e-9);
	CHECK(again.seen_t == 52.0);
	struct prom_vm next = again;
	next.cpu_seconds = 14.0;
	next.seen_t = 53.0;
	prom_vm_rates(&again, &next);
	CHECK(fabs(next.cpu_util - 100.0) < 1e-9);   /* 1 s of CPU over 53 - 52 */
	struct prom_vm unknown = { .name = "x", .cpu_seconds = -1, .seen_t = 1.0 };
	struct prom_vm later = { .name = "x", .cpu_seconds = 5, .seen_t = 2.0 };
	prom_vm_rates(&unknown, &later);
	CHECK(later.cpu_util == 0);
}

int main(void)
{
	test_query();
	test_mapping();
	test_rates();
	return check_summary();
}
