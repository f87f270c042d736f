/* host_net.c — the network records of a poll bundle beyond sysfs counters:
 * SR-IOV links and `ip -d link` of each PF, OVS other_config (DPDK), each
 * NIC's device link, and /proc/interrupts tied to NIC queues. */
#include "metrics/host_metrics.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <stdio.h>
#include <string.h>

int host_net_route(struct host_metrics *m, const char *path, const char *data, size_t n, struct vd_err *e)
{
	if (text_prefix(path, "!sriov "))
		return sriov_links_parse(path + 7, data, n, &m->sriov, e);
	if (text_prefix(path, "!ip -d link show "))
		return sriov_ip_link_parse(path + 17, data, n, &m->sriov, e) < 0 ? -1 : 0;
	if (!strcmp(path, "!ovs-vsctl get Open_vSwitch . other_config")) {
		struct vd_err ignored;
		err_clear(&ignored);
		sriov_ovs_config_parse(data, n, &m->sriov, &ignored);   /* no OVS database: nothing to say */
		return 0;
	}
	if (!strcmp(path, "/proc/interrupts")) {
		irq_list_free(&m->irqs);
		int rc = interrupts_parse(data, n, &m->irqs, e);
		m->has_irqs = rc == 0;
		return rc;
	}
	if (!strcmp(path, "!netdev-devices")) {
		x_free(&m->netdev_devices);
		m->netdev_devices = text_dup(data, n);
		return 0;
	}
	return 1;
}

/* "NIC ../../../0000:3b:00.0" lines: each NIC's device name. */
static void apply_devices(struct host_metrics *m)
{
	char *cur = m->netdev_devices, *line;
	while (cur && (line = text_next_line(&cur))) {
		char name[NIC_NAME_MAX], target[256];
		if (sscanf(line, "%31s %255s", name, target) != 2)
			continue;
		struct nic *nic = host_metrics_nic(m, name);
		const char *base = strrchr(target, '/');
		if (nic)
			text_copy(nic->device, sizeof nic->device, base ? base + 1 : target);
	}
	x_free(&m->netdev_devices);
}

void host_net_finish(struct host_metrics *m)
{
	apply_devices(m);
	sriov_finish(&m->sriov);
	size_t cap = 0;
	for (size_t i = 0; m->has_irqs && i < m->nnics; i++) {
		struct nic *nic = &m->nics[i];
		nic->irq_first = m->nnic_queues;
		for (size_t k = 0; k < m->irqs.n; k++) {
			const struct irq_line *l = &m->irqs.lines[k];
			if (!interrupts_nic_match(l->name, nic->name, nic->device))
				continue;
			nic->irq_queues++;
			nic->irq_count += l->count;
			x_grow(&m->nic_queues, &cap, m->nnic_queues + 1, sizeof *m->nic_queues);
			struct nic_queue *q = &m->nic_queues[m->nnic_queues++];
			q->irq = l->irq;
			q->count = l->count;
			q->rate = -1;
			text_copy(q->name, sizeof q->name, l->name);
			interrupts_queue_label(l->name, nic->name, nic->device, q->label, sizeof q->label);
		}
	}
}

const struct nic_queue *host_metrics_nic_queues(const struct host_metrics *m, const struct nic *nic, size_t *n)
{
	*n = nic->irq_queues;
	return nic->irq_queues ? &m->nic_queues[nic->irq_first] : NULL;
}

/* The queue of prev's NIC p with q's IRQ number and name, NULL none. */
static const struct nic_queue *same_queue(const struct host_metrics *prev, const struct nic *p,
					  const struct nic_queue *q)
{
	size_t n;
	const struct nic_queue *pq = host_metrics_nic_queues(prev, p, &n);
	for (size_t i = 0; i < n; i++)
		if (pq[i].irq == q->irq && !strcmp(pq[i].name, q->name))
			return &pq[i];
	return NULL;
}

void host_net_rates(const struct host_metrics *prev, struct host_metrics *cur, double dt)
{
	for (size_t i = 0; i < cur->nnics; i++) {
		struct nic *c = &cur->nics[i];
		const struct nic *p = prev ? host_metrics_nic(prev, c->name) : NULL;
		c->irq_rate = -1;
		if (p && p->irq_queues && c->irq_queues == p->irq_queues && c->irq_count >= p->irq_count && dt > 0)
			c->irq_rate = (double)(c->irq_count - p->irq_count) / dt;
		if (!c->irq_queues)
			continue; /* nic_queues may be NULL: no offset into it */
		struct nic_queue *q = &cur->nic_queues[c->irq_first];
		for (size_t k = 0; k < c->irq_queues; k++) {
			const struct nic_queue *pq = p && dt > 0 ? same_queue(prev, p, &q[k]) : NULL;
			q[k].rate = pq && q[k].count >= pq->count ? (double)(q[k].count - pq->count) / dt : -1;
		}
	}
}

void host_net_free(struct host_metrics *m)
{
	sriov_free(&m->sriov);
	irq_list_free(&m->irqs);
	x_free(&m->nic_queues);
	x_free(&m->netdev_devices);
}
