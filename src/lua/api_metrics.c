/* api_metrics.c — host metrics as Lua tables (h:numa, h:mem, h:nics,
 * h:bonds, h:alerts).  Sizes in bytes, rates per second; a rate
 * not yet known (first poll) is nil rather than a misleading zero.
 * Metrics the host's files gave too long ago raise "stale" unless the
 * call says { allow_stale = true } (lfresh.c).
 *
 * A host whose metrics come from Prometheus has tables of the same shape,
 * with source = "prometheus" and `unavailable` naming the fields
 * node_exporter does not export: they are nil, never a made-up value. */
#include "lua/lvdeck.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "metrics/host_metrics.h"
#include "model/numa_locality.h"

#include <stdlib.h>
#include <string.h>

/* The metrics of h, or raise: a host never read has none, and old ones are
 * stale.  *stale: 1 when they are old and the options at argument 2 allow it. */
static const struct host_metrics *need_metrics(lua_State *L, struct host *h, const char *op, int *stale)
{
	if (!h->metrics)
		lvd_raisef(L, h->cfg->transport == HT_NONE ? VD_EUNSUPPORTED : VD_EUNREACH, op, h->cfg->name, NULL,
			   "%s", h->cfg->transport == HT_NONE ? "host has no shell transport (transport = \"none\")"
			   : h->shell_error ? h->shell_error : "no host metrics yet");
	*stale = lvd_check_fresh(L, h, LVD_SRC(HOST_SRC_SHELL), 2, op);
	return h->metrics;
}

/* source and unavailable, on the table at the top, for Prometheus's metrics. */
static void mark_origin(lua_State *L, const struct host_metrics *m, const char *const *unavailable)
{
	if (!m->from_prometheus)
		return;
	lvd_set_str(L, "source", "prometheus");
	lua_newtable(L);
	for (lua_Integer i = 0; unavailable[i]; i++) {
		lua_pushstring(L, unavailable[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "unavailable");
}

static void push_hugepages(lua_State *L, const struct hugepage_pool *p, size_t n)
{
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_createtable(L, 0, 3);
		lvd_set_int(L, "page_size", (long long)p[i].page_size);
		lvd_set_int(L, "total", (long long)p[i].nr);
		lvd_set_int(L, "free", (long long)p[i].free);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

static int host_numa(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	int stale;
	const struct host_metrics *m = need_metrics(L, h, "numa", &stale);
	const struct numa_topo *t = &m->numa;
	static const char *const unavailable[] = { "cpus", "distance", "cpu_util", NULL };
	lua_createtable(L, (int)t->n, 0);
	lvd_mark_stale(L, stale);
	lvd_set_num(L, "imbalance", host_numa_imbalance(h));
	lvd_set_num(L, "locality", host_numa_locality(h));
	mark_origin(L, m, unavailable);
	for (size_t i = 0; i < t->n; i++) {
		const struct numa_node *n = &t->nodes[i];
		lua_createtable(L, 0, 8);
		lvd_set_int(L, "id", n->id);
		if (!m->from_prometheus) {
			lua_createtable(L, (int)n->ncpus, 0);
			for (size_t c = 0; c < n->ncpus; c++) {
				lua_pushinteger(L, n->cpus[c]);
				lua_rawseti(L, -2, (lua_Integer)c + 1);
			}
			lua_setfield(L, -2, "cpus");
		}
		if (n->has_meminfo) {
			lvd_set_int(L, "mem_total", (long long)n->mem.mem_total);
			lvd_set_int(L, "mem_free", (long long)n->mem.mem_free);
		}
		push_hugepages(L, n->hugepages, n->nhugepages);
		lua_setfield(L, -2, "hugepages");
		if (!m->from_prometheus) {
			lua_createtable(L, (int)n->ndistance, 0);
			for (size_t d = 0; d < n->ndistance; d++) {
				lua_pushinteger(L, n->distance[d]);
				lua_rawseti(L, -2, (lua_Integer)d + 1);
			}
			lua_setfield(L, -2, "distance");
		}
		lvd_set_num(L, "cpu_util", n->cpu_util);
		lua_pushboolean(L, n->implicit);
		lua_setfield(L, -2, "implicit");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int host_mem(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	int stale;
	const struct host_metrics *m = need_metrics(L, h, "mem", &stale);
	/* /proc/meminfo counts the default hugepage size only */
	static const char *const unavailable[] = { "hugepages of other sizes", NULL };
	lua_createtable(L, 0, 11);
	lvd_mark_stale(L, stale);
	mark_origin(L, m, unavailable);
	lvd_set_int(L, "total", (long long)m->mem.total);
	lvd_set_int(L, "free", (long long)m->mem.free);
	lvd_set_int(L, "available", (long long)m->mem.available);
	lvd_set_int(L, "cached", (long long)m->mem.cached);
	lvd_set_int(L, "swap_total", (long long)m->mem.swap_total);
	lvd_set_int(L, "swap_free", (long long)m->mem.swap_free);
	lvd_set_num(L, "swap_in_rate", m->swap_in_rate);
	lvd_set_num(L, "swap_out_rate", m->swap_out_rate);
	lua_createtable(L, 0, 6);
	lvd_set_int(L, "run", (long long)m->ksm.run);
	lvd_set_int(L, "pages_shared", (long long)m->ksm.pages_shared);
	lvd_set_int(L, "pages_sharing", (long long)m->ksm.pages_sharing);
	lvd_set_int(L, "full_scans", (long long)m->ksm.full_scans);
	lvd_set_int(L, "merge_across_nodes", (long long)m->ksm.merge_across_nodes);
	lvd_set_int(L, "pages_to_scan", (long long)m->ksm.pages_to_scan);
	lvd_set_int(L, "sleep_millisecs", (long long)m->ksm.sleep_millisecs);
	lvd_set_int(L, "saved", (long long)m->ksm.saved);
	lua_setfield(L, -2, "ksm");
	push_hugepages(L, m->hugepages, m->nhugepages);
	lua_setfield(L, -2, "hugepages");
	if (m->has_cpu)
		lvd_set_num(L, "cpu_util", m->cpu_total.util);
	return 1;
}

static void push_coalesce(lua_State *L, const struct coalesce *c)
{
	lua_createtable(L, 0, 8);
	lua_pushboolean(L, c->supported);
	lua_setfield(L, -2, "supported");
	if (c->supported) {
		if (c->adaptive_rx >= 0) { lua_pushboolean(L, c->adaptive_rx); lua_setfield(L, -2, "adaptive_rx"); }
		if (c->adaptive_tx >= 0) { lua_pushboolean(L, c->adaptive_tx); lua_setfield(L, -2, "adaptive_tx"); }
		if (c->rx_usecs >= 0) lvd_set_int(L, "rx_usecs", c->rx_usecs);
		if (c->rx_frames >= 0) lvd_set_int(L, "rx_frames", c->rx_frames);
		if (c->tx_usecs >= 0) lvd_set_int(L, "tx_usecs", c->tx_usecs);
		if (c->tx_frames >= 0) lvd_set_int(L, "tx_frames", c->tx_frames);
	}
}

/* { { name =, label =, irq =, irqs =, irq_per_s = }, ... }: each queue's
 * interrupt, in /proc/interrupts order (irq_per_s absent until two polls). */
static void push_queues(lua_State *L, const struct host_metrics *m, const struct nic *n)
{
	size_t nq;
	const struct nic_queue *q = host_metrics_nic_queues(m, n, &nq);
	lua_createtable(L, (int)nq, 0);
	for (size_t i = 0; i < nq; i++) {
		lua_createtable(L, 0, 5);
		lvd_set_str(L, "name", q[i].name);
		lvd_set_str(L, "label", q[i].label);
		lvd_set_int(L, "irq", q[i].irq);
		lvd_set_int(L, "irqs", (long long)q[i].count);
		lvd_set_num(L, "irq_per_s", q[i].rate);   /* absent until two polls */
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

static int host_nics(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	int stale;
	const struct host_metrics *m = need_metrics(L, h, "nics", &stale);
	static const char *const unavailable[] = { "physical", "sriov_numvfs", "sriov_totalvfs", "bond",
						   "coalesce", NULL };
	lua_createtable(L, (int)m->nnics, 0);
	lvd_mark_stale(L, stale);
	mark_origin(L, m, unavailable);
	lvd_set_num(L, "sampled", m->t);   /* when the poll began, on vdeck.clock()'s clock */
	for (size_t i = 0; i < m->nnics; i++) {
		const struct nic *n = &m->nics[i];
		lua_createtable(L, 0, 22);
		lvd_set_str(L, "name", n->name);
		lvd_set_str(L, "operstate", n->operstate);
		if (n->speed_mbps > 0)
			lvd_set_int(L, "speed", n->speed_mbps * 1000000LL);   /* bits/s */
		if (n->mtu >= 0)
			lvd_set_int(L, "mtu", n->mtu);
		lvd_set_int(L, "rx_bytes", (long long)n->rx_bytes);
		lvd_set_int(L, "tx_bytes", (long long)n->tx_bytes);
		lvd_set_int(L, "rx_packets", (long long)n->rx_packets);
		lvd_set_int(L, "tx_packets", (long long)n->tx_packets);
		lvd_set_int(L, "rx_drops", (long long)n->rx_dropped);
		lvd_set_int(L, "tx_drops", (long long)n->tx_dropped);
		lvd_set_int(L, "rx_errors", (long long)n->rx_errors);
		lvd_set_int(L, "tx_errors", (long long)n->tx_errors);
		lvd_set_num(L, "rx_bps", n->rx_bps);
		lvd_set_num(L, "tx_bps", n->tx_bps);
		lvd_set_num(L, "rx_pps", n->rx_pps);
		lvd_set_num(L, "tx_pps", n->tx_pps);
		if (n->sriov_totalvfs >= 0 && n->physical) {
			lvd_set_int(L, "sriov_numvfs", n->sriov_numvfs);
			lvd_set_int(L, "sriov_totalvfs", n->sriov_totalvfs);
		}
		lvd_set_str(L, "bond", n->bond_master);
		if (!m->from_prometheus) {
			lua_pushboolean(L, n->physical);
			lua_setfield(L, -2, "physical");
		}
		if (n->device[0])
			lvd_set_str(L, "device", n->device);
		if (n->irq_queues) {
			lvd_set_int(L, "irq_queues", n->irq_queues);
			lvd_set_int(L, "irqs", (long long)n->irq_count);
			lvd_set_num(L, "irq_rate", n->irq_rate);   /* interrupts/s, -1 until two polls */
			push_queues(L, m, n);
			lua_setfield(L, -2, "queues");
		}
		if (n->coalesce.parsed) {
			push_coalesce(L, &n->coalesce);
			lua_setfield(L, -2, "coalesce");
		}
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* { "down", "expired", ... }: why a port deserves an alert. */
static void push_problems(lua_State *L, unsigned problems)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ BOND_PORT_DOWN, "down" }, { BOND_PORT_CHURNED, "churned" },
		{ BOND_PORT_OTHER_AGG, "other_aggregator" }, { BOND_PORT_ZERO_PARTNER, "no_partner" },
		{ BOND_PORT_DEFAULTED, "defaulted" }, { BOND_PORT_EXPIRED, "expired" },
		{ BOND_PORT_DETACHED, "detached" }, { BOND_PORT_PARTNER_DIFF, "partner_differs" },
	};
	lua_newtable(L);
	lua_Integer n = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (problems & names[i].bit) {
			lua_pushstring(L, names[i].name);
			lua_rawseti(L, -2, ++n);
		}
}

static int host_bonds(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	int stale;
	const struct host_metrics *m = need_metrics(L, h, "bonds", &stale);
	/* node_exporter's bonding collector counts ports; nothing of LACP */
	static const char *const unavailable[] = { "mode", "lacp", "lacp_rate", "aggregator_id", "aggregator_ports",
						   "actor_key", "partner_key", "partner_mac", "active_port", "ports",
						   NULL };
	lua_createtable(L, (int)m->nbonds, 0);
	lvd_mark_stale(L, stale);
	mark_origin(L, m, unavailable);
	for (size_t i = 0; i < m->nbonds; i++) {
		const struct bond *b = &m->bonds[i];
		lua_createtable(L, 0, 10);
		lvd_set_str(L, "name", b->name);
		lvd_set_str(L, "mode", b->mode);
		lvd_set_str(L, "lacp_rate", b->lacp_rate);
		lvd_set_str(L, "mii_status", b->mii_status);
		if (b->aggregator_id >= 0)
			lvd_set_int(L, "aggregator_id", b->aggregator_id);
		if (b->num_ports >= 0)
			lvd_set_int(L, "aggregator_ports", b->num_ports);
		if (b->actor_key >= 0)
			lvd_set_int(L, "actor_key", b->actor_key);
		if (b->partner_key >= 0)
			lvd_set_int(L, "partner_key", b->partner_key);
		lvd_set_str(L, "partner_mac", b->partner_mac);
		lvd_set_str(L, "backend", b->ovs ? "ovs" : "kernel");
		lvd_set_str(L, "bridge", b->bridge);
		if (b->counts_only) {
			lvd_set_int(L, "ports_total", b->ports_total);
			lvd_set_int(L, "ports_up", b->ports_up);
		} else {
			lua_pushboolean(L, b->is_8023ad);
			lua_setfield(L, -2, "lacp");
		}
		lvd_set_str(L, "active_port", b->active_port);
		lua_createtable(L, (int)b->nports, 0);
		for (size_t p = 0; p < b->nports; p++) {
			const struct bond_port *bp = &b->ports[p];
			lua_createtable(L, 0, 12);
			lvd_set_str(L, "name", bp->name);
			lvd_set_str(L, "mii_status", bp->mii_status);
			if (bp->speed_mbps > 0)
				lvd_set_int(L, "speed", bp->speed_mbps * 1000000LL);
			lvd_set_int(L, "link_failures", (long long)bp->link_failures);
			if (bp->aggregator_id >= 0)
				lvd_set_int(L, "aggregator_id", bp->aggregator_id);
			lvd_set_str(L, "actor_churn", bp->actor_churn);
			lvd_set_str(L, "partner_churn", bp->partner_churn);
			if (bp->actor_port_state >= 0)
				lvd_set_int(L, "actor_port_state", bp->actor_port_state);
			if (bp->partner_port_state >= 0)
				lvd_set_int(L, "partner_port_state", bp->partner_port_state);
			lvd_set_str(L, "partner_mac", bp->partner_mac);
			if (bp->partner_key >= 0)
				lvd_set_int(L, "partner_key", bp->partner_key);
			lvd_set_str(L, "lacp_state", bp->lacp_state);
			lua_pushboolean(L, bp->problems != 0);
			lua_setfield(L, -2, "alert");
			push_problems(L, bp->problems);
			lua_setfield(L, -2, "problems");
			lua_rawseti(L, -2, (lua_Integer)p + 1);
		}
		lua_setfield(L, -2, "ports");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* h:alerts() is what a monitoring script reads when a host goes wrong, so
 * it never raises "stale": old metrics give a "stale" alert instead of
 * their own alerts, or, with { allow_stale = true }, both (stale = true). */
static int host_alerts(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	int allow = lvd_allow_stale(L, 2);
	int stale = lvd_host_stale(L, h, LVD_SRC(HOST_SRC_SHELL));
	lua_newtable(L);
	lua_Integer n = 0;
	if (h->state == HOST_DOWN || h->state == HOST_DEGRADED) {
		lua_createtable(L, 0, 3);
		lvd_set_str(L, "severity", h->state == HOST_DOWN ? "crit" : "warn");
		lvd_set_str(L, "kind", h->state == HOST_DOWN ? "host_down" : "host_degraded");
		lvd_set_str(L, "message", h->libvirt_error ? h->libvirt_error : h->shell_error);
		lua_rawseti(L, -2, ++n);
	}
	if (stale) {
		lua_createtable(L, 0, 3);
		lvd_set_str(L, "severity", "warn");
		lvd_set_str(L, "kind", "stale");
		lua_pushfstring(L, "the host's metrics are %d s old",
				(int)host_source_age(h, HOST_SRC_SHELL, now_mono_s()));
		lua_setfield(L, -2, "message");
		lua_rawseti(L, -2, ++n);
		lvd_mark_stale(L, allow);
	}
	if (!h->metrics || (stale && !allow))
		return 1;
	struct host_alert *alerts = NULL;
	size_t count = host_metrics_alerts(h->metrics, &alerts);
	for (size_t i = 0; i < count; i++) {
		lua_createtable(L, 0, 3);
		lvd_set_str(L, "severity", alert_severity_name(alerts[i].severity));
		lvd_set_str(L, "kind", alerts[i].kind);
		lvd_set_str(L, "message", alerts[i].message);
		lvd_set_str(L, "bond", alerts[i].bond);
		lvd_set_str(L, "port", alerts[i].port);
		lua_rawseti(L, -2, ++n);
	}
	free(alerts);
	return 1;
}

static const luaL_Reg metric_methods[] = {
	{ "numa", host_numa }, { "mem", host_mem }, { "nics", host_nics },
	{ "bonds", host_bonds }, { "alerts", host_alerts },
	{ NULL, NULL },
};

void lvd_metrics_register(lua_State *L)
{
	luaL_getmetatable(L, HOST_MT);
	lua_getfield(L, -1, "methods");
	luaL_setfuncs(L, metric_methods, 0);
	static const char *const readers[] = { "numa", "mem", "nics", "bonds", "alerts", NULL };
	lvd_wait_for_answer(L, -1, readers);
	lua_pop(L, 2);
}
