/* sriov_use.c — SR-IOV VFs against the domains that hold them (see
 * sriov_use.h). */
#include "model/sriov_use.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct domain *host_vf_user(const struct host *h, const char *addr, const char **mac)
{
	for (size_t i = 0; addr && addr[0] && i < h->ndoms; i++) {
		const struct dom_info *in = &h->doms[i].info;
		for (size_t k = 0; k < in->nnics; k++)
			if (in->nics[k].mode == NIC_MODE_HOSTDEV && !strcasecmp(in->nics[k].vf_address, addr)) {
				if (mac)
					*mac = in->nics[k].mac;
				return &h->doms[i];
			}
		for (size_t k = 0; k < in->nhostdevs; k++)
			if (!strcmp(in->hostdevs[k].type, "pci") && !strcasecmp(in->hostdevs[k].address, addr)) {
				if (mac)
					*mac = "";
				return &h->doms[i];
			}
	}
	return NULL;
}

size_t host_free_vfs(const struct host *h, const char *pf)
{
	size_t n = 0;
	const struct sriov_inv *inv = h->metrics ? &h->metrics->sriov : NULL;
	for (size_t i = 0; inv && i < inv->nvfs; i++)
		if ((!pf || !strcmp(inv->vfs[i].pf, pf)) && !inv->vfs[i].netdev[0] &&
		    !host_vf_user(h, inv->vfs[i].address, NULL))
			n++;
	return n;
}

const struct sriov_vf *host_first_free_vf(const struct host *h, const char *pf)
{
	const struct sriov_inv *inv = h->metrics ? &h->metrics->sriov : NULL;
	for (size_t i = 0; inv && i < inv->nvfs; i++)
		if ((!pf || !strcmp(inv->vfs[i].pf, pf)) && !inv->vfs[i].netdev[0] &&
		    !host_vf_user(h, inv->vfs[i].address, NULL))
			return &inv->vfs[i];
	return NULL;
}

const char *host_vf_pf(const struct host *h, const char *addr)
{
	const struct sriov_vf *vf = h->metrics ? sriov_find_vf(&h->metrics->sriov, addr) : NULL;
	return vf ? vf->pf : NULL;
}

size_t domain_vfs(const struct host *h, const struct domain *d, struct dom_vfs *out)
{
	struct dom_vfs v = { 0 };
	const struct dom_info *in = &d->info;
	for (size_t i = 0; i < in->nnics; i++)
		if (in->nics[i].mode == NIC_MODE_HOSTDEV && !v.nics++ && !v.address) {
			v.mac = in->nics[i].mac;
			v.address = in->nics[i].vf_address;
		}
	const struct sriov_inv *inv = h && h->metrics ? &h->metrics->sriov : NULL;
	for (size_t i = 0; inv && i < in->nhostdevs; i++) {
		const struct dom_hostdev *hd = &in->hostdevs[i];
		if (strcmp(hd->type, "pci") || !sriov_find_vf(inv, hd->address))
			continue;
		if (!v.hostdevs++ && !v.address) {
			v.mac = "";
			v.address = hd->address;
		}
	}
	if (out)
		*out = v;
	return v.nics + v.hostdevs;
}

const char *domain_vf_reason(const struct host *h, const struct domain *d, char *buf, size_t len)
{
	struct dom_vfs v;
	if (!domain_vfs(h, d, &v))
		return NULL;
	const char *pf = h ? host_vf_pf(h, v.address) : NULL;
	const char *host = h && h->cfg ? h->cfg->name : "its host";
	if (v.mac[0])
		snprintf(buf, len, "NIC %s is SR-IOV VF %s of %s on %s, passed through (hostdev)", v.mac, v.address,
			 pf ? pf : "an unknown PF", host);
	else
		snprintf(buf, len, "PCI host device %s is an SR-IOV VF of %s on %s, passed through (hostdev)",
			 v.address, pf ? pf : "an unknown PF", host);
	return buf;
}
