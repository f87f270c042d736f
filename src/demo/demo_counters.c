/* demo_counters.c — the moving counters of a simulated host at time t:
 * NIC statistics (sysfs and /proc/net/dev), /proc/stat jiffies, /proc/vmstat
 * and KSM full_scans.
 *
 * Each counter is rate * (uptime + t) plus a bounded wave, integrated so its
 * derivative rate * (1 + amp * sin) never goes negative: values only grow,
 * and rates computed from two samples look alive. */
#include "demo/demo_priv.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct wave { double amp, period; };

static double integral(double rate, double uptime, const struct wave *w, double t)
{
	double k = 2 * M_PI / w->period;
	return rate * (uptime + t) + rate * w->amp * (1 - cos(k * t)) / k;
}

static uint64_t counter(double rate, double uptime, const struct wave *w, double t)
{
	double v = integral(rate, uptime, w, t);
	return v > 0 ? (uint64_t)v : 0;
}

static void wave_of(const struct demo_spec *spec, const struct demo_host *h, unsigned what,
		    struct wave *w)
{
	struct demo_rng r;
	demo_rng_init(&r, spec->seed, 31 + what, h->index);
	w->amp = 0.2 + 0.7 * demo_rng_unit(&r);
	w->period = 40 + 260 * demo_rng_unit(&r);
}

struct nic_counts { uint64_t v[8]; };   /* rx bytes packets errors dropped, tx same */

static void nic_counts(const struct demo_spec *spec, const struct demo_host *h, unsigned i,
		       double t, struct nic_counts *c)
{
	const struct demo_nic *n = &h->nic[i];
	struct wave w;
	wave_of(spec, h, 100 + i, &w);
	/* A port that went down stopped counting a while ago. */
	double up = n->up ? h->uptime : h->uptime * 0.9;
	double tt = n->up ? t : 0;
	c->v[0] = counter(n->rx_rate, up, &w, tt);
	c->v[1] = c->v[0] / 820;
	c->v[2] = n->up ? 0 : 3;
	c->v[3] = counter(n->drop_rate, up, &w, tt);
	c->v[4] = counter(n->tx_rate, up, &w, tt);
	c->v[5] = c->v[4] / 1180;
	if (strcmp(n->name, "lo") == 0) {   /* loopback: what goes out comes in */
		c->v[4] = c->v[0];
		c->v[5] = c->v[1];
	}
	c->v[6] = 0;
	c->v[7] = 0;
}

static int write_nics(const char *root, const struct demo_spec *spec, const struct demo_host *h,
		      bool atomic, double t, struct strbuf *sb, struct vd_err *err)
{
	struct nic_counts c[DEMO_MAX_NICS], bond;
	memset(&bond, 0, sizeof bond);
	unsigned bond_i = 0;
	for (unsigned i = 0; i < h->nnics; i++) {
		nic_counts(spec, h, i, t, &c[i]);
		if (h->nic[i].bond_member)
			for (unsigned k = 0; k < 8; k++)
				bond.v[k] += c[i].v[k];
		if (strcmp(h->nic[i].name, "bond0") == 0)
			bond_i = i;
	}
	c[bond_i] = bond;
	static const char *const names[8] = {
		"rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
		"tx_bytes", "tx_packets", "tx_errors", "tx_dropped",
	};
	char rel[256];
	sb_append(sb, "Inter-|   Receive                                                |  Transmit\n"
		      " face |bytes    packets errs drop fifo frame compressed multicast|"
		      "bytes    packets errs drop fifo colls carrier compressed\n");
	for (unsigned i = 0; i < h->nnics; i++) {
		const uint64_t *v = c[i].v;
		for (unsigned k = 0; k < 8; k++) {
			snprintf(rel, sizeof rel, "sys/class/net/%s/statistics/%s", h->nic[i].name, names[k]);
			if (demo_writef(root, rel, atomic, err, "%" PRIu64 "\n", v[k]) < 0)
				return -1;
		}
		sb_appendf(sb, "%6s: %7" PRIu64 " %7" PRIu64 " %4" PRIu64 " %4" PRIu64 " %4u %5u %10u %9" PRIu64
			       " %8" PRIu64 " %7" PRIu64 " %4" PRIu64 " %4" PRIu64 " %4u %5u %7u %10u\n",
			   h->nic[i].name, v[0], v[1], v[2], v[3], 0, 0, 0, v[1] / 200,
			   v[4], v[5], v[6], v[7], 0, 0, 0, 0);
	}
	snprintf(rel, sizeof rel, "%s/proc/net/dev", root);
	int rc = demo_write(rel, sb->buf, sb->len, atomic, err);
	sb_reset(sb);
	return rc;
}

static double host_load(const struct demo_host *h)
{
	double u = 0.5 * h->running_vcpus / (h->ncpus ? h->ncpus : 1);
	return u < 0.03 ? 0.03 : u > 0.6 ? 0.6 : u;
}

static int write_stat(const char *root, const struct demo_spec *spec, const struct demo_host *h,
		      bool atomic, double t, struct strbuf *sb, struct vd_err *err)
{
	enum { USER, NICE, SYS, IDLE, IOWAIT, IRQ, SOFTIRQ, STEAL, GUEST, GUEST_NICE, NF };
	uint64_t total[NF] = { 0 };
	struct strbuf lines;
	sb_init(&lines);
	double load = host_load(h);
	for (unsigned cpu = 0; cpu < h->ncpus; cpu++) {
		struct demo_rng r;
		demo_rng_init(&r, spec->seed, 41 + cpu, h->index);
		double u = load * (0.5 + demo_rng_unit(&r));
		if (u > 0.65)
			u = 0.65;
		struct wave w = { 0.5, 30 + 200 * demo_rng_unit(&r) };
		static const struct wave flat = { 0, 1 };
		/* Rates in jiffies (USER_HZ 100) per second. */
		double up = h->uptime;
		double user = integral(100 * 0.6 * u, up, &w, t);
		double sys = integral(100 * 0.25 * u, up, &w, t);
		double irq = integral(100 * 0.02 * u, up, &w, t);
		double soft = integral(100 * 0.05 * u, up, &w, t);
		double iow = integral(100 * 0.02, up, &flat, t);
		double nice = integral(100 * 0.001, up, &flat, t);
		double guest = integral(100 * 0.45 * u, up, &w, t);  /* part of user */
		double idle = 100 * (up + t) - user - sys - irq - soft - iow - nice;
		uint64_t v[NF] = { (uint64_t)user, (uint64_t)nice, (uint64_t)sys, (uint64_t)idle,
				   (uint64_t)iow, (uint64_t)irq, (uint64_t)soft, 0, (uint64_t)guest, 0 };
		sb_appendf(&lines, "cpu%u", cpu);
		for (unsigned k = 0; k < NF; k++) {
			sb_appendf(&lines, " %" PRIu64, v[k]);
			total[k] += v[k];
		}
		sb_appendc(&lines, '\n');
	}
	sb_append(sb, "cpu ");
	for (unsigned k = 0; k < NF; k++)
		sb_appendf(sb, " %" PRIu64, total[k]);
	sb_appendc(sb, '\n');
	sb_append_n(sb, lines.buf, lines.len);
	sb_free(&lines);
	struct wave w;
	wave_of(spec, h, 1, &w);
	double busy = load * h->ncpus;
	uint64_t intr = counter(2500 * busy + 900, h->uptime, &w, t);
	sb_appendf(sb, "intr %" PRIu64 " 0 9 0 0 0 0 0 0 0 1 0 0 156 0 0 0\n", intr);
	sb_appendf(sb, "ctxt %" PRIu64 "\n", counter(4200 * busy + 1500, h->uptime, &w, t));
	sb_appendf(sb, "btime %u\n", DEMO_BOOT_EPOCH - (unsigned)h->uptime);
	sb_appendf(sb, "processes %" PRIu64 "\n", counter(9 + busy / 4, h->uptime, &w, t));
	sb_appendf(sb, "procs_running %u\nprocs_blocked %u\n",
		   1 + (unsigned)(busy * (1 + sin(t / w.period))), h->swapping ? 2 : 0);
	uint64_t soft = counter(1800 * busy + 500, h->uptime, &w, t);
	sb_appendf(sb, "softirq %" PRIu64 " 0 %" PRIu64 " 12 %" PRIu64 " %" PRIu64 " 0 %" PRIu64
		       " %" PRIu64 " 0 %" PRIu64 "\n",
		   soft, soft * 3 / 10, soft * 2 / 10, soft / 10, soft / 20, soft / 4, soft - soft * 9 / 10);
	char path[4096];
	snprintf(path, sizeof path, "%s/proc/stat", root);
	int rc = demo_write(path, sb->buf, sb->len, atomic, err);
	sb_reset(sb);
	return rc;
}

static int write_vmstat(const char *root, const struct demo_spec *spec, const struct demo_host *h,
			bool atomic, double t, struct strbuf *sb, struct vd_err *err)
{
	uint64_t free_kib = 0, vm_kib = 0, total = 0;
	for (unsigned n = 0; n < h->nnodes; n++) {
		const struct demo_node *d = &h->node[n];
		uint64_t want = (uint64_t)d->huge_nr * 2048 + d->vm_kib + d->overhead_kib;
		free_kib += want + d->mem_kib / 100 < d->mem_kib ? d->mem_kib - want : d->mem_kib / 100;
		vm_kib += d->vm_kib;
		total += d->mem_kib;
	}
	struct wave w;
	wave_of(spec, h, 2, &w);
	double up = h->uptime;
	double swin = h->swapping ? 40 : 0.002, swout = h->swapping ? 95 : 0.004;
	double busy = host_load(h) * h->ncpus;
	const struct { const char *name; uint64_t v; } rows[] = {
		{ "nr_free_pages", free_kib / 4 },
		{ "nr_zone_inactive_anon", vm_kib / 40 }, { "nr_zone_active_anon", vm_kib / 4 * 9 / 10 },
		{ "nr_zone_inactive_file", total / 400 }, { "nr_zone_active_file", total / 600 },
		{ "nr_zone_unevictable", 0 }, { "nr_zone_write_pending", 17 }, { "nr_mlock", 0 },
		{ "nr_bounce", 0 }, { "nr_zspages", 0 }, { "nr_free_cma", 0 },
		{ "numa_hit", counter(5200 * busy + 2000, up, &w, t) },
		{ "numa_miss", counter(3 + busy, up, &w, t) },
		{ "numa_foreign", counter(3 + busy, up, &w, t) },
		{ "numa_interleave", 61244 }, { "numa_local", counter(5180 * busy + 1990, up, &w, t) },
		{ "numa_other", counter(20 + busy * 3, up, &w, t) },
		{ "nr_inactive_anon", vm_kib / 40 }, { "nr_active_anon", vm_kib / 4 * 9 / 10 },
		{ "nr_inactive_file", total / 400 }, { "nr_active_file", total / 600 },
		{ "nr_unevictable", 0 }, { "nr_anon_pages", vm_kib / 4 }, { "nr_mapped", total / 3000 },
		{ "nr_file_pages", total / 240 }, { "nr_dirty", 17 }, { "nr_writeback", 0 },
		{ "nr_shmem", total / 40000 }, { "nr_anon_transparent_hugepages", vm_kib / 8192 },
		{ "pgpgin", counter(800 + swin * 4, up, &w, t) },
		{ "pgpgout", counter(2400 + swout * 4, up, &w, t) },
		{ "pswpin", counter(swin, up, &w, t) }, { "pswpout", counter(swout, up, &w, t) },
		{ "pgalloc_dma", 0 }, { "pgalloc_dma32", counter(90, up, &w, t) },
		{ "pgalloc_normal", counter(5300 * busy + 2000, up, &w, t) },
		{ "pgfree", counter(5400 * busy + 2100, up, &w, t) },
		{ "pgactivate", counter(300 + busy, up, &w, t) },
		{ "pgdeactivate", counter(40 + swout, up, &w, t) },
		{ "pgfault", counter(9000 * busy + 3000, up, &w, t) },
		{ "pgmajfault", counter(2 + swin, up, &w, t) },
		{ "pgsteal_kswapd", counter(swout * 3, up, &w, t) },
		{ "pgscan_kswapd", counter(swout * 4, up, &w, t) },
		{ "thp_fault_alloc", counter(0.5, up, &w, t) },
		{ "thp_split_pmd", counter(0.01, up, &w, t) },
	};
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
		sb_appendf(sb, "%s %" PRIu64 "\n", rows[i].name, rows[i].v);
	char path[4096];
	snprintf(path, sizeof path, "%s/proc/vmstat", root);
	int rc = demo_write(path, sb->buf, sb->len, atomic, err);
	sb_reset(sb);
	return rc;
}

int demo_counters_write(const char *root, const struct demo_spec *spec,
			const struct demo_host *h, double t, bool atomic, struct vd_err *err)
{
	if (t < 0)
		t = 0;
	struct strbuf sb;
	sb_init(&sb);
	int rc = -1;
	if (write_nics(root, spec, h, atomic, t, &sb, err) < 0 || write_stat(root, spec, h, atomic, t, &sb, err) < 0 ||
	    write_vmstat(root, spec, h, atomic, t, &sb, err) < 0)
		goto out;
	bool on = h->index % 4 != 1;
	uint64_t scans = on ? (uint64_t)((h->uptime + t) / h->ksm_period) : 0;
	if (demo_writef(root, "sys/kernel/mm/ksm/full_scans", atomic, err, "%" PRIu64 "\n", scans) < 0)
		goto out;
	rc = 0;
out:
	sb_free(&sb);
	return rc;
}
