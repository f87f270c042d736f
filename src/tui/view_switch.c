/* view_switch.c — the Switches view: one row per distributed switch and
 * host it selects (model/switch_state.h): converged, missing, drifted with
 * the fields that differ, or unknown, and why.  Enter lists the switch's
 * portgroups against the host's (VLAN, bandwidth, filter) and the VM NICs
 * on its network there; Enter on a NIC opens its VM. */
#include "tui/tui_priv.h"
#include "model/switch_state.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_SWITCH, C_HOST, C_STATE, C_DRIFT, C_PGS, C_NICS, C_WHY, C_N };

static const struct tcol cols[C_N] = {
	[C_SWITCH] = { "SWITCH", 10, 0 },
	[C_HOST] = { "HOST", 10, 0 },
	[C_STATE] = { "STATE", 9, 0 },
	[C_DRIFT] = { "DRIFT", 34, 0 },
	[C_PGS] = { "PORTGROUPS", 10, TC_RIGHT | TC_NUM },
	[C_NICS] = { "NICS", 5, TC_RIGHT | TC_NUM },
	[C_WHY] = { "WHY", 20, 0 },
};

enum { D_KIND, D_NAME, D_VLAN, D_HOSTVLAN, D_BW, D_FILTER, D_N };

static const struct tcol detail_cols[D_N] = {
	[D_KIND] = { "KIND", 10, 0 },
	[D_NAME] = { "NAME", 14, 0 },
	[D_VLAN] = { "VLAN", 12, 0 },
	[D_HOSTVLAN] = { "HOST HAS", 12, 0 },
	[D_BW] = { "BANDWIDTH IN/OUT", 16, 0 },
	[D_FILTER] = { "FILTER / MAC", 12, 0 },
};

struct switch_view {
	struct table tb, detail;
	int          in_detail;
	char         key[256];      /* "switch/host" shown in detail */
	unsigned     generation;
	int          built;
};

static struct switch_view *state(struct tui *t)
{
	return view_state(t, V_SWITCH);
}

static struct table *table(struct tui *t)
{
	struct switch_view *v = state(t);
	return v->in_detail ? &v->detail : &v->tb;
}

static void init(struct tui *t, void *st)
{
	(void)t;
	struct switch_view *v = st;
	table_init(&v->tb, cols, C_N, C_SWITCH);
	table_init(&v->detail, detail_cols, D_N, D_KIND);
}

static void fini(void *st)
{
	struct switch_view *v = st;
	table_free(&v->tb);
	table_free(&v->detail);
}

static int nic_on(const struct dom_nic *nic, const char *net)
{
	return nic->source && !strcmp(nic->source, net) &&
	       (!strcmp(nic->type, "network") || !strcmp(nic->type, "bridge"));
}

static size_t nics_on(const struct host *h, const char *net)
{
	size_t n = 0;
	for (size_t d = 0; d < h->ndoms; d++)
		for (size_t k = 0; k < h->doms[d].info.nnics; k++)
			n += nic_on(&h->doms[d].info.nics[k], net);
	return n;
}

/* "100", "10,20 trunk", "-" */
static void vlan_text(const struct net_portgroup *pg, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; pg && i < pg->ntags && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", pg->tags[i]);
	if (!pg || !pg->ntags)
		snprintf(buf, len, "-");
	else if (pg->trunk && o < len)
		snprintf(buf + o, len - o, " trunk");
}

static void status_row(struct tui *t, const struct switch_config *sw, const struct switch_host_status *st)
{
	const struct host *h = &t->c->hosts[st->host];
	char key[256], fields[128];
	snprintf(key, sizeof key, "%s/%s", sw->name, h->cfg->name);
	switch_fields_text(st->fields, fields, sizeof fields);
	struct trow *r = table_add(&state(t)->tb, key, st->host);
	row_cell(&state(t)->tb, r, C_SWITCH, 0, "%s", sw->name);
	row_cell(&state(t)->tb, r, C_HOST, 0, "%s", h->cfg->name);
	row_cell(&state(t)->tb, r, C_STATE, (double)st->state, "%s", switch_state_name(st->state));
	r->cell_style[C_STATE] = st->state == SWS_CONVERGED ? EL_NORMAL : st->state == SWS_UNKNOWN ? EL_DIM : EL_WARN;
	row_cell(&state(t)->tb, r, C_DRIFT, 0, "%s", fields[0] ? fields : "-");
	row_cell(&state(t)->tb, r, C_PGS, (double)sw->net.npgs, "%zu", sw->net.npgs);
	size_t n = nics_on(h, sw->name);
	row_cell(&state(t)->tb, r, C_NICS, (double)n, "%zu", n);
	row_cell(&state(t)->tb, r, C_WHY, 0, "%s", st->state == SWS_CONVERGED ? "" : st->why);
	row_done(&state(t)->tb, r);
}

static void detail_rows(struct tui *t, const struct switch_config *sw, const struct switch_host_status *st)
{
	struct table *tb = &state(t)->detail;
	const struct host *h = &t->c->hosts[st->host];
	for (size_t i = 0; i < sw->net.npgs; i++) {
		const struct net_portgroup *pg = &sw->net.pgs[i];
		const struct net_portgroup *have = st->have ? net_def_portgroup(st->have, pg->name) : NULL;
		char key[128], want[64], got[64];
		snprintf(key, sizeof key, "pg:%s", pg->name);
		vlan_text(pg, want, sizeof want);
		vlan_text(have, got, sizeof got);
		struct trow *r = table_add(tb, key, (size_t)-1);
		row_cell(tb, r, D_KIND, 0, "%s", pg->is_default ? "portgroup*" : "portgroup");
		row_cell(tb, r, D_NAME, 0, "%s", pg->name);
		row_cell(tb, r, D_VLAN, 0, "%s", want);
		row_cell(tb, r, D_HOSTVLAN, 0, "%s", have ? got : "(none)");
		if (!have || net_portgroup_compare(pg, have))
			r->cell_style[D_HOSTVLAN] = EL_WARN;
		row_cell(tb, r, D_BW, 0, "%llu/%llu", (unsigned long long)pg->in.average,
			 (unsigned long long)pg->out.average);
		row_cell(tb, r, D_FILTER, 0, "%s", pg->filter[0] ? pg->filter : "-");
		row_done(tb, r);
	}
	for (size_t d = 0; d < h->ndoms; d++) {
		const struct domain *dom = &h->doms[d];
		for (size_t k = 0; k < dom->info.nnics; k++) {
			const struct dom_nic *nic = &dom->info.nics[k];
			if (!nic_on(nic, sw->name))
				continue;
			char key[300];
			snprintf(key, sizeof key, "vm:%s/%s", h->cfg->name, dom->info.name);
			struct trow *r = table_add(tb, key, st->host);
			row_cell(tb, r, D_KIND, 0, "nic");
			row_cell(tb, r, D_NAME, 0, "%s", dom->info.name);
			row_cell(tb, r, D_VLAN, 0, "%s", nic->portgroup[0] ? nic->portgroup : "-");
			if (nic->vlan)
				row_cell(tb, r, D_HOSTVLAN, 0, "own %u", nic->vlan);
			else
				row_cell(tb, r, D_HOSTVLAN, 0, "%s", "");
			row_cell(tb, r, D_BW, 0, "%s", dom_state_name(dom->state));
			row_cell(tb, r, D_FILTER, 0, "%s", nic->mac);
			row_done(tb, r);
		}
	}
}

/* Rebuilt when the model changed. */
static void update(struct tui *t)
{
	struct switch_view *v = state(t);
	if (v->built && v->generation == t->c->generation)
		return;
	v->built = 1;
	v->generation = t->c->generation;
	table_clear(&v->tb);
	table_clear(&v->detail);
	const struct inventory *inv = t->c->inv;
	for (size_t i = 0; inv && i < inv->nswitches; i++) {
		const struct switch_config *sw = &inv->switches[i];
		struct switch_host_status *st;
		size_t n = switch_status(t->c, sw, &st);
		for (size_t k = 0; k < n; k++) {
			status_row(t, sw, &st[k]);
			char key[256];
			snprintf(key, sizeof key, "%s/%s", sw->name, t->c->hosts[st[k].host].cfg->name);
			if (v->in_detail && !strcmp(key, v->key))
				detail_rows(t, sw, &st[k]);
		}
		free(st);
	}
}

static void draw(struct tui *t, int y0, int h)
{
	if (!t->c->inv || !t->c->inv->nswitches) {
		put_text(y0 + 1, 2, COLS - 4, "The inventory declares no switch { } (see README: Distributed switches).",
			 theme_attr(EL_DIM), 0);
		return;
	}
	table_draw(t, table(t), y0, h);
}

static int key(struct tui *t, enum action a, int ch)
{
	(void)ch;
	struct switch_view *v = state(t);
	if (a == ACT_ENTER) {
		const struct trow *r = table_selected(table(t));
		if (!r)
			return 1;
		if (!v->in_detail) {
			snprintf(v->key, sizeof v->key, "%s", r->key);
			v->in_detail = 1;
			v->built = 0;
		} else if (!strncmp(r->key, "vm:", 3) && r->ref < t->c->nhosts) {
			const char *slash = strchr(r->key + 3, '/');
			if (slash)
				vm_view_open(t, t->c->hosts[r->ref].cfg->name, slash + 1);
		}
		t->dirty = 1;
		return 1;
	}
	if (a == ACT_BACK && v->in_detail) {
		v->in_detail = 0;
		t->dirty = 1;
		return 1;
	}
	return table_key(table(t), a);
}

static const enum action help[] = {
	ACT_ENTER, ACT_BACK, ACT_FILTER, ACT_SORT, ACT_REVERSE, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN,
	ACT_TOP, ACT_BOTTOM, ACT_NONE,
};

const struct view_ops view_switch = {
	.name = "switches",
	.state_size = sizeof(struct switch_view),
	.init = init,
	.fini = fini,
	.update = update,
	.draw = draw,
	.key = key,
	.table = table,
	.help = help,
	.help_extra = "A switch { } of the inventory is one libvirt network defined alike on its hosts.\n"
		      "STATE: converged, missing, drifted (DRIFT names the fields) or unknown.\n"
		      "Enter: its portgroups against the host's (* = default) and the NICs on it;\n"
		      "Enter on a NIC opens its VM.  Converge with the runbook switch-apply.",
};
