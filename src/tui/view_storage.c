/* view_storage.c — the Storage view: one row per datastore (the hosts'
 * pools merged, model/datastore.h) with an allocation bar, thin overcommit,
 * hosts, VMs and alerts; Enter lists the datastore's volumes (format,
 * sizes, backing file) and VMs, and Enter on a VM opens it. */
#include "tui/tui_priv.h"
#include "core/units.h"
#include "model/datastore.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

enum { C_NAME, C_TYPE, C_HOSTS, C_CAP, C_BAR, C_PCT, C_VIRT, C_OVER, C_VMS, C_ALERT, C_N };

static const struct tcol cols[C_N] = {
	[C_NAME] = { "DATASTORE", 12, 0 },
	[C_TYPE] = { "TYPE", 6, 0 },
	[C_HOSTS] = { "HOSTS", 5, TC_RIGHT | TC_NUM },
	[C_CAP] = { "CAPACITY", 8, TC_RIGHT | TC_NUM },
	[C_BAR] = { "ALLOCATED", 12, TC_CUSTOM | TC_NUM },
	[C_PCT] = { "ALLOC%", 6, TC_RIGHT | TC_NUM },
	[C_VIRT] = { "VIRTUAL", 8, TC_RIGHT | TC_NUM },
	[C_OVER] = { "OVERCOMMIT", 10, TC_RIGHT | TC_NUM },
	[C_VMS] = { "VMS", 5, TC_RIGHT | TC_NUM },
	[C_ALERT] = { "ALERTS", 10, 0 },
};

enum { D_KIND, D_NAME, D_HOST, D_FORMAT, D_CAP, D_ALLOC, D_INFO, D_N };

static const struct tcol detail_cols[D_N] = {
	[D_KIND] = { "KIND", 6, 0 },
	[D_NAME] = { "NAME", 20, 0 },
	[D_HOST] = { "HOST", 10, 0 },
	[D_FORMAT] = { "FORMAT", 6, 0 },
	[D_CAP] = { "CAPACITY", 8, TC_RIGHT | TC_NUM },
	[D_ALLOC] = { "ALLOCATED", 9, TC_RIGHT | TC_NUM },
	[D_INFO] = { "BACKING FILE / STATE", 10, 0 },
};

struct storage_view {
	struct table tb, detail;
	int          in_detail;
	char         key[512];      /* the datastore shown in detail */
	unsigned     generation;
	int          built;
};

static struct storage_view *state(struct tui *t)
{
	return view_state(t, V_STORAGE);
}

static struct table *table(struct tui *t)
{
	struct storage_view *v = state(t);
	return v->in_detail ? &v->detail : &v->tb;
}

static void draw_bar(struct tui *t, const struct trow *r, int col, int y, int x, int w, int attr)
{
	(void)t;
	double frac = r->num[col] / 100.0;
	if (attr == theme_attr(EL_SELECTED)) {
		put_text(y, x, w, "", attr, 1);
		return;
	}
	put_bar(y, x, w, frac > 1 ? 1 : frac, theme_attr(frac > DATASTORE_FULL_PCT / 100.0 ? EL_CRIT : EL_SPARK),
		theme_attr(EL_NORMAL));
}

static void init(struct tui *t, void *st)
{
	(void)t;
	struct storage_view *v = st;
	table_init(&v->tb, cols, C_N, C_NAME);
	v->tb.draw_cell = draw_bar;
	table_init(&v->detail, detail_cols, D_N, D_KIND);
}

static void fini(void *st)
{
	struct storage_view *v = st;
	table_free(&v->tb);
	table_free(&v->detail);
}

static void datastore_row(struct tui *t, struct table *tb, const struct datastore *d, size_t i)
{
	char a[32], b[32];
	struct trow *r = table_add(tb, d->key, i);
	row_cell(tb, r, C_NAME, 0, "%s", d->name);
	row_cell(tb, r, C_TYPE, 0, "%s%s", d->type, d->shared ? "*" : "");
	row_cell(tb, r, C_HOSTS, (double)d->nmembers, "%zu", d->nmembers);
	row_cell(tb, r, C_CAP, (double)d->capacity, "%s", size_format(d->capacity, a, sizeof a));
	double pct = d->capacity ? 100.0 * (double)d->allocation / (double)d->capacity : 0;
	row_cell(tb, r, C_BAR, pct, "%s", "");
	row_cell(tb, r, C_PCT, pct, "%.0f", pct);
	if (pct > DATASTORE_FULL_PCT)
		r->cell_style[C_PCT] = EL_CRIT;
	double over = datastore_overcommit(d);
	row_cell(tb, r, C_VIRT, (double)d->virtual_size, "%s", size_format(d->virtual_size, b, sizeof b));
	row_cell(tb, r, C_OVER, over, "%.2f", over);
	if (over > DATASTORE_OVERCOMMIT_MAX)
		r->cell_style[C_OVER] = EL_WARN;
	row_cell(tb, r, C_VMS, (double)d->nvms, "%zu", d->nvms);
	char msgs[4][256];
	size_t na = datastore_alerts(d, t->c, DATASTORE_FULL_PCT, DATASTORE_OVERCOMMIT_MAX, msgs, 4);
	row_cell(tb, r, C_ALERT, (double)na, "%s", na ? msgs[0] : "");
	if (na)
		r->cell_style[C_ALERT] = EL_WARN;
	row_done(tb, r);
}

static void detail_rows(struct tui *t, struct table *tb, const struct datastore *d)
{
	char a[32], b[32];
	/* volumes: from each member; a shared one is listed by its first host */
	for (size_t m = 0; m < d->nmembers; m++) {
		const struct host *h = &t->c->hosts[d->members[m].host];
		const struct pool_info *p = &h->pools[d->members[m].pool];
		for (size_t i = 0; i < p->nvols; i++) {
			const struct pool_volume *vol = &p->vols[i];
			char key[600];
			snprintf(key, sizeof key, "vol:%s", vol->path ? vol->path : "");
			int dup = 0;
			for (size_t k = 0; k < tb->nrows && !dup; k++)
				dup = !strcmp(tb->rows[k].key, key);
			if (dup)
				continue;
			struct trow *r = table_add(tb, key, (size_t)-1);
			row_cell(tb, r, D_KIND, 0, "volume");
			row_cell(tb, r, D_NAME, 0, "%s", vol->name ? vol->name : "");
			row_cell(tb, r, D_HOST, 0, "%s", h->cfg->name);
			row_cell(tb, r, D_FORMAT, 0, "%s", vol->format);
			row_cell(tb, r, D_CAP, (double)vol->capacity, "%s", size_format(vol->capacity, a, sizeof a));
			row_cell(tb, r, D_ALLOC, (double)vol->allocation, "%s", size_format(vol->allocation, b, sizeof b));
			row_cell(tb, r, D_INFO, 0, "%s", vol->backing ? vol->backing : "");
			row_done(tb, r);
		}
	}
	for (size_t i = 0; i < d->nvms; i++) {
		const struct host *h = &t->c->hosts[d->vms[i].host];
		const struct domain *dom = &h->doms[d->vms[i].dom];
		char key[300];
		snprintf(key, sizeof key, "vm:%s/%s", h->cfg->name, dom->info.name);
		struct trow *r = table_add(tb, key, d->vms[i].host);
		row_cell(tb, r, D_KIND, 0, "vm");
		row_cell(tb, r, D_NAME, 0, "%s", dom->info.name);
		row_cell(tb, r, D_HOST, 0, "%s", h->cfg->name);
		row_cell(tb, r, D_FORMAT, 0, "%s", "");
		row_cell(tb, r, D_CAP, -1, "%s", "");
		row_cell(tb, r, D_ALLOC, -1, "%s", "");
		row_cell(tb, r, D_INFO, 0, "%s", dom_state_name(dom->state));
		row_done(tb, r);
	}
}

/* Rebuilt when the model changed (3000 VMs: a few ms). */
static void update(struct tui *t)
{
	struct storage_view *v = state(t);
	if (v->built && v->generation == t->c->generation)
		return;
	v->built = 1;
	v->generation = t->c->generation;
	struct datastore_list l;
	datastores_build(t->c, &l);
	table_clear(&v->tb);
	table_clear(&v->detail);
	for (size_t i = 0; i < l.n; i++) {
		datastore_row(t, &v->tb, &l.v[i], i);
		if (v->in_detail && !strcmp(l.v[i].key, v->key))
			detail_rows(t, &v->detail, &l.v[i]);
	}
	datastore_list_free(&l);
}

static void draw(struct tui *t, int y0, int h)
{
	table_draw(t, table(t), y0, h);
}

static int key(struct tui *t, enum action a, int ch)
{
	(void)ch;
	struct storage_view *v = state(t);
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

const struct view_ops view_storage = {
	.name = "storage",
	.state_size = sizeof(struct storage_view),
	.init = init,
	.fini = fini,
	.update = update,
	.draw = draw,
	.key = key,
	.table = table,
	.help = help,
	.help_extra = "A datastore is the storage behind the hosts' pools: the same NFS export,\n"
		      "iSCSI target, RBD pool, or a dir pool defined with one UUID on several\n"
		      "hosts is one row (TYPE* = shared).  OVERCOMMIT = virtual sizes / capacity.\n"
		      "Enter: its volumes and VMs; Enter on a VM opens it.",
};
