/* view_cluster.c — one row per host: state, CPU with its recent history,
 * memory, NUMA balance, traffic, VMs, alerts and the age of the data; under
 * the rows, the memory overcommit of the whole cluster. */
#include "tui/tui_priv.h"
#include "core/units.h"
#include "metrics/host_metrics.h"
#include "model/overcommit.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

enum { C_HOST, C_STATE, C_CPU, C_HIST, C_MEM, C_MEMPCT, C_OVERC, C_NUMA, C_RX, C_TX, C_VMS, C_ALERT, C_AGE, C_NOTE, C_N };

static const struct tcol cols[C_N] = {
	[C_HOST] = { "HOST", 10, 0 },
	[C_STATE] = { "STATE", 10, 0 },
	[C_CPU] = { "CPU%", 5, TC_RIGHT | TC_NUM },
	[C_HIST] = { "CPU/NET HIST", 12, TC_CUSTOM | TC_NUM },
	[C_MEM] = { "MEM USED/TOT", 12, TC_RIGHT | TC_NUM },
	[C_MEMPCT] = { "MEM%", 4, TC_RIGHT | TC_NUM },
	[C_OVERC] = { "OVERCOMMIT", 11, TC_RIGHT | TC_NUM },
	[C_NUMA] = { "NUMA", 5, TC_RIGHT | TC_NUM },
	[C_RX] = { "RX b/s", 7, TC_RIGHT | TC_NUM },
	[C_TX] = { "TX b/s", 7, TC_RIGHT | TC_NUM },
	[C_VMS] = { "VMS", 7, TC_RIGHT | TC_NUM },
	[C_ALERT] = { "ALRT", 4, TC_RIGHT | TC_NUM },
	[C_AGE] = { "AGE", 5, TC_RIGHT | TC_NUM },
	[C_NOTE] = { "NOTE", 10, 0 },
};

struct cluster_view {
	struct table tb;
	char total[192];   /* the cluster's overcommit line */
	int total_warn;    /* some host swaps */
};

static struct table *table(struct tui *t)
{
	struct cluster_view *v = view_state(t, V_CLUSTER);
	return &v->tb;
}

static void draw_hist(struct tui *t, const struct trow *r, int col, int y, int x, int w, int attr)
{
	(void)col;
	if (!t->hist || r->ref >= t->c->nhosts) {
		put_text(y, x, w, "", attr, 1);
		return;
	}
	const struct host_hist *hh = &t->hist[r->ref];
	int use_cpu = 0;
	for (size_t i = 0; i < hh->n; i++)
		use_cpu |= hh->cpu[i] >= 0;
	int a = attr == theme_attr(EL_SELECTED) ? attr : theme_attr(EL_SPARK);
	put_spark(y, x, w, use_cpu ? hh->cpu : hh->net, hh->n, use_cpu ? 100.0 : 0, a);
}

static void init(struct tui *t, void *state)
{
	(void)t;
	struct cluster_view *v = state;
	table_init(&v->tb, cols, C_N, C_HOST);
	v->tb.draw_cell = draw_hist;
}

static void fini(void *state)
{
	struct cluster_view *v = state;
	table_free(&v->tb);
}

/* The OVERCOMMIT column's figures for the whole cluster, with the sums
 * they come from: a ratio alone hides whether it is 8G or 8T. */
static void total_line(struct tui *t, struct cluster_view *v)
{
	struct overcommit oc;
	char conf[32], phys[32], ksm[32], bal[32], in[32], out[32];
	overcommit_cluster(t->c, &oc);
	v->total_warn = oc.swap_in_rate > 0 || oc.swap_out_rate > 0;
	if (!oc.running || !oc.physical) {
		snprintf(v->total, sizeof v->total, " Cluster overcommit: - (%s) ",
			 oc.physical ? "no running VMs" : "host memory not known yet");
		return;
	}
	int n = snprintf(v->total, sizeof v->total,
			 " Cluster overcommit: %.2fx  %s of VM memory on %s, balloons reclaimed %s, "
			 "KSM saved %s, density %+.0f%% (measured)",
			 oc.ratio, size_format(oc.configured, conf, sizeof conf),
			 size_format(oc.physical, phys, sizeof phys),
			 size_format(oc.balloon_reclaimed, bal, sizeof bal),
			 oc.has_metrics ? size_format(oc.ksm_saved, ksm, sizeof ksm) : "-", 100 * oc.density_gain);
	if (v->total_warn && n > 0 && (size_t)n < sizeof v->total)
		snprintf(v->total + n, sizeof v->total - (size_t)n, ", swapping in %s/s out %s/s",
			 rate_format(oc.swap_in_rate > 0 ? oc.swap_in_rate : 0, in, sizeof in),
			 rate_format(oc.swap_out_rate > 0 ? oc.swap_out_rate : 0, out, sizeof out));
}

static void update(struct tui *t)
{
	struct table *tb = table(t);
	total_line(t, view_state(t, V_CLUSTER));
	/* 128 rows: cheap enough to rebuild every frame, which keeps ages live. */
	table_clear(tb);
	for (size_t i = 0; i < t->c->nhosts; i++) {
		struct host *h = &t->c->hosts[i];
		struct trow *r = table_add(tb, h->cfg->name, i);
		char a[32], b[32];
		int stale = host_data_stale(t->c, h, t->now_mono);
		row_cell(tb, r, C_HOST, 0, "%s", h->cfg->name);
		row_cell(tb, r, C_STATE, h->state, "%s%s", host_state_name(h->state), stale ? "*" : "");
		r->cell_style[C_STATE] = state_elem(h->state);
		double cpu = host_cpu_pct(h);
		if (cpu >= 0)
			row_cell(tb, r, C_CPU, cpu, "%.0f", cpu);
		else
			row_cell(tb, r, C_CPU, -1, "-");
		row_cell(tb, r, C_HIST, cpu, "%s", "");
		uint64_t used, total;
		if (host_mem(h, &used, &total) == 0) {
			double pct = total ? 100.0 * (double)used / (double)total : 0;
			row_cell(tb, r, C_MEM, (double)used, "%s/%s", size_format(used, a, sizeof a),
				 size_format(total, b, sizeof b));
			row_cell(tb, r, C_MEMPCT, pct, "%.0f", pct);
			if (pct > 90)
				r->cell_style[C_MEMPCT] = EL_CRIT;
		} else {
			row_cell(tb, r, C_MEM, -1, "-");
			row_cell(tb, r, C_MEMPCT, -1, "-");
		}
		struct overcommit oc;
		overcommit_host(h, &oc);
		if (oc.physical && oc.running)
			row_cell(tb, r, C_OVERC, oc.ratio, "%.2fx %+.0f%%", oc.ratio, 100 * oc.density_gain);
		else
			row_cell(tb, r, C_OVERC, -1, "-");
		if (oc.swap_in_rate > 0 || oc.swap_out_rate > 0)
			r->cell_style[C_OVERC] = EL_WARN;
		double spread = host_numa_spread(h);
		if (spread >= 0)
			row_cell(tb, r, C_NUMA, spread, "%.0f", spread);
		else
			row_cell(tb, r, C_NUMA, -1, "%s", h->numa_cells > 1 ? "?" : "-");
		if (spread > 30)
			r->cell_style[C_NUMA] = EL_WARN;
		double rx, tx;
		if (host_net(h, &rx, &tx) == 0) {
			row_cell(tb, r, C_RX, rx, "%s", rate_format(rx, a, sizeof a));
			row_cell(tb, r, C_TX, tx, "%s", rate_format(tx, b, sizeof b));
		} else {
			row_cell(tb, r, C_RX, -1, "-");
			row_cell(tb, r, C_TX, -1, "-");
		}
		size_t run = 0;
		for (size_t d = 0; d < h->ndoms; d++)
			run += h->doms[d].state == DOM_RUNNING;
		row_cell(tb, r, C_VMS, (double)h->ndoms, "%zu/%zu", run, h->ndoms);
		int worst;
		size_t na = host_alert_count(h, &worst);
		row_cell(tb, r, C_ALERT, (double)na, "%zu", na);
		if (na)
			r->cell_style[C_ALERT] = worst >= ALERT_CRIT ? EL_CRIT : EL_WARN;
		double age = host_data_age(h, t->now_mono);
		row_cell(tb, r, C_AGE, age, "%s", age_text(age, a, sizeof a));
		if (stale)
			r->cell_style[C_AGE] = EL_STALE;
		const char *note = h->libvirt_error ? h->libvirt_error : h->shell_error ? h->shell_error :
			!h->metrics && h->polls ? "libvirt only" : "";
		row_cell(tb, r, C_NOTE, 0, "%s", note);
		if (h->state == HOST_DOWN)
			r->style = EL_DOWN;
		row_done(tb, r);
	}
}

static void draw(struct tui *t, int y0, int h)
{
	struct cluster_view *v = view_state(t, V_CLUSTER);
	if (h < 3) {
		table_draw(t, &v->tb, y0, h);
		return;
	}
	table_draw(t, &v->tb, y0, h - 1);
	put_text(y0 + h - 1, 0, COLS, v->total, theme_attr(v->total_warn ? EL_WARN : EL_ACCENT), 1);
}

static int key(struct tui *t, enum action a, int ch)
{
	(void)ch;
	if (a == ACT_ENTER) {
		const struct trow *r = table_selected(table(t));
		if (r)
			host_view_open(t, r->ref);
		return 1;
	}
	return table_key(table(t), a);
}

static const enum action help[] = {
	ACT_ENTER, ACT_FILTER, ACT_SORT, ACT_REVERSE, ACT_MARK, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN,
	ACT_TOP, ACT_BOTTOM, ACT_NONE,
};

const struct view_ops view_cluster = {
	.name = "cluster",
	.state_size = sizeof(struct cluster_view),
	.init = init,
	.fini = fini,
	.update = update,
	.draw = draw,
	.key = key,
	.table = table,
	.help = help,
	.help_extra = "STATE* = stale data (a source silent past the connect timeout);\n"
		      "AGE = age of the oldest data (libvirt or the host's files).\n"
		      "OVERCOMMIT = running VMs' memory / host memory, then the measured density\n"
		      "gain from KSM and ballooning (yellow: the host swaps); see vdeck.overcommit().\n"
		      "The last line sums it for the cluster: VM memory, balloons, KSM, density.\n"
		      "NUMA = spread of free memory across NUMA nodes (percent points).\n"
		      "CPU/NET HIST = CPU% history (traffic when CPU is unknown).",
};
