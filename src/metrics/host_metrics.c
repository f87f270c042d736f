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
};

static void note_error(struct host_metrics *m, const char *path, const struct vd_err *e)
{
	if (!m->nerrors++)
		snprintf(m->first_error, sizeof(m->first_error), "%.100s: %.140s", path, e->msg);
}

struct nic *host_metrics_nic(const struct host_metrics *m, const char *name)
{
	for (size_t i = 0; i < m->nnics; i++)
		if (strcmp(m->nics[i].name, name) == 0)
			return &m->nics[i];
	return NULL;
}

const struct ovs_iface *host_metrics_ovs_iface(const struct host_metrics *m, const char *iface)
{
	for (size_t i = 0; i < m->novs_ifaces; i++)
		if (strcmp(m->ovs_ifaces[i].iface, iface) == 0)
			return &m->ovs_ifaces[i];
	return NULL;
}

struct bond *host_metrics_bond(const struct host_metrics *m, const char *name)
{
	for (size_t i = 0; i < m->nbonds; i++)
		if (strcmp(m->bonds[i].name, name) == 0)
			return &m->bonds[i];
	return NULL;
}

static struct nic *nic_get(struct host_metrics *m, const char *name)
{
	struct nic *n = host_metrics_nic(m, name);
	if (n)
		return n;
	x_grow(&m->nics, &m->nics_cap, m->nnics + 1, sizeof(*m->nics));
	n = &m->nics[m->nnics++];
	nic_init(n, name);
	return n;
}

static struct sysfs_bond *sbond_get(struct parse_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->nsbonds; i++)
		if (strcmp(c->sbonds[i].name, name) == 0)
			return &c->sbonds[i];
	x_grow(&c->sbonds, &c->sbonds_cap, c->nsbonds + 1, sizeof(*c->sbonds));
	struct sysfs_bond *b = &c->sbonds[c->nsbonds++];
	memset(b, 0, sizeof(*b));
	text_copy(b->name, sizeof(b->name), name);
	return b;
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
		struct sysfs_bond *b = sbond_get(c, ifname);
		x_free(&b->slaves);
		b->slaves = text_dup(data, n);
		return 0;
	}
	if (strcmp(attr, "bonding/mode") == 0) {
		struct sysfs_bond *b = sbond_get(c, ifname);
		char *t = text_dup(data, n);
		text_copy(b->mode, sizeof(b->mode), text_rtrim(t));
		x_free(&t);
		return 0;
	}
	/* <bond>/slave_<port>/... (old kernels) and <bond>/lower_<port>/... */
	if ((text_prefix(attr, "slave_") || text_prefix(attr, "lower_")) &&
	    split_name(attr + 6, port, sizeof(port), &sub) == 0) {
		if (strcmp(sub, "bonding_slave/mii_status") == 0)
			return netclass_set(nic_get(c->m, port), sub, data, n, err);
		return 0;
	}
	return netclass_set(nic_get(c->m, ifname), attr, data, n, err);
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
		if (!*name || strchr(name, '/') || host_metrics_bond(m, name))
			return 0;
		rc = parse_bonding(name, data, n, &b, &e);
		if (rc == 0) {
			x_grow(&m->bonds, &m->bonds_cap, m->nbonds + 1, sizeof(*m->bonds));
			m->bonds[m->nbonds++] = b;
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
			if (text_u64_full(t, &v) == 0)
				hugepage_pool_set(&m->hugepages, &m->nhugepages, size, file[0] == 'f', v);
			else
				rc = err_set(&e, VD_EINVAL, "bad hugepage count");
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
			struct nic *nic = nic_get(m, ifname);
			parse_ethtool_coalesce(data, n, &nic->coalesce, &e);
			/* "No such device" and the like are not the host's fault */
			rc = 0;
		}
	} else if (strcmp(path, "!ovs-vsctl show") == 0) {
		x_free(&m->ovs_ifaces);
		m->novs_ifaces = parse_ovs_vsctl_show(data, n, &m->ovs_ifaces);
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
		if (host_metrics_bond(m, sb->name))
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
		x_grow(&m->bonds, &m->bonds_cap, m->nbonds + 1, sizeof(*m->bonds));
		m->bonds[m->nbonds++] = b;
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
	parse_ovs_bonds(c->ovs_bond_show, c->ovs_bond_len, c->ovs_lacp_show, c->ovs_lacp_len, &v, &n, &cap);
	for (size_t i = 0; i < n; i++) {
		struct bond *b = &v[i];
		if (host_metrics_bond(m, b->name)) {
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
		x_grow(&m->bonds, &m->bonds_cap, m->nbonds + 1, sizeof(*m->bonds));
		m->bonds[m->nbonds++] = *b;
	}
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
	for (size_t i = 0; i < c->nnetdev; i++)
		nic_apply_netdev(nic_get(m, c->netdev[i].name), &c->netdev[i]);
	add_sysfs_bonds(c);
	add_ovs_bonds(c);
	if (m->nnics)
		qsort(m->nics, m->nnics, sizeof(*m->nics), by_nic_name);
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
	bundle_split(bundle, len, route, &c);
	finish(&c);
	x_free(&c.netdev);
	for (size_t i = 0; i < c.nsbonds; i++)
		x_free(&c.sbonds[i].slaves);
	x_free(&c.sbonds);
	x_free(&c.ovs_bond_show);
	x_free(&c.ovs_lacp_show);
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
	memset(m, 0, sizeof(*m));
}
