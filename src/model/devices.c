/* devices.c — joining libvirt's and the host's views of GPUs and LUNs, and
 * finding the domains that use them. */
#include "model/devices.h"
#include "metrics/host_metrics.h"
#include "metrics/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void host_gpus(const struct host *h, struct gpu_inv *out)
{
	gpu_inv_copy(out, &h->gpus);
	if (h->metrics)
		gpu_inv_merge(out, &h->metrics->gpus);
	gpu_inv_sort(out);
}

void host_luns(const struct host *h, struct lun_list *out)
{
	memset(out, 0, sizeof *out);
	if (h->metrics)
		lun_list_copy(out, &h->metrics->luns);
	lun_list_merge(out, &h->san_luns);
}

const struct domain *host_mdev_user(const struct host *h, const char *uuid)
{
	for (size_t i = 0; uuid && i < h->ndoms; i++)
		for (size_t k = 0; k < h->doms[i].info.nhostdevs; k++) {
			const struct dom_hostdev *hd = &h->doms[i].info.hostdevs[k];
			if (!strcmp(hd->type, "mdev") && !strcasecmp(hd->uuid, uuid))
				return &h->doms[i];
		}
	return NULL;
}

const struct host *cluster_mdev_host(const struct cluster *c, const char *uuid, const struct host *skip)
{
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host *h = &c->hosts[i];
		if (h == skip)
			continue;
		if (gpu_find_mdev(&h->gpus, uuid) || (h->metrics && gpu_find_mdev(&h->metrics->gpus, uuid)))
			return h;
	}
	return NULL;
}

int gpu_inv_free_instances(const struct gpu_inv *inv, const char *type)
{
	int total = -1;
	for (size_t i = 0; i < inv->ngpus; i++) {
		const struct gpu_type *t = gpu_find_type(&inv->gpus[i], type);
		if (t)
			total = (total < 0 ? 0 : total) + (t->available > 0 ? t->available : 0);
	}
	return total;
}

void lun_ident_of(const struct host *h, const struct lun *u, struct lun_ident *id)
{
	memset(id, 0, sizeof *id);
	text_copy(id->wwn, sizeof id->wwn, u->wwn);
	if (u->iqn[0] && u->lun >= 0)
		snprintf(id->iscsi, sizeof id->iscsi, "%.200s/%d", u->iqn, u->lun);
	snprintf(id->path, sizeof id->path, "%.40s:%.250s", h->cfg->name, u->path);
}

int disk_lun_ident(const struct host *h, const struct lun_list *luns, const struct dom_disk *d,
		   struct lun_ident *id)
{
	memset(id, 0, sizeof *id);
	if (!d->source)
		return 0;
	int iscsi = !strcmp(d->type, "network") && text_prefix(d->source, "iscsi:");
	int raw = !strcmp(d->device, "lun") || !strcmp(d->type, "block") || iscsi;
	if (!raw)
		return 0;
	const struct lun *u = luns ? lun_for_disk(luns, d) : NULL;
	if (u) {
		lun_ident_of(h, u, id);
		return 1;
	}
	if (iscsi)
		snprintf(id->iscsi, sizeof id->iscsi, "%.239s", d->source + 6);
	else
		snprintf(id->path, sizeof id->path, "%.40s:%.250s", h->cfg->name, d->source);
	return 1;
}

int lun_ident_same(const struct lun_ident *a, const struct lun_ident *b)
{
	if (a->wwn[0] && b->wwn[0])
		return !strcmp(a->wwn, b->wwn);
	if (a->iscsi[0] && b->iscsi[0])
		return !strcmp(a->iscsi, b->iscsi);
	return a->path[0] && !strcmp(a->path, b->path);
}

void lun_ident_key(const struct lun_ident *id, char *out, size_t len)
{
	if (id->wwn[0])
		snprintf(out, len, "wwn:%s", id->wwn);
	else if (id->iscsi[0])
		snprintf(out, len, "iscsi:%s", id->iscsi);
	else
		snprintf(out, len, "path:%s", id->path);
}
