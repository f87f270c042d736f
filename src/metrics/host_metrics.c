/* host_metrics.c — assembles one host's metrics from a poll bundle.
 *
 * Every record of the bundle is routed by path to its parser; results that
 * span files (NICs from sysfs and /proc/net/dev, bonds from /proc or sysfs,
 * the implicit NUMA node) are completed once all records are in. */
#include "metrics/host_metrics.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/bundle.h"
#include "metrics/cpulist.h"
#include "metrics/ethtool.h"
#include "metrics/nameidx.h"
#include "metrics/netdev.h"
#include "metrics/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bond known only from /sys/class/net/<bond>/bonding. */
struct sysfs_bond {
	char  name[NIC_NAME_MAX];
	char *slaves;
	char  mode[64];
};

struct parse_ctx {
	struct host_metrics *m;
	struct netdev_stat  *netdev;
	size_t               nnetdev;
	struct sysfs_bond   *sbonds;
	size_t               nsbonds, sbonds_cap;
	char                *ovs_bond_show, *ovs_lacp_show;   /* parsed together in finish */
	size_t               ovs_bond_len, ovs_lacp_len;
	int                  records;
	/* look-ups while m->nics and m->bonds are not yet sorted */
	struct name_index    nic_ix, bond_ix, sbond_ix;
};

static void note_error(struct host_metrics *m, const char *path, const struct vd_err *e)
{
	if (!m->nerrors++)
		snprintf(m->first_error, sizeof(m->first_error), "%.100s: %.140s", path, e->msg);
}

static void note_full(struct host_metrics *m, const char *path, const char *what)
{
	struct vd_err e;
	err_clear(&e);
	err_set(&e, VD_EINVAL, "more than %d %s: the rest are left out", HOST_MAX_NICS, what);
	note_error(m, path, &e);
}

/* The look-ups below are for a parsed host_metrics, whose arrays are
 * sorted: a binary search each. */
static int nic_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct nic *)elem)->name);
}

static int bond_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct bond *)elem)->name);
}

static int ovs_iface_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ovs_iface *)elem)->iface);
}

struct nic *host_metrics_nic(const struct host_metrics *m, const char *name)
{
	return m->nnics ? bsearch(name, m->nics, m->nnics, sizeof(*m->nics), nic_cmp) : NULL;
}

const struct ovs_iface *host_metrics_ovs_iface(const struct host_metrics *m, const char *iface)
{
	if (!m->novs_ifaces)
		return NULL;
	return bsearch(iface, m->ovs_ifaces, m->novs_ifaces, sizeof(*m->ovs_ifaces), ovs_iface_cmp);
}

struct bond *host_metrics_bond(const struct host_metrics *m, const char *name)
{
	return m->nbonds ? bsearch(name, m->bonds, m->nbonds, sizeof(*m->bonds), bond_cmp) : NULL;
}

/* Finds or adds a NIC while parsing; NULL (and err) past HOST_MAX_NICS. */
static struct nic *nic_get(struct parse_ctx *c, const char *name, struct vd_err *err)
{
	struct host_metrics *m = c->m;
	size_t slot;
	long i = name_index_find(&c->nic_ix, m->nics, name, &slot);
	if (i >= 0)
		return &m->nics[i];
	if (m->nnics >= HOST_MAX_NICS) {
		err_set(err, VD_EINVAL, "more than %d NICs: %s and the rest are left out", HOST_MAX_NICS, name);
		return NULL;
	}
	x_grow(&m->nics, &m->nics_cap, m->nnics + 1, sizeof(*m->nics));
	struct nic *n = &m->nics[m->nnics];
	nic_init(n, name);
	name_index_insert(&c->nic_ix, slot, m->nnics++);
	return n;
}

static struct sysfs_bond *sbond_get(struct parse_ctx *c, const char *name, struct vd_err *err)
{
	size_t slot;
	long i = name_index_find(&c->sbond_ix, c->sbonds, name, &slot);
	if (i >= 0)
		return &c->sbonds[i];
	if (c->nsbonds >= HOST_MAX_NICS) {
		err_set(err, VD_EINVAL, "more than %d bonds: %s and the rest are left out", HOST_MAX_NICS, name);
		return NULL;
	}
	x_grow(&c->sbonds, &c->sbonds_cap, c->nsbonds + 1, sizeof(*c->sbonds));
	struct sysfs_bond *b = &c->sbonds[c->nsbonds];
	memset(b, 0, sizeof(*b));
	text_copy(b->name, sizeof(b->name), name);
	name_index_insert(&c->sbond_ix, slot, c->nsbonds++);
	return b;
}

/* 1 when a bond of that name was added already; else *slot is its place. */
static int bond_known(struct parse_ctx *c, const char *name, size_t *slot)
{
	return name_index_find(&c->bond_ix, c->m->bonds, name, slot) >= 0;
}

/* Adds b (found unknown at slot); -1 (b untouched) past HOST_MAX_NICS. */
static int bond_add(struct parse_ctx *c, const struct bond *b, size_t slot)
{
	struct host_metrics *m = c->m;
	if (m->nbonds >= HOST_MAX_NICS)
		return -1;
	x_grow(&m->bonds, &m->bonds_cap, m->nbonds + 1, sizeof(*m->bonds));
	m->bonds[m->nbonds] = *b;
	name_index_insert(&c->bond_ix, slot, m->nbonds++);
	return 0;
}

/* Splits "<first>/<rest>" with first a plain name; 0 on success. */
static int split_name(const char *path, char *name, size_t size, const char **rest)
{
	const char *slash = strchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : strlen(path);
	if (n == 0 || n >= size)
		return -1;
	memcpy(name, path, n);
	name[n] = '\0';
	*rest = slash ? slash + 1 : path + n;
	return 0;
}

static int route_netclass(struct parse_ctx *c, const char *rel, const char *data, size_t n,
			  struct vd_err *err)
{
	char ifname[NIC_NAME_MAX], port[NIC_NAME_MAX];
	const char *attr, *sub;
	if (split_name(rel, ifname, sizeof(ifname), &attr) < 0 || !*attr)
		return 0;
	if (strcmp(attr, "bonding/slaves") == 0) {
		struct sysfs_bond *b = sbond_get(c, ifname, err);
		if (!b)
			return -1;
		x_free(&b->slaves);
		b->slaves = text_dup(data, n);
		return 0;
	}
	if (strcmp(attr, "bonding/mode") == 0) {
		struct sysfs_bond *b = sbond_get(c, ifname, err);
		if (!b)
			return -1;
		char *t = text_dup(data, n);
		text_copy(b->mode, sizeof(b->mode), text_rtrim(t));
		x_free(&t);
		return 0;
	}
	/* <bond>/slave_<port>/... (old kernels) and <bond>/lower_<port>/... */
	if ((text_prefix(attr, "slave_") || text_prefix(attr, "lower_")) &&
	    split_name(attr + 6, port, sizeof(port), &sub) == 0) {
		struct nic *nic;
		if (strcmp(sub, "bonding_slave/mii_status") != 0)
			return 0;
		if (!(nic = nic_get(c, port, err)))
			return -1;
		return netclass_set(nic, sub, data, n, err);
	}
	struct nic *nic = nic_get(c, ifname, err);
	return nic ? netclass_set(nic, attr, data, n, err) : -1;
}

static int by_iface_name(const void *a, const void *b)
{
	return strcmp(((const struct ovs_iface *)a)->iface, ((const struct ovs_iface *)b)->iface);
}

static int route(const char *path, const char *data, size_t n, void *ctx)
{
	struct parse_ctx *c = ctx;
	struct host_metrics *m = c->m;
	struct vd_err e;
	int rc = 0;
	err_clear(&e);
	c->records++;

	if ((rc = host_devices_route(m, path, data, n, &e)) != 1) {
		/* GPUs and LUNs (host_devices.c) */
	} else if ((rc = host_net_route(m, path, data, n, &e)) != 1) {
		/* SR-IOV, interrupts, NIC devices (host_net.c) */
	} else if (strcmp(path, "/proc/meminfo") == 0) {
		rc = parse_meminfo(data, n, &m->mem, &e);
		m->has_mem = rc == 0;
	} else if (strcmp(path, "/proc/vmstat") == 0) {
		rc = parse_vmstat(data, n, &m->vm, &e);
		m->has_vmstat = rc == 0;
	} else if (strcmp(path, "/proc/stat") == 0) {
		x_free(&m->cpus);
		rc = parse_proc_stat(data, n, &m->cpu_total, &m->cpus, &m->ncpus, &e);
		m->has_cpu = rc == 0;
	} else if (strcmp(path, "/proc/net/dev") == 0) {
		x_free(&c->netdev);
		rc = parse_netdev(data, n, &c->netdev, &c->nnetdev, &e);
	} else if (text_prefix(path, "/proc/net/bonding/")) {
		const char *name = path + 18;
		struct bond b;
		size_t slot;
		if (!*name || strchr(name, '/') || bond_known(c, name, &slot))
			return 0;
		if (strlen(name) >= sizeof b.name)   /* cut, it could collide with another */
			rc = err_set(&e, VD_EINVAL, "bond name longer than %zu bytes", sizeof b.name - 1);
		else
			rc = parse_bonding(name, data, n, &b, &e);
		if (rc == 0 && bond_add(c, &b, slot) < 0) {
			bond_free(&b);
			rc = err_set(&e, VD_EINVAL, "more than %d bonds: %s and the rest are left out",
				     HOST_MAX_NICS, name);
		}
	} else if (strcmp(path, "/proc/sys/kernel/osrelease") == 0) {
		char *t = text_dup(data, n);
		text_copy(m->kernel, sizeof(m->kernel), text_rtrim(t));
		x_free(&t);
	} else if (text_prefix(path, "/sys/kernel/mm/ksm/")) {
		rc = parse_ksm_file(path + 19, data, n, &m->ksm, &e);
	} else if (text_prefix(path, "/sys/kernel/mm/hugepages/")) {
		char dir[64];
		const char *file;
		uint64_t size, v;
		if (split_name(path + 25, dir, sizeof(dir), &file) == 0 &&
		    parse_hugepages_dirname(dir, &size) == 0 &&
		    (strcmp(file, "nr_hugepages") == 0 || strcmp(file, "free_hugepages") == 0)) {
			char *t = text_dup(data, n);
			if (text_u64_full(t, &v) < 0)
				rc = err_set(&e, VD_EINVAL, "bad hugepage count");
			else if (hugepage_pool_set(&m->hugepages, &m->nhugepages, size, file[0] == 'f', v) < 0)
				rc = err_set(&e, VD_EINVAL, "more than %d hugepage sizes", HUGEPAGE_MAX_SIZES);
			x_free(&t);
		}
	} else if (text_prefix(path, "/sys/devices/system/node/")) {
		rc = numa_topo_add_file(&m->numa, path + 25, data, n, &e);
	} else if (strcmp(path, "/sys/devices/system/cpu/online") == 0) {
		rc = numa_topo_set_online(&m->numa, data, n, &e);
	} else if (text_prefix(path, "/sys/class/net/")) {
		rc = route_netclass(c, path + 15, data, n, &e);
	} else if (text_prefix(path, "!ethtool -c ")) {
		const char *ifname = path + 12;
		if (*ifname && strlen(ifname) < NIC_NAME_MAX) {
			struct nic *nic = nic_get(c, ifname, &e);
			rc = -1;
			if (nic) {
				parse_ethtool_coalesce(data, n, &nic->coalesce, &e);
				/* "No such device" and the like are not the host's fault */
				rc = 0;
			}
		}
	} else if (strcmp(path, "!ovs-vsctl show") == 0) {
		x_free(&m->ovs_ifaces);
		m->novs_ifaces = parse_ovs_vsctl_show(data, n, &m->ovs_ifaces);
		if (m->novs_ifaces)
			qsort(m->ovs_ifaces, m->novs_ifaces, sizeof(*m->ovs_ifaces), by_iface_name);
		m->has_ovs = 1;
	} else if (strcmp(path, "!ovs-appctl bond/show") == 0) {
		x_free(&c->ovs_bond_show);
		c->ovs_bond_show = text_dup(data, n);
		c->ovs_bond_len = strlen(c->ovs_bond_show);
	} else if (strcmp(path, "!ovs-appctl lacp/show") == 0) {
		x_free(&c->ovs_lacp_show);
		c->ovs_lacp_show = text_dup(data, n);
		c->ovs_lacp_len = strlen(c->ovs_lacp_show);
	} else if (strcmp(path, "!vm-numa") == 0) {
		rc = parse_vm_numa(data, n, &m->vm_numa, &m->nvm_numa, &m->vm_numa_cap, &e);
	} else if (strcmp(path, "!getconf PAGESIZE") == 0) {
		char *t = text_dup(data, n);
		uint64_t v;
		if (text_u64_full(t, &v) == 0 && v >= 512 && v <= (1u << 24))
			m->page_size = v;
		x_free(&t);
	}
	if (rc < 0)
		note_error(m, path, &e);
	return 0;
}

static int by_nic_name(const void *a, const void *b)
{
	return strcmp(((const struct nic *)a)->name, ((const struct nic *)b)->name);
}

static int by_bond_name(const void *a, const void *b)
{
	return strcmp(((const struct bond *)a)->name, ((const struct bond *)b)->name);
}

static void add_sysfs_bonds(struct parse_ctx *c)
{
	struct host_metrics *m = c->m;
	for (size_t i = 0; i < c->nsbonds; i++) {
		struct sysfs_bond *sb = &c->sbonds[i];
		size_t slot;
		if (bond_known(c, sb->name, &slot))
			continue;
		struct bond b;
		size_t cap = 0;
		memset(&b, 0, sizeof(b));
		text_copy(b.name, sizeof(b.name), sb->name);
		text_copy(b.mode, sizeof(b.mode), sb->mode);
		b.is_8023ad = strstr(sb->mode, "802.3ad") != NULL;
		b.aggregator_id = b.num_ports = b.actor_key = b.partner_key = -1;
		b.from_sysfs = 1;
		char *save = NULL;
		for (char *tok = sb->slaves ? strtok_r(sb->slaves, " \t\n", &save) : NULL; tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (strlen(tok) >= NIC_NAME_MAX || b.nports >= 1024)
				continue;
			x_grow(&b.ports, &cap, b.nports + 1, sizeof(*b.ports));
			struct bond_port *p = &b.ports[b.nports++];
			bond_port_init(p, tok);
			struct nic *nic = host_metrics_nic(m, tok);
			if (nic) {
				text_copy(p->mii_status, sizeof(p->mii_status), nic->bond_mii);
				p->speed_mbps = nic->speed_mbps;
			}
		}
		bond_flag_problems(&b);
		if (bond_add(c, &b, slot) < 0) {
			bond_free(&b);
			note_full(m, "/sys/class/net", "bonds");
			return;
		}
	}
}

/* OVS bonds join the kernel ones (a kernel bond of the same name wins);
 * a member's link state comes from its NIC when the poll saw it. */
static void add_ovs_bonds(struct parse_ctx *c)
{
	struct host_metrics *m = c->m;
	if (!c->ovs_bond_show && !c->ovs_lacp_show)
		return;
	struct bond *v = NULL;
	size_t n = 0, cap = 0;
	int full = 0;
	parse_ovs_bonds(c->ovs_bond_show, c->ovs_bond_len, c->ovs_lacp_show, c->ovs_lacp_len, &v, &n, &cap);
	for (size_t i = 0; i < n; i++) {
		struct bond *b = &v[i];
		size_t slot;
		if (bond_known(c, b->name, &slot)) {
			bond_free(b);
			continue;
		}
		for (size_t k = 0; k < b->nports; k++) {
			struct bond_port *p = &b->ports[k];
			const struct ovs_iface *f = host_metrics_ovs_iface(m, p->name);
			if (f && !b->bridge[0] && strcmp(f->port, b->name) == 0)
				text_copy(b->bridge, sizeof(b->bridge), f->bridge);
			struct nic *nic = host_metrics_nic(m, p->name);
			if (nic && nic->operstate[0] && strcmp(nic->operstate, "unknown") != 0)
				text_copy(p->mii_status, sizeof(p->mii_status), nic->operstate);
			if (nic)
				p->speed_mbps = nic->speed_mbps;
		}
		bond_flag_problems(b);
		if (bond_add(c, b, slot) < 0) {
			bond_free(b);
			full = 1;
		}
	}
	if (full)
		note_full(m, "!ovs-appctl bond/show", "bonds");
	x_free(&v);
	m->has_ovs = 1;
}

static void add_implicit_node(struct host_metrics *m)
{
	struct numa_node *nd = numa_node_get(&m->numa, 0);
	nd->implicit = 1;
	if (m->numa.has_online) {
		for (size_t i = 0; i < m->numa.nonline; i++)
			cpulist_add(&nd->cpus, &nd->ncpus, &nd->cpus_cap, m->numa.online[i]);
	} else {
		for (size_t i = 0; i < m->ncpus; i++)
			cpulist_add(&nd->cpus, &nd->ncpus, &nd->cpus_cap, m->cpus[i].cpu);
	}
	if (m->has_mem) {
		nd->has_meminfo = 1;
		nd->mem.node = 0;
		nd->mem.mem_total = m->mem.total;
		nd->mem.mem_free = m->mem.free;
		nd->mem.mem_used = m->mem.total >= m->mem.free ? m->mem.total - m->mem.free : 0;
		nd->mem.has_total = nd->mem.has_free = 1;
	}
}

static void finish(struct parse_ctx *c)
{
	struct host_metrics *m = c->m;
	struct vd_err e;
	err_clear(&e);
	for (size_t i = 0; i < c->nnetdev; i++) {
		struct nic *nic = nic_get(c, c->netdev[i].name, &e);
		if (!nic) {
			note_error(m, "/proc/net/dev", &e);
			break;
		}
		nic_apply_netdev(nic, &c->netdev[i]);
	}
	/* the NICs are complete: sorted, host_metrics_nic finds them */
	if (m->nnics)
		qsort(m->nics, m->nnics, sizeof(*m->nics), by_nic_name);
	name_index_free(&c->nic_ix);
	add_sysfs_bonds(c);
	add_ovs_bonds(c);
	if (m->nbonds)
		qsort(m->bonds, m->nbonds, sizeof(*m->bonds), by_bond_name);
	for (size_t b = 0; b < m->nbonds; b++)
		for (size_t p = 0; p < m->bonds[b].nports; p++) {
			struct nic *nic = host_metrics_nic(m, m->bonds[b].ports[p].name);
			if (nic)
				text_copy(nic->bond_master, sizeof(nic->bond_master), m->bonds[b].name);
		}
	ksm_finish(&m->ksm, m->page_size);
	if (m->numa.n == 0)
		add_implicit_node(m);
	host_devices_finish(m);
	host_net_finish(m);
}

int host_metrics_parse(const char *bundle, size_t len, double t, struct host_metrics *out,
		       struct vd_err *err)
{
	struct parse_ctx c;
	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	out->t = t;
	out->page_size = 4096;
	out->swap_in_rate = out->swap_out_rate = -1;
	out->cpu_total.cpu = -1;
	out->cpu_total.util = -1;
	c.m = out;
	c.nic_ix = (struct name_index)NAME_INDEX_INIT(struct nic, name);
	c.bond_ix = (struct name_index)NAME_INDEX_INIT(struct bond, name);
	c.sbond_ix = (struct name_index)NAME_INDEX_INIT(struct sysfs_bond, name);
	bundle_split(bundle, len, route, &c);
	finish(&c);
	x_free(&c.netdev);
	for (size_t i = 0; i < c.nsbonds; i++)
		x_free(&c.sbonds[i].slaves);
	x_free(&c.sbonds);
	x_free(&c.ovs_bond_show);
	x_free(&c.ovs_lacp_show);
	name_index_free(&c.nic_ix);
	name_index_free(&c.bond_ix);
	name_index_free(&c.sbond_ix);
	if (!c.records) {
		host_metrics_free(out);
		return err_set(err, VD_EINVAL, "empty host metrics bundle");
	}
	return 0;
}

void host_metrics_free(struct host_metrics *m)
{
	if (!m)
		return;
	numa_topo_free(&m->numa);
	x_free(&m->hugepages);
	x_free(&m->nics);
	for (size_t i = 0; i < m->nbonds; i++)
		bond_free(&m->bonds[i]);
	x_free(&m->bonds);
	x_free(&m->ovs_ifaces);
	x_free(&m->cpus);
	x_free(&m->vm_numa);
	host_devices_free(m);
	host_net_free(m);
	memset(m, 0, sizeof(*m));
}
