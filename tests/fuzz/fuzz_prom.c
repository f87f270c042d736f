/* fuzz_prom.c — libFuzzer target: a Prometheus answer on arbitrary bytes,
 * parsed (prom_vector_parse), routed to a batch of two hosts and mapped
 * into their host models (prom_host_add, prom_host_finish), then alerts.
 * Invariants: series routed never exceed the series parsed; NICs and
 * bonds stay under HOST_MAX_NICS and sorted (the look-ups find each);
 * NUMA nodes sorted and below NUMA_MAX_NODES; strings terminated; the
 * time per input byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/prom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_err e;
	err_clear(&e);
	struct prom_vector v;
	double t0 = fuzz_clock_start();
	if (prom_vector_parse((const char *)data, size, &v, &e) < 0) {
		FUZZ_ASSERT(e.msg[0]);
		return 0;
	}
	struct prom_batch *b = prom_batch_new();
	struct prom_label h0[] = { { "instance", "10.0.0.7:9100" }, { "job", "node" } };
	struct prom_label h1[] = { { "instance", "10.0.0.8:9100" }, { "job", "node" } };
	FUZZ_ASSERT(prom_batch_add(b, h0, 2, &e) == 0);
	FUZZ_ASSERT(prom_batch_add(b, h1, 2, &e) == 1);
	struct prom_host hosts[2];
	prom_host_init(&hosts[0], 1);
	prom_host_init(&hosts[1], 1);
	for (size_t i = 0; i < v.n; i++) {
		long h = prom_batch_route(b, &v.samples[i]);
		FUZZ_ASSERT(h >= -1 && h < 2);
		if (h >= 0)
			prom_host_add(&hosts[h], &v.samples[i]);
	}
	FUZZ_ASSERT(hosts[0].nseries + hosts[1].nseries <= v.n);
	for (int h = 0; h < 2; h++) {
		struct host_metrics *m = &hosts[h].m;
		prom_host_finish(&hosts[h]);
		FUZZ_ASSERT(m->nnics <= HOST_MAX_NICS && m->nbonds <= HOST_MAX_NICS);
		for (size_t i = 0; i < m->nnics; i++) {
			FUZZ_ASSERT(memchr(m->nics[i].name, 0, sizeof m->nics[i].name));
			FUZZ_ASSERT(memchr(m->nics[i].operstate, 0, sizeof m->nics[i].operstate));
			FUZZ_ASSERT(i == 0 || strcmp(m->nics[i - 1].name, m->nics[i].name) < 0);
			FUZZ_ASSERT(host_metrics_nic(m, m->nics[i].name) == &m->nics[i]);
		}
		for (size_t i = 0; i < m->nbonds; i++) {
			FUZZ_ASSERT(i == 0 || strcmp(m->bonds[i - 1].name, m->bonds[i].name) < 0);
			FUZZ_ASSERT(m->bonds[i].ports_total >= 0 && m->bonds[i].ports_up >= 0);
		}
		for (size_t i = 0; i < m->numa.n; i++) {
			FUZZ_ASSERT(m->numa.nodes[i].id >= 0 && m->numa.nodes[i].id < NUMA_MAX_NODES);
			FUZZ_ASSERT(i == 0 || m->numa.nodes[i - 1].id < m->numa.nodes[i].id);
		}
		FUZZ_ASSERT(memchr(m->kernel, 0, sizeof m->kernel));
		struct host_alert *alerts = NULL;
		host_metrics_alerts(m, &alerts);
		free(alerts);
		host_metrics_free(m);
	}
	prom_batch_free(&b);
	prom_vector_free(&v);
	fuzz_clock_check(t0, size, "prometheus answer");
	return 0;
}
