/* view_host.c — one host in depth: the NUMA map (nodes side by side with
 * CPUs, memory and hugepages, and the VMs placed on each), NICs with rates
 * and sparklines, bonds with per-port LACP state, memory overcommit (KSM,
 * swap, balloons) and alerts.  A scrolling page rather than a table. */
#include "tui/tui_priv.h"
#include "model/numa_locality.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "metrics/host_metrics.h"
#include "model/devices.h"
#include "model/sriov_use.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NIC history of the host shown. */
struct nic_hist {
	char  name[32];
	float rx[HIST_LEN], tx[HIST_LEN];
	size_t n;
};

struct host_view {
	size_t           host;             /* index in the cluster */
	int              scroll, height;   /* page lines: first shown, all */
	struct nic_hist *nics;
	size_t           nnics;
	unsigned         nics_polls;
	size_t           nics_host;
};

struct page {
	int y0, h, y;        /* y: next line in page coordinates */
	int scroll;
};

/* Screen row of page line y, or -1 when scrolled out. */
static int row(const struct page *p, int y)
{
	int s = p->y0 + y - p->scroll;
	return s >= p->y0 && s < p->y0 + p->h ? s : -1;
}

static void line(struct page *p, int x, int attr, const char *text)
{
	int r = row(p, p->y);
	if (r >= 0)
		put_text(r, x, COLS - x, text, attr, 0);
	p->y++;
}

static void heading(struct page *p, const char *text)
{
	p->y++;
	int r = row(p, p->y);
	if (r >= 0)
		put_text(r, 0, COLS, text, theme_attr(EL_HEADER), 0);
	p->y++;
}

static void nic_hist_update(struct host_view *v, const struct host *h)
{
	if (v->nics_host != v->host) {
		free(v->nics);
		v->nics = NULL;
		v->nnics = 0;
		v->nics_host = v->host;
		v->nics_polls = 0;
	}
	if (!h->metrics || h->polls == v->nics_polls)
		return;
	v->nics_polls = h->polls;
	const struct host_metrics *m = h->metrics;
	for (size_t i = 0; i < m->nnics; i++) {
		const struct nic *n = &m->nics[i];
		struct nic_hist *nh = NULL;
		for (size_t k = 0; k < v->nnics; k++)
			if (!strcmp(v->nics[k].name, n->name))
				nh = &v->nics[k];
		if (!nh) {
			v->nics = x_realloc(v->nics, (v->nnics + 1) * sizeof *v->nics);
			nh = &v->nics[v->nnics++];
			memset(nh, 0, sizeof *nh);
			snprintf(nh->name, sizeof nh->name, "%s", n->name);
		}
		if (nh->n == HIST_LEN) {
			memmove(nh->rx, nh->rx + 1, (HIST_LEN - 1) * sizeof *nh->rx);
			memmove(nh->tx, nh->tx + 1, (HIST_LEN - 1) * sizeof *nh->tx);
			nh->n--;
		}
		nh->rx[nh->n] = (float)n->rx_bps;
		nh->tx[nh->n] = (float)n->tx_bps;
		nh->n++;
	}
}

static const struct nic_hist *nic_hist_of(const struct host_view *v, const char *name)
{
	for (size_t k = 0; k < v->nnics; k++)
		if (!strcmp(v->nics[k].name, name))
			return &v->nics[k];
	return NULL;
}

static void cpus_text(const struct numa_node *n, char *buf, size_t len)
{
	size_t l = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n->ncpus && l + 12 < len; i++) {
		size_t j = i;
		while (j + 1 < n->ncpus && n->cpus[j + 1] == n->cpus[j] + 1)
			j++;
		if (j > i)
			l += (size_t)snprintf(buf + l, len - l, "%s%d-%d", l ? "," : "", n->cpus[i], n->cpus[j]);
		else
			l += (size_t)snprintf(buf + l, len - l, "%s%d", l ? "," : "", n->cpus[i]);
		i = j;
	}
}

/* One NUMA node box; id is the node id, n NULL when only libvirt knows it. */
static void node_box(struct tui *t, const struct page *p, const struct host *h, int id,
		     const struct numa_node *n, int by, int x, int w, int bh)
{
	char title[64], b1[32], b2[32], text[256];
	snprintf(title, sizeof title, "node %d", id);
	int ry = row(p, by);
	int attr = theme_attr(EL_NORMAL);
	/* Draw the box line by line so scrolling clips it cleanly. */
	for (int i = 0; i < bh; i++) {
		int r = row(p, by + i);
		if (r < 0)
			continue;
		const char *l = i == 0 ? g_glyphs.tl : i == bh - 1 ? g_glyphs.bl : g_glyphs.vline;
		const char *rr = i == 0 ? g_glyphs.tr : i == bh - 1 ? g_glyphs.br : g_glyphs.vline;
		attrset(theme_attr(EL_BORDER));
		mvaddstr(r, x, l);
		for (int k = 1; k < w - 1; k++)
			addstr(i == 0 || i == bh - 1 ? g_glyphs.hline : " ");
		addstr(rr);
		attrset(A_NORMAL);
	}
	if (ry >= 0)
		put_textf(ry, x + 2, w - 4, theme_attr(EL_ACCENT), " %s ", title);
	int iy = by + 1, ix = x + 2, iw = w - 4;
	if (n) {
		cpus_text(n, b1, sizeof b1);
		snprintf(text, sizeof text, "CPUs %s (%zu)", n->ncpus ? b1 : "none", n->ncpus);
		if (row(p, iy) >= 0)
			put_text(row(p, iy), ix, iw, text, attr, 0);
		iy++;
		if (row(p, iy) >= 0) {
			put_text(row(p, iy), ix, 5, "cpu", attr, 0);
			if (n->cpu_util >= 0) {
				put_bar(row(p, iy), ix + 5, iw - 11, n->cpu_util / 100.0, theme_attr(EL_BAR_USED),
					theme_attr(EL_BAR_FREE));
				put_textf(row(p, iy), ix + iw - 5, 5, attr, "%4.0f%%", n->cpu_util);
			} else {
				put_text(row(p, iy), ix + 5, iw - 5, "-", theme_attr(EL_DIM), 0);
			}
		}
		iy++;
		if (row(p, iy) >= 0) {
			put_text(row(p, iy), ix, 5, "mem", attr, 0);
			double frac = n->mem.mem_total ? (double)(n->mem.mem_total - n->mem.mem_free) / (double)n->mem.mem_total : 0;
			put_bar(row(p, iy), ix + 5, iw - 11, frac, theme_attr(frac > 0.9 ? EL_CRIT : EL_BAR_USED),
				theme_attr(EL_BAR_FREE));
			put_textf(row(p, iy), ix + iw - 5, 5, attr, "%4.0f%%", frac * 100);
		}
		iy++;
		snprintf(text, sizeof text, "free %s of %s", size_format(n->mem.mem_free, b1, sizeof b1),
			 size_format(n->mem.mem_total, b2, sizeof b2));
		if (row(p, iy) >= 0)
			put_text(row(p, iy), ix, iw, text, attr, 0);
		iy++;
		size_t l = 0;
		text[0] = '\0';
		for (size_t k = 0; k < n->nhugepages && l + 40 < sizeof text; k++)
			l += (size_t)snprintf(text + l, sizeof text - l, "%s%s %llu/%llu free", l ? ", " : "huge ",
					      size_format(n->hugepages[k].page_size, b1, sizeof b1),
					      (unsigned long long)n->hugepages[k].free,
					      (unsigned long long)n->hugepages[k].nr);
		if (!l)
			snprintf(text, sizeof text, "huge %llu/%llu free",
				 (unsigned long long)n->mem.hugepages_free, (unsigned long long)n->mem.hugepages_total);
		if (row(p, iy) >= 0)
			put_text(row(p, iy), ix, iw, text, attr, 0);
		iy++;
	} else {
		if (row(p, iy) >= 0)
			put_text(row(p, iy), ix, iw, "(libvirt cell; no host metrics)", theme_attr(EL_DIM), 0);
		iy += 4;
	}
	/* VMs placed on this node, wrapped over the remaining lines. */
	size_t count = 0;
	for (size_t d = 0; d < h->ndoms; d++)
		count += id < 64 && (dom_numa_mask(h, &h->doms[d]) >> id & 1);
	snprintf(text, sizeof text, "VMs: %zu", count);
	if (row(p, iy) >= 0)
		put_text(row(p, iy), ix, iw, text, theme_attr(EL_ACCENT), 0);
	iy++;
	int lines_left = bh - 1 - (iy - by);
	struct strbuf_line { char s[256]; size_t l; } cur = { "", 0 };
	for (size_t d = 0; d < h->ndoms && lines_left > 0; d++) {
		if (id >= 64 || !(dom_numa_mask(h, &h->doms[d]) >> id & 1))
			continue;
		const char *nm = h->doms[d].info.name;
		if (cur.l && (int)(cur.l + strlen(nm) + 1) > iw) {
			if (row(p, iy) >= 0)
				put_text(row(p, iy), ix, iw, cur.s, attr, 0);
			iy++;
			lines_left--;
			cur.l = 0;
			cur.s[0] = '\0';
		}
		if (lines_left > 0)
			cur.l += (size_t)snprintf(cur.s + cur.l, sizeof cur.s - cur.l, "%s%s", cur.l ? " " : "", nm);
	}
	if (cur.l && lines_left > 0 && row(p, iy) >= 0)
		put_text(row(p, iy), ix, iw, cur.s, attr, 0);
	(void)t;
}

static void numa_map(struct tui *t, struct page *p, const struct host *h)
{
	const struct host_metrics *m = h->metrics;
	size_t nn = m ? m->numa.n : h->numa_cells;
	char text[320];
	double loc = host_numa_locality(h), imb = host_numa_imbalance(h);
	char fig[96] = "", lt[16] = "-";
	if (loc >= 0)
		snprintf(lt, sizeof lt, "%.0f%%", 100 * loc);
	if (m)
		snprintf(fig, sizeof fig, "   imbalance %.2f   VM locality %s", imb < 0 ? 0 : imb, lt);
	snprintf(text, sizeof text, "NUMA map: %zu node%s%s%s%s", nn, nn == 1 ? "" : "s",
		 !m ? " (libvirt capabilities; CPU and memory per node need host metrics)"
		 : m->from_prometheus ? " (from Prometheus: CPU lists, distances, per-node CPU unavailable)" : "", fig,
		 h->maintenance ? "   MAINTENANCE: takes no new VMs" : "");
	heading(p, text);
	if (!nn)
		return;
	int minw = 34;
	int per = (COLS - 1) / minw;
	if (per < 1)
		per = 1;
	if ((size_t)per > nn)
		per = (int)nn;
	int w = (COLS - 1) / per;
	int bh = 12;
	for (size_t i = 0; i < nn; i += (size_t)per) {
		for (int k = 0; k < per && i + (size_t)k < nn; k++) {
			const struct numa_node *n = m ? &m->numa.nodes[i + (size_t)k] : NULL;
			int id = n ? n->id : (int)(i + (size_t)k);
			node_box(t, p, h, id, n, p->y, k * w, w - 1, bh);
		}
		p->y += bh;
	}
}

/* "  queues  TxRx-0 1.2k  TxRx-1 880 ..." under a NIC: each queue's
 * interrupts/s ("..." until two polls), as many as fit, then "+N more". */
static void nic_queues(struct page *p, const struct host_metrics *m, const struct nic *n)
{
	size_t nq;
	const struct nic_queue *q = host_metrics_nic_queues(m, n, &nq);
	if (!nq)
		return;
	char text[512], item[64], rate[32];
	int width = COLS - 1 < (int)sizeof text - 1 ? COLS - 1 : (int)sizeof text - 1;
	size_t len = (size_t)snprintf(text, sizeof text, "  queues       ");
	for (size_t i = 0; i < nq; i++) {
		int w = snprintf(item, sizeof item, " %s %s", q[i].label,
				 q[i].rate >= 0 ? rate_format(q[i].rate, rate, sizeof rate) : "...");
		if (w >= (int)sizeof item)
			w = (int)sizeof item - 1;
		/* room for this one, and for "+N more" when others follow */
		int more = i + 1 < nq ? 10 : 0;
		if ((int)len + w + more > width) {
			snprintf(text + len, sizeof text - len, "  +%zu more", nq - i);
			break;
		}
		memcpy(text + len, item, (size_t)w + 1);
		len += (size_t)w;
	}
	line(p, 0, theme_attr(EL_DIM), text);
}

static void nics(const struct host_view *v, struct page *p, const struct host *h)
{
	const struct host_metrics *m = h->metrics;
	if (!m || !m->nnics)
		return;
	heading(p, "NICs            STATE  SPEED     RX b/s    TX b/s   RX p/s  DROPS   ERRS  BOND          IRQ/s  "
		   "RX+TX HISTORY");
	char b1[32], b2[32], b3[32], b4[32], text[256];
	for (size_t i = 0; i < m->nnics; i++) {
		const struct nic *n = &m->nics[i];
		if (!strcmp(n->name, "lo"))
			continue;
		char speed[24];
		if (n->speed_mbps > 0)
			snprintf(speed, sizeof speed, "%lldM", (long long)n->speed_mbps);
		else
			snprintf(speed, sizeof speed, "-");
		/* interrupts/s of its queues (/proc/interrupts) next to its packets/s */
		if (n->irq_rate >= 0)
			rate_format(n->irq_rate, b4, sizeof b4);
		else
			snprintf(b4, sizeof b4, "%s", n->irq_queues ? "..." : "-");
		snprintf(text, sizeof text, "%-15.15s %-6.6s %6s %9s %9s %8s %6llu %6llu  %-10.10s %7s",
			 n->name, n->operstate[0] ? n->operstate : "?", speed,
			 n->rx_bps >= 0 ? rate_format(n->rx_bps, b1, sizeof b1) : "-",
			 n->tx_bps >= 0 ? rate_format(n->tx_bps, b2, sizeof b2) : "-",
			 n->rx_pps >= 0 ? rate_format(n->rx_pps, b3, sizeof b3) : "-",
			 (unsigned long long)(n->rx_dropped + n->tx_dropped),
			 (unsigned long long)(n->rx_errors + n->tx_errors), n->bond_master, b4);
		int down = n->physical && strcmp(n->operstate, "up") && n->operstate[0];
		int r = row(p, p->y);
		line(p, 0, theme_attr(down ? EL_WARN : EL_NORMAL), text);
		const struct nic_hist *nh = nic_hist_of(v, n->name);
		if (r >= 0 && nh && COLS > 110) {
			float sum[HIST_LEN];
			for (size_t k = 0; k < nh->n; k++)
				sum[k] = nh->rx[k] < 0 ? -1 : nh->rx[k] + (nh->tx[k] > 0 ? nh->tx[k] : 0);
			put_spark(r, 96, COLS - 97 < 24 ? COLS - 97 : 24, sum, nh->n, 0, theme_attr(EL_SPARK));
		}
		nic_queues(p, m, n);
	}
}

/* SR-IOV PFs with their VFs (which VM holds each), and OVS-DPDK settings. */
static void sriov(struct page *p, const struct host *h)
{
	const struct host_metrics *m = h->metrics;
	if (!m || (!m->sriov.npfs && !m->sriov.ovs_config))
		return;
	char text[256];
	if (m->sriov.npfs)
		heading(p, "SR-IOV    PF / VF          PCI           MAC                VLAN  SPOOF TRUST  HELD BY");
	for (size_t i = 0; i < m->sriov.npfs; i++) {
		const struct sriov_pf *pf = &m->sriov.pfs[i];
		const struct nic *n = host_metrics_nic(m, pf->name);
		snprintf(text, sizeof text, "%-16s %-13s %lld of %lld VFs enabled, %zu free", pf->name, pf->address,
			 n ? (long long)n->sriov_numvfs : -1LL, n ? (long long)n->sriov_totalvfs : -1LL,
			 host_free_vfs(h, pf->name));
		line(p, 1, theme_attr(EL_ACCENT), text);
		for (size_t k = 0; k < m->sriov.nvfs; k++) {
			const struct sriov_vf *vf = &m->sriov.vfs[k];
			if (strcmp(vf->pf, pf->name))
				continue;
			const char *mac = NULL;
			const struct domain *d = host_vf_user(h, vf->address, &mac);
			char vlan[8], held[160];
			snprintf(vlan, sizeof vlan, "%u", vf->vlan);
			if (d)
				snprintf(held, sizeof held, "VM %s", d->info.name);
			else if (vf->netdev[0])
				snprintf(held, sizeof held, "host %s", vf->netdev);
			else
				snprintf(held, sizeof held, "free");
			snprintf(text, sizeof text, "  vf %-11u %-13s %-18s %-5s %-5s %-5s  %s", vf->index, vf->address,
				 vf->mac[0] ? vf->mac : "-", vf->vlan ? vlan : "-",
				 vf->spoofchk < 0 ? "-" : vf->spoofchk ? "on" : "off",
				 vf->trust < 0 ? "-" : vf->trust ? "on" : "off", held);
			line(p, 1, theme_attr(d ? EL_NORMAL : EL_DIM), text);
		}
	}
	if (m->sriov.ovs_config) {
		snprintf(text, sizeof text, "OVS-DPDK  dpdk-init %s  pmd-cpu-mask %s  dpdk-socket-mem %s",
			 m->sriov.dpdk_init ? "true" : "false", m->sriov.pmd_cpu_mask[0] ? m->sriov.pmd_cpu_mask : "-",
			 m->sriov.dpdk_socket_mem[0] ? m->sriov.dpdk_socket_mem : "-");
		line(p, 1, theme_attr(EL_NORMAL), text);
	}
}

static void bonds(struct page *p, const struct host *h)
{
	const struct host_metrics *m = h->metrics;
	if (!m || !m->nbonds)
		return;
	heading(p, "Bonds");
	char text[256];
	for (size_t i = 0; i < m->nbonds; i++) {
		const struct bond *b = &m->bonds[i];
		if (b->counts_only) {   /* Prometheus: node_bonding_* counts ports, nothing of LACP */
			snprintf(text, sizeof text, "%s  mii %s  ports up %d/%d  (from Prometheus: mode, ports, "
				 "LACP partner unavailable)", b->name, b->mii_status, b->ports_up, b->ports_total);
			line(p, 1, theme_attr(strcmp(b->mii_status, "up") ? EL_CRIT : EL_ACCENT), text);
			continue;
		}
		snprintf(text, sizeof text, "%s  %s%s%s  mii %s  aggregator %d  ports up %zu/%zu  partner %s",
			 b->name, b->mode, b->lacp_rate[0] ? "  lacp " : "", b->lacp_rate, b->mii_status,
			 b->aggregator_id, bond_ports_up(b), b->nports, b->partner_mac[0] ? b->partner_mac : "-");
		line(p, 1, theme_attr(strcmp(b->mii_status, "up") ? EL_CRIT : EL_ACCENT), text);
		for (size_t k = 0; k < b->nports; k++) {
			const struct bond_port *bp = &b->ports[k];
			char probs[96] = "";
			if (bp->problems & BOND_PORT_DOWN)
				strcat(probs, " DOWN");
			if (bp->problems & BOND_PORT_CHURNED)
				strcat(probs, " CHURNED");
			if (bp->problems & BOND_PORT_OTHER_AGG)
				strcat(probs, " OTHER-AGGREGATOR");
			if (bp->problems & BOND_PORT_ZERO_PARTNER)
				strcat(probs, " NO-PARTNER");
			snprintf(text, sizeof text, "%-12s mii %-5s agg %-3d actor %-4d partner %-4d churn %s/%s fails %llu%s%s",
				 bp->name, bp->mii_status, bp->aggregator_id, bp->actor_port_state,
				 bp->partner_port_state, bp->actor_churn[0] ? bp->actor_churn : "-",
				 bp->partner_churn[0] ? bp->partner_churn : "-",
				 (unsigned long long)bp->link_failures, probs[0] ? "  ALERT:" : "", probs);
			line(p, 4, theme_attr(bp->problems ? EL_CRIT : EL_NORMAL), text);
		}
	}
}

/* GPUs with their vGPU types (free instances), then the mdevs and the VM
 * using each: what vgpu-assign chooses from. */
static void gpus(struct page *p, const struct host *h)
{
	struct gpu_inv inv;
	memset(&inv, 0, sizeof inv);
	host_gpus(h, &inv);
	if (inv.ngpus) {
		heading(p, "GPUs");
		char text[320];
		for (size_t i = 0; i < inv.ngpus; i++) {
			const struct gpu_dev *g = &inv.gpus[i];
			snprintf(text, sizeof text, "%s  %s %s  NUMA node %d", g->address, g->vendor, g->product,
				 g->numa_node);
			line(p, 1, theme_attr(EL_ACCENT), text);
			for (size_t k = 0; k < g->ntypes; k++) {
				const struct gpu_type *ty = &g->types[k];
				snprintf(text, sizeof text, "%-18s %-22s %-10s free %d", ty->id, ty->name,
					 ty->device_api, ty->available);
				line(p, 4, theme_attr(ty->available > 0 ? EL_NORMAL : EL_DIM), text);
			}
		}
		for (size_t i = 0; i < inv.nmdevs; i++) {
			const struct gpu_mdev *m = &inv.mdevs[i];
			const struct domain *d = host_mdev_user(h, m->uuid);
			snprintf(text, sizeof text, "mdev %s  %-16s on %s  VM %s", m->uuid, m->type, m->parent,
				 d ? d->info.name : "-");
			line(p, 1, theme_attr(EL_NORMAL), text);
		}
	}
	gpu_inv_free(&inv);
}

static void memory(struct tui *t, struct page *p, const struct host *h)
{
	(void)t;
	const struct host_metrics *m = h->metrics;
	char b1[32], b2[32], b3[32], text[256];
	heading(p, "Memory and overcommit");
	if (m && m->has_mem) {
		char b4[32], b5[32];
		snprintf(text, sizeof text, "total %s  available %s  cached %s  swap used %s of %s",
			 size_format(m->mem.total, b1, sizeof b1), size_format(m->mem.available, b2, sizeof b2),
			 size_format(m->mem.cached, b3, sizeof b3),
			 size_format(m->mem.swap_total - m->mem.swap_free, b4, sizeof b4),
			 size_format(m->mem.swap_total, b5, sizeof b5));
		line(p, 1, theme_attr(EL_NORMAL), text);
		snprintf(text, sizeof text, "swap in %s/s  out %s/s",
			 m->swap_in_rate >= 0 ? size_format((uint64_t)m->swap_in_rate, b1, sizeof b1) : "-",
			 m->swap_out_rate >= 0 ? size_format((uint64_t)m->swap_out_rate, b2, sizeof b2) : "-");
		line(p, 1, theme_attr(m->swap_out_rate > 0 ? EL_WARN : EL_NORMAL), text);
	}
	if (m && m->ksm.present) {
		snprintf(text, sizeof text, "KSM %s: saved %s  pages shared %llu  sharing %llu  full scans %llu",
			 m->ksm.run == 1 ? "running" : "stopped", size_format(m->ksm.saved, b1, sizeof b1),
			 (unsigned long long)m->ksm.pages_shared, (unsigned long long)m->ksm.pages_sharing,
			 (unsigned long long)m->ksm.full_scans);
		line(p, 1, theme_attr(EL_NORMAL), text);
	}
	if (!m)
		line(p, 1, theme_attr(EL_DIM), "no host metrics (shell transport): KSM and swap unknown");
	uint64_t given = 0, ballooned = 0;
	for (size_t i = 0; i < h->ndoms; i++) {
		const struct domain *d = &h->doms[i];
		if (d->state != DOM_RUNNING)
			continue;
		given += d->info.max_memory;
		ballooned += d->stats.valid && d->stats.balloon_current ? d->stats.balloon_current : d->info.memory;
	}
	snprintf(text, sizeof text, "running VMs: configured %s, balloon current %s, host %s (%.0f%% committed)",
		 size_format(given, b1, sizeof b1), size_format(ballooned, b2, sizeof b2),
		 size_format(h->memory, b3, sizeof b3), h->memory ? 100.0 * (double)given / (double)h->memory : 0);
	line(p, 1, theme_attr(given > h->memory && h->memory ? EL_WARN : EL_NORMAL), text);
}

static void vms(struct page *p, const struct host *h)
{
	char text[256], b1[32], b2[32], b3[32], nodes[64];
	snprintf(text, sizeof text, "VMs on this host: %zu   NAME                       STATE      VCPU  MAX MEM  BALLOON  USABLE   NUMA  LOC%%", h->ndoms);
	heading(p, text);
	for (size_t i = 0; i < h->ndoms; i++) {
		const struct domain *d = &h->doms[i];
		numa_mask_text(dom_numa_mask(h, d), nodes, sizeof nodes);
		double loc = domain_numa_locality(h, d);
		char lt[16] = "-";
		if (loc >= 0)
			snprintf(lt, sizeof lt, "%.0f", 100 * loc);
		snprintf(text, sizeof text, "%-26.26s %-10s %4u %8s %8s %8s   %-5s %4s", d->info.name,
			 dom_state_name(d->state), d->info.vcpus, size_format(d->info.max_memory, b1, sizeof b1),
			 d->stats.valid ? size_format(d->stats.balloon_current, b2, sizeof b2) : "-",
			 d->stats.valid && d->stats.balloon_usable ? size_format(d->stats.balloon_usable, b3, sizeof b3) : "-",
			 nodes, lt);
		line(p, 20, theme_attr(d->state == DOM_RUNNING ? EL_NORMAL : EL_DIM), text);
	}
}

static void alerts(struct page *p, const struct host *h)
{
	if (!h->metrics)
		return;
	struct host_alert *a = NULL;
	size_t n = host_metrics_alerts(h->metrics, &a);
	if (n) {
		heading(p, "Alerts");
		for (size_t i = 0; i < n; i++) {
			char text[320];
			snprintf(text, sizeof text, "%-5s %-24s %s", alert_severity_name(a[i].severity), a[i].kind,
				 a[i].message);
			line(p, 1, theme_attr(a[i].severity == ALERT_CRIT ? EL_CRIT : EL_WARN), text);
		}
	}
	free(a);
}

static void fini(void *state)
{
	struct host_view *v = state;
	free(v->nics);
}

void host_view_open(struct tui *t, size_t host_index)
{
	struct host_view *v = view_state(t, V_HOST);
	v->host = host_index;
	v->scroll = 0;
	tui_switch(t, V_HOST, 1);
}

/* "libvirt 1s, shell 14s STALE": each source's age, marked when stale. */
static const char *source_ages(const struct tui *t, const struct host *h, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < HOST_NSRC && n < len; i++) {
		enum host_source s = (enum host_source)i;
		if (!host_source_used(h, s))
			continue;
		char age[16];
		n += (size_t)snprintf(buf + n, len - n, "%s%s %s%s", n ? ", " : "", host_source_name(s),
				      age_text(host_source_age(h, s, t->now_mono), age, sizeof age),
				      host_source_stale(t->c, h, s, t->now_mono) ? " STALE" : "");
	}
	return buf;
}

static void draw(struct tui *t, int y0, int hgt)
{
	struct host_view *v = view_state(t, V_HOST);
	if (v->host >= t->c->nhosts) {
		put_text(y0, 0, COLS, "no such host", theme_attr(EL_CRIT), 0);
		return;
	}
	struct host *h = &t->c->hosts[v->host];
	nic_hist_update(v, h);
	struct page p = { .y0 = y0, .h = hgt, .y = 0, .scroll = v->scroll };
	char text[512], b1[32], ages[64];
	int stale = host_data_stale(t->c, h, t->now_mono);
	snprintf(text, sizeof text, "%s  %s%s  %s %s  libvirt %s  %u CPUs @ %u MHz  %s  %s  age %s",
		 h->cfg->name, host_state_name(h->state), stale ? " (stale)" : "", h->hypervisor,
		 h->hostname, h->libvirt_version, h->cpus, h->cpu_mhz, h->cpu_model,
		 size_format(h->memory, b1, sizeof b1), source_ages(t, h, ages, sizeof ages));
	line(&p, 0, theme_attr(state_elem(h->state)) | A_BOLD, text);
	if (h->libvirt_error) {
		snprintf(text, sizeof text, "libvirt: %s", h->libvirt_error);
		line(&p, 0, theme_attr(EL_CRIT), text);
	}
	if (h->shell_error) {
		snprintf(text, sizeof text, "shell: %s", h->shell_error);
		line(&p, 0, theme_attr(EL_WARN), text);
	}
	double cpu = host_cpu_pct(h), rx, tx;
	uint64_t used = 0, total = 0;
	host_mem(h, &used, &total);
	int has_net = host_net(h, &rx, &tx) == 0;
	char b2[32], b3[32], b4[32], b5[32];
	snprintf(text, sizeof text, "CPU %s%%   memory %s / %s   net rx %s tx %s b/s   rtt %.1f ms",
		 cpu >= 0 ? (snprintf(b5, sizeof b5, "%.0f", cpu), b5) : "-",
		 size_format(used, b1, sizeof b1), size_format(total, b2, sizeof b2),
		 has_net ? rate_format(rx, b3, sizeof b3) : "-", has_net ? rate_format(tx, b4, sizeof b4) : "-",
		 h->rtt_ms);
	line(&p, 0, theme_attr(EL_NORMAL), text);
	numa_map(t, &p, h);
	alerts(&p, h);
	bonds(&p, h);
	nics(v, &p, h);
	sriov(&p, h);
	memory(t, &p, h);
	vms(&p, h);
	gpus(&p, h);
	v->height = p.y;
}

static int key(struct tui *t, enum action a, int ch)
{
	(void)ch;
	struct host_view *v = view_state(t, V_HOST);
	if (a == ACT_ENTER) {
		if (v->host < t->c->nhosts) {
			vms_view_restrict(t, t->c->hosts[v->host].cfg->name);
			tui_switch(t, V_VMS, 1);
		}
		return 1;
	}
	return page_key(&v->scroll, v->height, a);
}

static const enum action help[] = {
	ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_TOP, ACT_BOTTOM, ACT_ENTER, ACT_BACK, ACT_NONE,
};

const struct view_ops view_host = {
	.name = "host", .state_size = sizeof(struct host_view), .fini = fini, .draw = draw, .key = key, .help = help,
	.help_extra = "Enter lists this host's VMs.  VMs sit on a node by their vCPU pins, numatune\n"
		      "nodeset, or resident memory per node.  Red bond ports are alerts.",
};
