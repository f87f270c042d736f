/* op_bond.c — LACP and other bonds on host uplinks: create_bond, delete_bond.
 *
 * Two backends: iproute2 (the kernel bonding driver) and Open vSwitch
 * (`ovs-vsctl add-bond`), chosen by where the ports are: ports already in
 * an OVS bridge get the OVS form; backend = "ovs" | "iproute2" forces one.
 * Validation reads the host's last poll only (NIC list, kernel and OVS
 * bonds, OVS bridge interfaces).  The result is a host_change: the apply
 * commands, the rollback that puts the ports back as they were, and a
 * verify command; conn/bond_apply.c runs it with commit-confirm. */
#include "ops/op_impl.h"
#include "core/xalloc.h"
#include "metrics/host_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOND_MAX_MEMBERS 16

struct ports {
	char   name[BOND_MAX_MEMBERS][NIC_NAME_MAX];
	size_t n;
};

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

static const struct host_metrics *metrics(const struct op_ctx *ctx, struct vd_err *err)
{
	if (!ctx->host->metrics) {
		op_fail(ctx, err, VD_EUNREACH, "no host metrics yet (the NIC list is needed to check the ports)");
		return NULL;
	}
	return ctx->host->metrics;
}

static int split_ports(const struct op_ctx *ctx, struct ports *p, struct vd_err *err)
{
	const char *s = op_str(ctx, "ports");
	memset(p, 0, sizeof *p);
	while (s && *s) {
		size_t n = strcspn(s, " ");
		if (n) {
			if (p->n >= BOND_MAX_MEMBERS)
				return op_fail(ctx, err, VD_EINVAL, "at most %d ports", BOND_MAX_MEMBERS);
			if (n >= NIC_NAME_MAX)
				return op_fail(ctx, err, VD_EINVAL, "port name '%.*s' is too long", (int)n, s);
			memcpy(p->name[p->n], s, n);
			p->name[p->n][n] = '\0';
			p->n++;
		}
		s += n + (s[n] == ' ');
	}
	if (!p->n)
		return op_fail(ctx, err, VD_EINVAL, "ports: give at least one port");
	return 0;
}

/* The OVS bridge the ports are in ("" none); -1 when they are split. */
static int ports_bridge(const struct host_metrics *m, const struct ports *p, char *br, size_t len,
			size_t *in_ovs)
{
	br[0] = '\0';
	*in_ovs = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct ovs_iface *f = host_metrics_ovs_iface(m, p->name[i]);
		if (!f)
			continue;
		if (br[0] && strcmp(br, f->bridge))
			return -1;
		snprintf(br, len, "%s", f->bridge);
		(*in_ovs)++;
	}
	return 0;
}

/* "ovs" or "iproute2" for create_bond (after validation passed). */
static const char *create_backend(const struct op_ctx *ctx, char *br, size_t len)
{
	struct ports p;
	struct vd_err e;
	size_t in_ovs = 0;
	const char *want = op_str(ctx, "backend");
	split_ports(ctx, &p, &e);
	ports_bridge(ctx->host->metrics, &p, br, len, &in_ovs);
	if (op_str(ctx, "bridge"))
		snprintf(br, len, "%s", op_str(ctx, "bridge"));
	if (want && strcmp(want, "auto"))
		return want;
	return in_ovs ? "ovs" : "iproute2";
}

int create_bond_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct host_metrics *m = metrics(ctx, err);
	if (!m)
		return -1;
	const char *name = op_str(ctx, "name"), *mode = op_str(ctx, "mode");
	if (!name_ok(name))
		return op_fail(ctx, err, VD_EINVAL, "'%s' is not a valid interface name (1-15 of A-Z a-z 0-9 _ - .)",
			       name);
	if (host_metrics_nic(m, name) || host_metrics_bond(m, name))
		return op_fail(ctx, err, VD_EINVAL, "%s already exists on the host", name);
	for (size_t i = 0; i < m->novs_ifaces; i++)
		if (!strcmp(m->ovs_ifaces[i].port, name))
			return op_fail(ctx, err, VD_EINVAL, "%s already exists in OVS bridge %s", name,
				       m->ovs_ifaces[i].bridge);
	struct ports p;
	if (split_ports(ctx, &p, err) < 0)
		return -1;
	for (size_t i = 0; i < p.n; i++) {
		const char *pn = p.name[i];
		if (!name_ok(pn))
			return op_fail(ctx, err, VD_EINVAL, "'%s' is not a valid interface name", pn);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(p.name[k], pn))
				return op_fail(ctx, err, VD_EINVAL, "port %s is given twice", pn);
		const struct nic *nic = host_metrics_nic(m, pn);
		if (!nic)
			return op_fail(ctx, err, VD_ENOTFOUND, "port %s does not exist on the host", pn);
		if (nic->bond_master[0])
			return op_fail(ctx, err, VD_EINVAL, "port %s is already in bond %s", pn, nic->bond_master);
		const struct ovs_iface *f = host_metrics_ovs_iface(m, pn);
		if (f && strcmp(f->port, f->iface))
			return op_fail(ctx, err, VD_EINVAL, "port %s is already in OVS bond %s", pn, f->port);
		if (f && f->type[0])
			return op_fail(ctx, err, VD_EINVAL, "%s is an OVS %s interface, not an uplink", pn, f->type);
	}
	char br[32];
	size_t in_ovs;
	if (ports_bridge(m, &p, br, sizeof br, &in_ovs) < 0)
		return op_fail(ctx, err, VD_EINVAL, "the ports are in different OVS bridges");
	const char *backend = op_str(ctx, "backend");
	if (backend && !strcmp(backend, "iproute2") && in_ovs)
		return op_fail(ctx, err, VD_EINVAL, "ports are in OVS bridge %s: use backend = \"ovs\" or remove "
			       "them from the bridge first", br);
	if (in_ovs && in_ovs < p.n)
		op_note(ctx, "%zu of %zu ports are not in bridge %s yet: add-bond adds them", p.n - in_ovs, p.n, br);
	const char *given_br = op_str(ctx, "bridge");
	if (given_br && br[0] && strcmp(given_br, br))
		return op_fail(ctx, err, VD_EINVAL, "the ports are in OVS bridge %s, not %s", br, given_br);
	const char *lacp_rate = op_str(ctx, "lacp_rate"), *xmit = op_str(ctx, "xmit_hash_policy");
	if (lacp_rate && strcmp(mode, "802.3ad"))
		return op_fail(ctx, err, VD_EINVAL, "lacp_rate applies to mode 802.3ad only, not %s", mode);
	if (xmit && !strcmp(mode, "active-backup"))
		return op_fail(ctx, err, VD_EINVAL, "xmit_hash_policy does not apply to mode active-backup");
	char chosen_br[32];
	const char *be = create_backend(ctx, chosen_br, sizeof chosen_br);
	if (!strcmp(be, "ovs")) {
		if (!chosen_br[0])
			return op_fail(ctx, err, VD_EINVAL, "no port is in an OVS bridge: give bridge = \"...\"");
		if (!name_ok(chosen_br))
			return op_fail(ctx, err, VD_EINVAL, "'%s' is not a valid bridge name", chosen_br);
		if (xmit && strcmp(xmit, "layer2") && strcmp(xmit, "layer3+4"))
			return op_fail(ctx, err, VD_EINVAL, "Open vSwitch hashes by layer2 (balance-slb) or layer3+4 "
				       "(balance-tcp) only, not %s", xmit);
		if (!strcmp(mode, "balance-xor"))
			op_note(ctx, "Open vSwitch has no balance-xor: balance-slb (by source MAC and VLAN) is used");
	}
	if (!strcmp(mode, "802.3ad") && p.n < 2)
		op_note(ctx, "an 802.3ad bond of one port aggregates nothing (but can be grown later)");
	return 0;
}

static void ports_list(const struct ports *p, struct strbuf *sb, const char *sep)
{
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			sb_append(sb, sep);
		sb_append(sb, p->name[i]);
	}
}

/* OVS port settings for mode (and hash policy). */
static void ovs_mode_args(const char *mode, const char *xmit, const char *lacp_rate, const struct op_value *miimon,
			  struct strbuf *sb)
{
	if (!strcmp(mode, "802.3ad"))
		sb_appendf(sb, " lacp=active bond_mode=%s", xmit && !strcmp(xmit, "layer2") ? "balance-slb" : "balance-tcp");
	else
		sb_appendf(sb, " lacp=off bond_mode=%s", !strcmp(mode, "active-backup") ? "active-backup" : "balance-slb");
	if (lacp_rate)
		sb_appendf(sb, " other_config:lacp-time=%s", lacp_rate);
	if (miimon && miimon->i > 0)
		sb_appendf(sb, " other_config:bond-detect-mode=miimon other_config:bond-miimon-interval=%lld",
			   (long long)miimon->i);
}

static void common_change(const struct op_ctx *ctx, struct host_change *chg, const char *name)
{
	chg->confirm_timeout_s = (int)op_get(ctx, "confirm_timeout")->i;
	chg->commit = op_get(ctx, "commit")->b;
	snprintf(chg->tag, sizeof chg->tag, "bond-%s", name);
}

int create_bond_build_change(const struct op_ctx *ctx, struct host_change *chg, struct vd_err *err)
{
	const struct host_metrics *m = ctx->host->metrics;
	const char *name = op_str(ctx, "name"), *mode = op_str(ctx, "mode");
	const char *lacp_rate = op_str(ctx, "lacp_rate"), *xmit = op_str(ctx, "xmit_hash_policy");
	const struct op_value *miimon = op_get(ctx, "miimon");
	struct ports p;
	if (split_ports(ctx, &p, err) < 0)
		return -1;
	char br[32];
	const char *be = create_backend(ctx, br, sizeof br);
	struct strbuf apply, rollback;
	sb_init(&apply);
	sb_init(&rollback);
	common_change(ctx, chg, name);
	if (!strcmp(be, "ovs")) {
		/* one ovsdb transaction: plain ports leave the bridge as the bond comes */
		sb_append(&apply, "ovs-vsctl --timeout=10");
		sb_append(&rollback, "ovs-vsctl --timeout=10 --if-exists del-port ");
		sb_appendf(&rollback, "%s %s", br, name);
		for (size_t i = 0; i < p.n; i++)
			if (host_metrics_ovs_iface(m, p.name[i])) {
				sb_appendf(&apply, " -- del-port %s %s", br, p.name[i]);
				sb_appendf(&rollback, " -- --may-exist add-port %s %s", br, p.name[i]);
			}
		sb_appendf(&apply, " -- add-bond %s %s ", br, name);
		ports_list(&p, &apply, " ");
		ovs_mode_args(mode, xmit, lacp_rate, miimon, &apply);
		sb_appendc(&apply, '\n');
		sb_appendc(&rollback, '\n');
		chg->verify = x_asprintf("ovs-vsctl --timeout=5 port-to-br %s && ovs-appctl --timeout=5 bond/show %s "
					 ">/dev/null", name, name);
	} else {
		/* remember which ports were up, to restore them on rollback */
		sb_append(&apply, "for p in ");
		ports_list(&p, &apply, " ");
		sb_append(&apply, "; do ip -o link show \"$p\" | grep -q '[<,]UP[,>]' && echo \"$p\" >>was-up; done; :\n");
		sb_appendf(&apply, "ip link add %s type bond mode %s", name, mode);
		sb_appendf(&apply, " miimon %lld", miimon ? (long long)miimon->i : 100LL);
		if (lacp_rate)
			sb_appendf(&apply, " lacp_rate %s", lacp_rate);
		if (xmit)
			sb_appendf(&apply, " xmit_hash_policy %s", xmit);
		sb_appendc(&apply, '\n');
		for (size_t i = 0; i < p.n; i++) {
			sb_appendf(&apply, "ip link set %s down\n", p.name[i]);
			sb_appendf(&apply, "ip link set %s master %s\n", p.name[i], name);
			sb_appendf(&rollback, "ip link set %s nomaster 2>/dev/null\n", p.name[i]);
		}
		sb_appendf(&apply, "ip link set %s up\n", name);
		sb_appendf(&rollback, "ip link del %s 2>/dev/null\n", name);
		sb_append(&rollback, "for p in $(cat was-up 2>/dev/null); do ip link set \"$p\" up; done\n");
		chg->verify = x_asprintf("test -r /proc/net/bonding/%s", name);
	}
	chg->apply = sb_detach(&apply);
	chg->rollback = sb_detach(&rollback);
	sb_free(&apply);
	sb_free(&rollback);
	op_note(ctx, "%s bond %s: the host rolls it back unless vdeck confirms within %d s", be, name,
		chg->confirm_timeout_s);
	return 0;
}

int delete_bond_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct host_metrics *m = metrics(ctx, err);
	if (!m)
		return -1;
	const char *name = op_str(ctx, "name");
	if (!name_ok(name))
		return op_fail(ctx, err, VD_EINVAL, "'%s' is not a valid interface name", name);
	const struct bond *b = host_metrics_bond(m, name);
	if (!b)
		return op_fail(ctx, err, VD_ENOTFOUND, "no bond %s on the host", name);
	if (b->ovs && !name_ok(b->bridge))
		return op_fail(ctx, err, VD_EINVAL, "the OVS bridge of bond %s is not known", name);
	for (size_t i = 0; i < b->nports; i++)
		if (!name_ok(b->ports[i].name))
			return op_fail(ctx, err, VD_EINVAL, "bond %s has a port named oddly ('%s')", name,
				       b->ports[i].name);
	const char *backend = op_str(ctx, "backend");
	if (backend && strcmp(backend, "auto") && strcmp(backend, b->ovs ? "ovs" : "iproute2"))
		return op_fail(ctx, err, VD_EINVAL, "bond %s is %s, not %s", name, b->ovs ? "an OVS bond" :
			       "a kernel bond", backend);
	return 0;
}

/* The kernel's mode text back to the iproute2 keyword. */
static const char *kernel_mode(const char *text)
{
	static const char *const map[][2] = {
		{ "802.3ad", "802.3ad" }, { "active-backup", "active-backup" }, { "(xor)", "balance-xor" },
		{ "round-robin", "balance-rr" }, { "broadcast", "broadcast" }, { "transmit load", "balance-tlb" },
		{ "adaptive load", "balance-alb" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strstr(text, map[i][0]))
			return map[i][1];
	return text[0] && name_ok(text) ? text : "balance-rr";
}

int delete_bond_build_change(const struct op_ctx *ctx, struct host_change *chg, struct vd_err *err)
{
	const char *name = op_str(ctx, "name");
	const struct bond *b = host_metrics_bond(ctx->host->metrics, name);
	if (!b)
		return op_fail(ctx, err, VD_ENOTFOUND, "no bond %s on the host", name);
	struct strbuf apply, rollback;
	sb_init(&apply);
	sb_init(&rollback);
	common_change(ctx, chg, name);
	if (b->ovs) {
		sb_appendf(&apply, "ovs-vsctl --timeout=10 del-port %s %s\n", b->bridge, name);
		sb_appendf(&rollback, "ovs-vsctl --timeout=10 --may-exist add-bond %s %s", b->bridge, name);
		for (size_t i = 0; i < b->nports; i++)
			sb_appendf(&rollback, " %s", b->ports[i].name);
		if (b->mode[0] && name_ok(b->mode))
			sb_appendf(&rollback, " bond_mode=%s", b->mode);
		sb_appendf(&rollback, " lacp=%s", b->is_8023ad ? "active" : "off");
		if (!strcmp(b->lacp_rate, "fast") || !strcmp(b->lacp_rate, "slow"))
			sb_appendf(&rollback, " other_config:lacp-time=%s", b->lacp_rate);
		sb_appendc(&rollback, '\n');
		chg->verify = x_asprintf("! ovs-vsctl --timeout=5 port-to-br %s 2>/dev/null", name);
	} else {
		sb_appendf(&apply, "ip link del %s\n", name);
		sb_appendf(&rollback, "ip link add %s type bond mode %s", name, kernel_mode(b->mode));
		if (!strcmp(b->lacp_rate, "fast") || !strcmp(b->lacp_rate, "slow"))
			sb_appendf(&rollback, " lacp_rate %s", b->lacp_rate);
		sb_append(&rollback, " miimon 100\n");
		for (size_t i = 0; i < b->nports; i++)
			sb_appendf(&rollback, "ip link set %s down\nip link set %s master %s\n", b->ports[i].name,
				   b->ports[i].name, name);
		sb_appendf(&rollback, "ip link set %s up\n", name);
		chg->verify = x_asprintf("! test -e /proc/net/bonding/%s", name);
	}
	chg->apply = sb_detach(&apply);
	chg->rollback = sb_detach(&rollback);
	sb_free(&apply);
	sb_free(&rollback);
	return 0;
}
