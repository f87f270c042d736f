/* prom_vm.c — a libvirt exporter's series (prometheus-libvirt-exporter
 * 0.2.0) into per-VM figures: the same quantities and units d:stats()
 * gives over libvirt's bulk stats, rates from two polls. */
#include "metrics/prom.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void prom_vms_init(struct prom_vms *vs, double t)
{
	*vs = (struct prom_vms){ .t = t };
}

void prom_vms_free(struct prom_vms *vs)
{
	for (size_t i = 0; i < vs->n; i++)
		free(vs->v[i].name);
	free(vs->v);
	vs->v = NULL;
	vs->n = 0;
}

static struct prom_vm *vm_get(struct prom_vms *vs, const char *name)
{
	/* Series come grouped by name, not by domain: a linear search over the
	 * domains of a few hosts is cheap next to the JSON parse. */
	for (size_t i = vs->n; i-- > 0;)
		if (!strcmp(vs->v[i].name, name))
			return &vs->v[i];
	vs->v = x_realloc(vs->v, (vs->n + 1) * sizeof *vs->v);
	vs->v[vs->n] = (struct prom_vm){ .name = x_strdup(name), .state = -1, .cpu_seconds = -1 };
	return &vs->v[vs->n++];
}

static uint64_t as_u64(double v)
{
	return (isfinite(v) && v > 0) ? (uint64_t)(v + 0.5) : 0;
}

void prom_vms_add(struct prom_vms *vs, const struct prom_sample *s)
{
	const char *metric = prom_sample_label(s, "__name__");
	const char *dom = prom_sample_label(s, "domain");
	static const char pre[] = "libvirt_domain_";
	if (!metric || !dom || strncmp(metric, pre, sizeof pre - 1))
		return;
	const char *m = metric + sizeof pre - 1;
	struct prom_vm *vm = vm_get(vs, dom);
	vm->seen_t = vs->t;
	if (!strcmp(m, "state_code"))
		vm->state = isfinite(s->value) ? (int)s->value : -1;
	else if (!strcmp(m, "info_virtual_cpus"))
		vm->vcpus = (unsigned)as_u64(s->value);
	else if (!strcmp(m, "info_memory_usage_bytes"))
		vm->mem_bytes = as_u64(s->value);
	else if (!strcmp(m, "info_maximum_memory_bytes"))
		vm->max_mem_bytes = as_u64(s->value);
	else if (!strcmp(m, "info_cpu_time_seconds_total"))
		vm->cpu_seconds = isfinite(s->value) ? s->value : -1;
	else if (!strcmp(m, "block_stats_read_bytes_total"))
		vm->rd_bytes += as_u64(s->value);
	else if (!strcmp(m, "block_stats_write_bytes_total"))
		vm->wr_bytes += as_u64(s->value);
	else if (!strcmp(m, "interface_stats_receive_bytes_total"))
		vm->rx_bytes += as_u64(s->value);
	else if (!strcmp(m, "interface_stats_transmit_bytes_total"))
		vm->tx_bytes += as_u64(s->value);
}

static int cmp_vm(const void *a, const void *b)
{
	return strcmp(((const struct prom_vm *)a)->name, ((const struct prom_vm *)b)->name);
}

void prom_vms_finish(struct prom_vms *vs)
{
	if (vs->n)
		qsort(vs->v, vs->n, sizeof *vs->v, cmp_vm);
}

const struct prom_vm *prom_vms_find(const struct prom_vms *vs, const char *name)
{
	struct prom_vm want = { .name = (char *)name };
	return vs->n ? bsearch(&want, vs->v, vs->n, sizeof *vs->v, cmp_vm) : NULL;
}

static double rate(uint64_t prev, uint64_t cur, double dt)
{
	return cur >= prev ? (double)(cur - prev) / dt : 0;
}

static int same_counters(const struct prom_vm *a, const struct prom_vm *b)
{
	return a->cpu_seconds == b->cpu_seconds && a->rd_bytes == b->rd_bytes && a->wr_bytes == b->wr_bytes
	       && a->rx_bytes == b->rx_bytes && a->tx_bytes == b->tx_bytes;
}

void prom_vm_rates(const struct prom_vm *prev, struct prom_vm *cur)
{
	if (same_counters(prev, cur)) {
		cur->seen_t = prev->seen_t;
		cur->cpu_util = prev->cpu_util;
		cur->rd_bps = prev->rd_bps;
		cur->wr_bps = prev->wr_bps;
		cur->rx_bps = prev->rx_bps;
		cur->tx_bps = prev->tx_bps;
		return;
	}
	double dt = cur->seen_t - prev->seen_t;
	if (!(dt > 0))
		return;
	if (prev->cpu_seconds >= 0 && cur->cpu_seconds >= prev->cpu_seconds)
		cur->cpu_util = (cur->cpu_seconds - prev->cpu_seconds) / dt * 100.0;
	cur->rd_bps = rate(prev->rd_bytes, cur->rd_bytes, dt);
	cur->wr_bps = rate(prev->wr_bytes, cur->wr_bytes, dt);
	cur->rx_bps = rate(prev->rx_bytes, cur->rx_bytes, dt) * 8;
	cur->tx_bps = rate(prev->tx_bytes, cur->tx_bytes, dt) * 8;
}
