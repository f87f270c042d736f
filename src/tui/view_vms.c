/* view_vms.c — every VM of the cluster in one table (3000 rows): rows are
 * rebuilt only when the model generation or the host restriction changed;
 * filtering and sorting work on the table's index. */
#include "tui/tui_priv.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "model/numa_locality.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_NAME, C_HOST, C_STATE, C_VCPU, C_MEM, C_BALLOON, C_NUMA, C_LOC, C_DISKS, C_DISKCAP, C_SNAP, C_CPU, C_NET, C_MODE, C_N };

static const struct tcol cols[C_N] = {
	[C_NAME] = { "NAME", 22, 0 },
	[C_HOST] = { "HOST", 10, 0 },
	[C_STATE] = { "STATE", 9, 0 },
	[C_VCPU] = { "VCPU", 4, TC_RIGHT | TC_NUM },
	[C_MEM] = { "MEM", 6, TC_RIGHT | TC_NUM },
	[C_BALLOON] = { "BALLOON", 7, TC_RIGHT | TC_NUM },
	[C_NUMA] = { "NUMA", 6, 0 },
	[C_LOC] = { "LOC%", 5, TC_RIGHT | TC_NUM },
	[C_DISKS] = { "DISKS", 5, TC_RIGHT | TC_NUM },
	[C_DISKCAP] = { "DISK CAP", 8, TC_RIGHT | TC_NUM },
	[C_SNAP] = { "SNAP", 4, TC_RIGHT | TC_NUM },
	[C_CPU] = { "CPU%", 5, TC_RIGHT | TC_NUM },
	[C_NET] = { "NET b/s", 10, TC_RIGHT | TC_NUM },
	[C_MODE] = { "MODE", 14, 0 },
};

/* The NIC modes of a VM, each once, in the order of its NICs: "bridge",
 * "ovs+hostdev"; "-" without NICs. */
static void nic_modes_text(const struct dom_info *in, char *buf, size_t len)
{
	unsigned seen = 0;
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < in->nnics; i++) {
		unsigned bit = 1u << in->nics[i].mode;
		if (seen & bit)
			continue;
		seen |= bit;
		int n = snprintf(buf + off, len - off, "%s%s", off ? "+" : "", nic_mode_name(in->nics[i].mode));
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

struct vms_view {
	struct table         tb;
	char                *host;       /* :vms @HOST, NULL all */
	/* Rows follow the model at most once a second (or at once when forced
	 * by gen = generation - 1), so keystrokes only re-filter. */
	unsigned             gen;
	double               built;      /* when the rows were last rebuilt */
	struct actions_menu *menu;
};

static struct table *table(struct tui *t)
{
	struct vms_view *v = view_state(t, V_VMS);
	return &v->tb;
}

static void init(struct tui *t, void *state)
{
	struct vms_view *v = state;
	table_init(&v->tb, cols, C_N, C_NAME);
	v->gen = t->c->generation - 1;
	v->menu = actions_new(&v->tb);
}

static void fini(void *state)
{
	struct vms_view *v = state;
	actions_free(&v->menu);
	table_free(&v->tb);
	free(v->host);
}

void vms_view_restrict(struct tui *t, const char *host)
{
	struct vms_view *v = view_state(t, V_VMS);
	free(v->host);
	v->host = host ? x_strdup(host) : NULL;
	v->gen = t->c->generation - 1;
}

static int dom_elem(enum dom_state s)
{
	switch (s) {
	case DOM_RUNNING: return EL_UP;
	case DOM_PAUSED: case DOM_PMSUSPENDED: return EL_WARN;
	case DOM_CRASHED: return EL_CRIT;
	default: return EL_DIM;
	}
}

static void update(struct tui *t)
{
	struct vms_view *v = view_state(t, V_VMS);
	struct table *tb = &v->tb;
	if (v->gen == t->c->generation || (v->gen + 1 != t->c->generation && t->now_mono - v->built < 1.0))
		return;
	v->built = t->now_mono;
	v->gen = t->c->generation;
	table_clear(tb);
	size_t rows = 0;
	for (size_t i = 0; i < t->c->nhosts; i++)
		if (!v->host || !strcmp(v->host, t->c->hosts[i].cfg->name))
			rows += t->c->hosts[i].ndoms;
	table_reserve(tb, rows);
	char a[32], key[200], nodes[64];
	for (size_t i = 0; i < t->c->nhosts; i++) {
		struct host *h = &t->c->hosts[i];
		if (v->host && strcmp(v->host, h->cfg->name))
			continue;
		for (size_t k = 0; k < h->ndoms; k++) {
			const struct domain *d = &h->doms[k];
			snprintf(key, sizeof key, "%s/%s", h->cfg->name, d->info.name);
			struct trow *r = table_add(tb, key, i);
			row_cell(tb, r, C_NAME, 0, "%s", d->info.name);
			row_cell(tb, r, C_HOST, 0, "%s", h->cfg->name);
			row_cell(tb, r, C_STATE, d->state, "%s", dom_state_name(d->state));
			r->cell_style[C_STATE] = dom_elem(d->state);
			row_cell(tb, r, C_VCPU, d->info.vcpus, "%u", d->info.vcpus);
			row_cell(tb, r, C_MEM, (double)d->info.max_memory, "%s",
				 size_format(d->info.max_memory ? d->info.max_memory : d->info.memory, a, sizeof a));
			uint64_t bal = d->stats.valid && d->stats.balloon_current ? d->stats.balloon_current : d->info.memory;
			row_cell(tb, r, C_BALLOON, (double)bal, "%s", size_format(bal, a, sizeof a));
			numa_mask_text(dom_numa_mask(h, d), nodes, sizeof nodes);
			row_cell(tb, r, C_NUMA, 0, "%s", nodes);
			double loc = domain_numa_locality(h, d);
			if (loc >= 0)
				row_cell(tb, r, C_LOC, loc, "%.0f", 100 * loc);
			else
				row_cell(tb, r, C_LOC, -1, "-");
			uint64_t cap = 0;
			for (size_t j = 0; j < d->info.ndisks; j++)
				cap += d->info.disks[j].capacity;
			row_cell(tb, r, C_DISKS, (double)d->info.ndisks, "%zu", d->info.ndisks);
			if (cap)
				row_cell(tb, r, C_DISKCAP, (double)cap, "%s", size_format(cap, a, sizeof a));
			else
				row_cell(tb, r, C_DISKCAP, 0, "-");
			row_cell(tb, r, C_SNAP, d->snapshots, "%d", d->snapshots);
			if (d->stats.valid && d->state == DOM_RUNNING)
				row_cell(tb, r, C_CPU, d->stats.cpu_util, "%.0f", d->stats.cpu_util);
			else
				row_cell(tb, r, C_CPU, -1, "-");
			if (d->stats.valid && d->stats.rx_bps >= 0) {
				double net = d->stats.rx_bps + (d->stats.tx_bps > 0 ? d->stats.tx_bps : 0);
				row_cell(tb, r, C_NET, net, "%s", rate_format(net, a, sizeof a));
			} else {
				row_cell(tb, r, C_NET, -1, "-");
			}
			char modes[64];
			nic_modes_text(&d->info, modes, sizeof modes);
			row_cell(tb, r, C_MODE, 0, "%s", modes);
			if (h->state == HOST_DOWN || host_source_stale(t->c, h, HOST_SRC_LIBVIRT, t->now_mono))
				r->style = EL_STALE;
			row_done(tb, r);
		}
	}
}

static void draw(struct tui *t, int y0, int h)
{
	struct vms_view *v = view_state(t, V_VMS);
	if (v->host) {
		char b[128];
		snprintf(b, sizeof b, " VMs on %s (:vms for all) ", v->host);
		put_text(y0, 0, COLS, b, theme_attr(EL_ACCENT), 1);
		y0++;
		h--;
	}
	table_draw(t, &v->tb, y0, h);
	actions_draw(v->menu, y0, h);
}

static int key(struct tui *t, enum action a, int ch)
{
	struct vms_view *v = view_state(t, V_VMS);
	if (actions_key(t, v->menu, a, ch))
		return 1;
	if (a == ACT_ENTER) {
		const struct trow *r = table_selected(&v->tb);
		if (!r)
			return 1;
		const char *slash = strchr(r->key, '/');
		char host[64];
		snprintf(host, sizeof host, "%.*s", (int)(slash - r->key), r->key);
		vm_view_open(t, host, slash + 1);
		return 1;
	}
	return table_key(&v->tb, a);
}

static const enum action help[] = {
	ACT_ENTER, ACT_ACTIONS, ACT_FILTER, ACT_SORT, ACT_REVERSE, ACT_MARK, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN,
	ACT_TOP, ACT_BOTTOM, ACT_NONE,
};

const struct view_ops view_vms = {
	.name = "vms",
	.state_size = sizeof(struct vms_view),
	.init = init,
	.fini = fini,
	.update = update,
	.draw = draw,
	.key = key,
	.table = table,
	.help = help,
	.help_extra = ":vms @HOST shows one host's VMs, :vms /REGEX filters, :vms alone shows all.\n"
		      "MEM = maximum, BALLOON = current balloon; NUMA = host nodes from pins, numatune\n"
		      "or resident memory; LOC% = share of its memory on its vCPUs' node(s)\n"
		      "(unpinned: on its fullest node); MODE = how the NICs reach the host (bridge,\n"
		      "network, ovs, direct = macvtap, hostdev = SR-IOV VF, vhostuser); dim rows = host\n"
		      "down or data stale.\n"
		      "Space marks rows: operations (a) apply to the marked VMs, else to the selected one.",
};
