/* sriov.c — SR-IOV PFs and VFs from sysfs links and `ip -d link`, and the
 * OVS-DPDK settings (see sriov.h).  Pure: text in, struct sriov_inv out. */
#include "metrics/sriov.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A PCI address as sysfs writes it: 0000:3b:02.3. */
static int pci_ok(const char *s)
{
	if (strlen(s) != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.')
		return 0;
	for (int i = 0; i < 12; i++)
		if (i != 4 && i != 7 && i != 10 && !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The last path component of a link target, when it is a PCI address. */
static int pci_of_target(const char *target, char *out, size_t len)
{
	const char *slash = strrchr(target, '/');
	const char *base = slash ? slash + 1 : target;
	if (!pci_ok(base))
		return 0;
	snprintf(out, len, "%s", base);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 1;
}

static int name_ok(const char *n)
{
	size_t len = strlen(n);
	return len && len < NIC_NAME_MAX;
}

static struct sriov_vf *vf_of(struct sriov_inv *inv, const char *pf, unsigned index)
{
	for (size_t i = 0; i < inv->nvfs; i++)
		if (inv->vfs[i].index == index && !strcmp(inv->vfs[i].pf, pf))
			return &inv->vfs[i];
	return NULL;
}

/* "virtfn12" → 12; -1 when not a virtfn name. */
static long virtfn_index(const char *s)
{
	if (strncmp(s, "virtfn", 6) || !isdigit((unsigned char)s[6]))
		return -1;
	char *end;
	long v = strtol(s + 6, &end, 10);
	return *end || v < 0 || v > 65535 ? -1 : v;
}

static struct sriov_vf *vf_add(struct sriov_inv *inv, const char *pf, unsigned index)
{
	struct sriov_vf *vf = vf_of(inv, pf, index);
	if (vf || inv->nvfs >= SRIOV_MAX_VFS)
		return vf;
	size_t cap = inv->nvfs;
	inv->vfs = x_realloc(inv->vfs, (cap + 1) * sizeof *inv->vfs);
	vf = &inv->vfs[inv->nvfs++];
	memset(vf, 0, sizeof *vf);
	snprintf(vf->pf, sizeof vf->pf, "%s", pf);
	vf->index = index;
	vf->spoofchk = vf->trust = -1;
	return vf;
}

int sriov_links_parse(const char *pf, const char *buf, size_t len, struct sriov_inv *inv, struct vd_err *err)
{
	if (!name_ok(pf))
		return err_set(err, VD_EINVAL, "bad PF name");
	if (sriov_find_pf(inv, pf))
		return err_set(err, VD_EINVAL, "PF %s given twice", pf);
	inv->pfs = x_realloc(inv->pfs, (inv->npfs + 1) * sizeof *inv->pfs);
	struct sriov_pf *p = &inv->pfs[inv->npfs++];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", pf);
	char *text = text_dup(buf, len), *cur = text, *line;
	while ((line = text_next_line(&cur))) {
		char a[64], b[256], c[64];
		int n = sscanf(line, "%63s %255s %63s", a, b, c);
		if (n == 2 && !strcmp(a, "device")) {
			pci_of_target(b, p->address, sizeof p->address);
		} else if (n == 2 && virtfn_index(a) >= 0) {
			char addr[16];
			if (!pci_of_target(b, addr, sizeof addr))
				continue;
			struct sriov_vf *vf = vf_add(inv, pf, (unsigned)virtfn_index(a));
			if (vf)
				snprintf(vf->address, sizeof vf->address, "%s", addr);
		} else if (n == 3 && !strcmp(a, "net") && virtfn_index(b) >= 0 && name_ok(c)) {
			struct sriov_vf *vf = vf_of(inv, pf, (unsigned)virtfn_index(b));
			if (vf)
				text_copy(vf->netdev, sizeof vf->netdev, c);
		}
	}
	x_free(&text);
	return 0;
}

/* "on"/"off" after a key inside a VF line's segment. */
static int on_off(const char *seg, const char *key)
{
	const char *p = strstr(seg, key);
	if (!p)
		return -2;
	p = text_skip_ws((char *)p + strlen(key));
	return !strncmp(p, "on", 2) ? 1 : !strncmp(p, "off", 3) ? 0 : -1;
}

static int mac_ok(const char *s)
{
	if (strlen(s) != 17)
		return 0;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* One "vf N ..." line (after "vf "): comma-separated segments. */
static void vf_line(struct sriov_vf *vf, char *rest)
{
	for (char *seg = strtok(rest, ","); seg; seg = strtok(NULL, ",")) {
		seg = text_skip_ws(seg);
		char w1[32], w2[32];
		int n = sscanf(seg, "%31s %31s", w1, w2);
		if (n == 2 && (!strcmp(w1, "link/ether") || !strcmp(w1, "MAC")) && mac_ok(w2))
			text_copy(vf->mac, sizeof vf->mac, w2);
		else if (n == 2 && !strcmp(w1, "vlan")) {
			char *end;
			unsigned long v = strtoul(w2, &end, 10);
			if (!*end && v <= 4095)
				vf->vlan = (unsigned)v;
		} else if (!strncmp(seg, "spoof checking", 14)) {
			int v = on_off(seg, "spoof checking");
			vf->spoofchk = v < -1 ? -1 : v;
		} else if (n == 2 && !strcmp(w1, "trust")) {
			int v = on_off(seg, "trust");
			vf->trust = v < -1 ? -1 : v;
		} else if (n == 2 && !strcmp(w1, "link-state")) {
			snprintf(vf->link_state, sizeof vf->link_state, "%.11s", w2);
		}
	}
}

int sriov_ip_link_parse(const char *pf, const char *buf, size_t len, struct sriov_inv *inv, struct vd_err *err)
{
	(void)err;
	char *text = text_dup(buf, len), *cur = text, *line;
	int nlines = 0;
	while ((line = text_next_line(&cur))) {
		char *p = text_skip_ws(line);
		if (strncmp(p, "vf ", 3))
			continue;
		p += 3;
		uint64_t idx;
		if (text_u64(&p, &idx) < 0 || idx > 65535)
			continue;
		struct sriov_vf *vf = vf_of(inv, pf, (unsigned)idx);
		nlines++;
		if (vf)
			vf_line(vf, p);
	}
	x_free(&text);
	return nlines;
}

int sriov_ovs_config_parse(const char *buf, size_t len, struct sriov_inv *inv, struct vd_err *err)
{
	char *text = text_dup(buf, len);
	char *p = text_skip_ws(text);
	if (*p != '{') {
		x_free(&text);
		return err_set(err, VD_EINVAL, "not an OVS map ({key=value, ...})");
	}
	inv->ovs_config = 1;
	p++;
	while (*p && *p != '}') {
		p = text_skip_ws(p);
		size_t kl = strcspn(p, "=,}");
		if (p[kl] != '=')
			break;
		char key[48];
		snprintf(key, sizeof key, "%.*s", (int)(kl < 47 ? kl : 47), p);
		p += kl + 1;
		char val[64];
		size_t vl;
		if (*p == '"') {
			p++;
			vl = strcspn(p, "\"");
			snprintf(val, sizeof val, "%.*s", (int)(vl < 63 ? vl : 63), p);
			p += vl + (p[vl] == '"');
		} else {
			vl = strcspn(p, ",}");
			snprintf(val, sizeof val, "%.*s", (int)(vl < 63 ? vl : 63), p);
			p += vl;
		}
		text_rtrim(val);
		if (!strcmp(key, "dpdk-init"))
			inv->dpdk_init = !strcmp(val, "true") || !strcmp(val, "try");
		else if (!strcmp(key, "pmd-cpu-mask"))
			snprintf(inv->pmd_cpu_mask, sizeof inv->pmd_cpu_mask, "%.39s", val);
		else if (!strcmp(key, "dpdk-socket-mem"))
			snprintf(inv->dpdk_socket_mem, sizeof inv->dpdk_socket_mem, "%.39s", val);
		if (*p == ',')
			p++;
	}
	x_free(&text);
	return 0;
}

static int vf_cmp(const void *a, const void *b)
{
	const struct sriov_vf *x = a, *y = b;
	int c = strcmp(x->pf, y->pf);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

void sriov_finish(struct sriov_inv *inv)
{
	if (inv->nvfs)
		qsort(inv->vfs, inv->nvfs, sizeof *inv->vfs, vf_cmp);
}

const struct sriov_vf *sriov_find_vf(const struct sriov_inv *inv, const char *address)
{
	for (size_t i = 0; address && address[0] && i < inv->nvfs; i++)
		if (!strcasecmp(inv->vfs[i].address, address))
			return &inv->vfs[i];
	return NULL;
}

const struct sriov_pf *sriov_find_pf(const struct sriov_inv *inv, const char *name)
{
	for (size_t i = 0; i < inv->npfs; i++)
		if (!strcmp(inv->pfs[i].name, name))
			return &inv->pfs[i];
	return NULL;
}

void sriov_free(struct sriov_inv *inv)
{
	free(inv->pfs);
	free(inv->vfs);
	memset(inv, 0, sizeof *inv);
}
