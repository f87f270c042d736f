/* test_sriov.c — SR-IOV PFs and VFs, OVS-DPDK settings and NIC interrupts:
 * the pure parsers on fixtures modelled on real output (ip -d link of an
 * i40e and an mlx5 PF, /proc/interrupts of i40e, virtio and mlx5 hosts),
 * and the whole poll of the sysroot-sriov tree (a PF with four VFs) read
 * in-process like a local host. */
#include "check.h"

#include "conn/local_bundle.h"
#include "core/err.h"
#include "metrics/host_metrics.h"
#include "metrics/interrupts.h"
#include "metrics/sriov.h"

#define FIX "tests/fixtures/"

static const char links[] =
	"device ../../../0000:3b:00.0\n"
	"virtfn0 ../0000:3b:02.0\n"
	"virtfn1 ../0000:3b:02.1\n"
	"virtfn2 ../0000:3b:02.2\n"
	"virtfn3 ../0000:3B:02.3\n"
	"virtfnX ../0000:3b:02.7\n"
	"virtfn9 ../not-a-pci-address\n"
	"net virtfn0 ens1f0v0\n";

static void test_links_and_ip(void)
{
	struct sriov_inv inv;
	struct vd_err e;
	memset(&inv, 0, sizeof inv);
	err_clear(&e);
	CHECK_INT(sriov_links_parse("ens1f0", links, sizeof links - 1, &inv, &e), 0);
	CHECK_INT(inv.npfs, 1);
	CHECK_STR(inv.pfs[0].address, "0000:3b:00.0");
	CHECK_INT(inv.nvfs, 4);
	CHECK_STR(inv.vfs[3].address, "0000:3b:02.3");   /* lower case, as sysfs */
	CHECK_STR(inv.vfs[0].netdev, "ens1f0v0");
	CHECK_INT(inv.vfs[1].trust, -1);
	CHECK_INT(sriov_links_parse("ens1f0", links, sizeof links - 1, &inv, &e), -1);   /* twice */
	size_t len = 0;
	char *ip = check_slurp(FIX "metrics/ip-link-sriov-i40e", &len);
	CHECK(ip != NULL);
	CHECK_INT(sriov_ip_link_parse("ens1f0", ip ? ip : "", len, &inv, &e), 4);
	free(ip);
	sriov_finish(&inv);
	const struct sriov_vf *vf = sriov_find_vf(&inv, "0000:3b:02.1");
	CHECK(vf != NULL);
	if (vf) {
		CHECK_STR(vf->mac, "52:54:00:6b:3c:05");
		CHECK_INT(vf->vlan, 300);
		CHECK_INT(vf->spoofchk, 1);
		CHECK_INT(vf->trust, 0);
		CHECK_STR(vf->link_state, "auto");
		CHECK_STR(vf->pf, "ens1f0");
	}
	vf = sriov_find_vf(&inv, "0000:3b:02.3");
	CHECK(vf && vf->vlan == 120 && vf->spoofchk == 0 && vf->trust == 1 && !strcmp(vf->link_state, "enable"));
	CHECK(sriov_find_vf(&inv, "0000:3b:02.7") == NULL);
	/* a PF this machine does not have: no VF line, nothing filled, no error */
	static const char nodev[] = "Device \"ens1f0\" does not exist.\n";
	CHECK_INT(sriov_ip_link_parse("ens1f0", nodev, sizeof nodev - 1, &inv, &e), 0);
	sriov_free(&inv);

	/* mlx5: rates between the VLAN and the spoof check; the legacy "MAC" form */
	static const char mlx_links[] = "device ../../../0000:3b:00.0\nvirtfn0 ../0000:3b:00.2\nvirtfn1 ../0000:3b:00.3\n";
	CHECK_INT(sriov_links_parse("enp59s0f0np0", mlx_links, sizeof mlx_links - 1, &inv, &e), 0);
	ip = check_slurp(FIX "metrics/ip-link-sriov-mlx5", &len);
	CHECK_INT(sriov_ip_link_parse("enp59s0f0np0", ip ? ip : "", len, &inv, &e), 2);
	free(ip);
	vf = sriov_find_vf(&inv, "0000:3b:00.3");
	CHECK(vf && vf->vlan == 42 && vf->spoofchk == 1 && vf->trust == 1 && !strcmp(vf->link_state, "disable"));
	static const char legacy[] = "    vf 0 MAC 02:00:00:00:00:0a, vlan 7, spoof checking on, link-state auto\n";
	CHECK_INT(sriov_ip_link_parse("enp59s0f0np0", legacy, sizeof legacy - 1, &inv, &e), 1);
	vf = sriov_find_vf(&inv, "0000:3b:00.2");
	CHECK(vf && !strcmp(vf->mac, "02:00:00:00:00:0a") && vf->vlan == 7 && vf->spoofchk == 1);
	sriov_free(&inv);
}

static void test_ovs_config(void)
{
	struct sriov_inv inv;
	struct vd_err e;
	memset(&inv, 0, sizeof inv);
	err_clear(&e);
	size_t len = 0;
	char *s = check_slurp(FIX "metrics/ovs-other-config-dpdk", &len);
	CHECK_INT(sriov_ovs_config_parse(s ? s : "", len, &inv, &e), 0);
	free(s);
	CHECK_INT(inv.ovs_config, 1);
	CHECK_INT(inv.dpdk_init, 1);
	CHECK_STR(inv.pmd_cpu_mask, "0x3c");
	CHECK_STR(inv.dpdk_socket_mem, "1024,1024");
	memset(&inv, 0, sizeof inv);
	CHECK_INT(sriov_ovs_config_parse("{}\n", 3, &inv, &e), 0);
	CHECK(inv.ovs_config && !inv.dpdk_init && !inv.pmd_cpu_mask[0]);
	static const char down[] = "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed\n";
	CHECK_INT(sriov_ovs_config_parse(down, sizeof down - 1, &inv, &e), -1);
}

static uint64_t nic_irqs(const struct irq_list *l, const char *nic, const char *dev, unsigned *queues)
{
	uint64_t sum = 0;
	*queues = 0;
	for (size_t i = 0; i < l->n; i++)
		if (interrupts_nic_match(l->lines[i].name, nic, dev)) {
			sum += l->lines[i].count;
			(*queues)++;
		}
	return sum;
}

static void test_interrupts(void)
{
	struct irq_list l;
	struct vd_err e;
	err_clear(&e);
	size_t len = 0;
	unsigned q = 0;
	char *s = check_slurp(FIX "metrics/interrupts-i40e", &len);
	CHECK_INT(interrupts_parse(s ? s : "", len, &l, &e), 0);
	free(s);
	CHECK_INT(l.n, 13);   /* NMI, LOC, ERR, MIS are not numbered */
	CHECK_STR(l.lines[0].name, "timer");
	CHECK_STR(l.lines[4].name, "ens1f0-TxRx-0");
	CHECK_INT(nic_irqs(&l, "ens1f0", "0000:3b:00.0", &q), 913422 + 884210 + 902331 + 877609);
	CHECK_INT(q, 5);   /* four queues and the misc vector named ens1f0 */
	CHECK_INT(nic_irqs(&l, "ens1f1", "0000:3b:00.1", &q), 1021 + 1002);
	CHECK_INT(nic_irqs(&l, "ens1f0v0", "0000:3b:02.0", &q), 4410);   /* iavf-ens1f0v0-TxRx-0 */
	CHECK_INT(q, 1);
	irq_list_free(&l);

	s = check_slurp(FIX "metrics/interrupts-virtio-mlx5", &len);
	CHECK_INT(interrupts_parse(s ? s : "", len, &l, &e), 0);
	free(s);
	CHECK_INT(nic_irqs(&l, "eth0", "virtio0", &q), 220311 + 1 + 12004 + 198002 + 3);
	CHECK_INT(q, 4);   /* input and output queues, not config */
	CHECK_INT(nic_irqs(&l, "eth1", "virtio1", &q), 0);   /* a virtio disk's req queue */
	CHECK_INT(nic_irqs(&l, "enp59s0f0np0", "0000:3b:00.0", &q), 77012 + 80155);
	CHECK_INT(q, 3);   /* async and two completion vectors */
	CHECK_INT(nic_irqs(&l, "enp59s0f1np1", "0000:3b:00.1", &q), 100);
	irq_list_free(&l);
	CHECK_INT(interrupts_parse("garbage\n", 8, &l, &e), -1);
}

/* A poll bundle of NICs (name and device link) and one /proc/interrupts
 * fixture, as a host's reader sends it. */
static char *irq_bundle(const char *const nics[][2], const char *fixture)
{
	struct strbuf sb;
	sb_init(&sb);
	for (size_t i = 0; nics[i][0]; i++)
		sb_appendf(&sb, "\036F /sys/class/net/%s/operstate\nup\n", nics[i][0]);
	sb_append(&sb, "\036C netdev-devices\n");
	for (size_t i = 0; nics[i][0]; i++)
		sb_appendf(&sb, "%s ../../../%s\n", nics[i][0], nics[i][1]);
	char *irqs = check_slurp(fixture, NULL);
	sb_appendf(&sb, "\036F /proc/interrupts\n%s", irqs ? irqs : "");
	free(irqs);
	return sb_detach(&sb);
}

static const struct nic_queue *queues_of(const struct host_metrics *m, const char *name, size_t *n)
{
	const struct nic *nic = host_metrics_nic(m, name);
	*n = 0;
	return nic ? host_metrics_nic_queues(m, nic, n) : NULL;
}

/* Per-queue interrupts and their rates: i40e (i40e-ens1f0-TxRx-N, the
 * misc vector named by PCI address is not the NIC's), mlx5 (async and
 * completion vectors by PCI address), and virtio from a real guest's
 * /proc/interrupts (kernel 6.18, PCI-MSIX-<address> chip column). */
static void test_queues(void)
{
	static const char *const nics[][2] = { { "ens1f0", "0000:3b:00.0" }, { "enp94s0f0np0", "0000:5e:00.0" },
					       { "lo", "" }, { NULL, NULL } };
	char *b1 = irq_bundle(nics, FIX "metrics/interrupts-i40e-mlx5");
	char *b2 = irq_bundle(nics, FIX "metrics/interrupts-i40e-mlx5.later");
	struct host_metrics m1, m2;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(host_metrics_parse(b1, strlen(b1), 10.0, &m1, &e), 0);
	CHECK_INT(host_metrics_parse(b2, strlen(b2), 12.0, &m2, &e), 0);
	host_metrics_rates(&m1, &m2);
	size_t n;
	const struct nic_queue *q = queues_of(&m2, "ens1f0", &n);
	CHECK_INT(n, 4);   /* i40e-0000:3b:00.0:misc is the PF's admin queue, not a queue of ens1f0 */
	if (n == 4) {
		CHECK_STR(q[0].name, "i40e-ens1f0-TxRx-0");
		CHECK_STR(q[0].label, "TxRx-0");
		CHECK_STR(q[3].label, "TxRx-3");
		CHECK_INT(q[3].irq, 102);
		CHECK_INT(q[0].count, 915822);
		CHECK(q[0].rate > 1199.9 && q[0].rate < 1200.1);   /* +2400 in 2 s */
		CHECK(q[1].rate == 0 && q[2].rate == 0);
		CHECK(q[3].rate > 899.9 && q[3].rate < 900.1);
	}
	const struct nic *nic = host_metrics_nic(&m2, "ens1f0");
	CHECK(nic && nic->irq_rate > 2099.9 && nic->irq_rate < 2100.1);   /* the queues summed */
	q = queues_of(&m2, "enp94s0f0np0", &n);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK_STR(q[0].label, "async0");
		CHECK_STR(q[4].name, "mlx5_comp3@pci:0000:5e:00.0");
		CHECK_STR(q[4].label, "comp3");
		CHECK(q[4].rate > 2999.9 && q[4].rate < 3000.1);
	}
	q = queues_of(&m1, "ens1f0", &n);
	CHECK(n == 4 && q[0].rate < 0);   /* the first sample: no rate yet */
	queues_of(&m2, "lo", &n);
	CHECK_INT(n, 0);
	host_metrics_free(&m1);
	host_metrics_free(&m2);
	free(b1);
	free(b2);

	/* a queue that changed IRQ number (driver reloaded) has no rate */
	b1 = irq_bundle(nics, FIX "metrics/interrupts-i40e-mlx5");
	char *moved = strstr(b1, "  99:");
	if (moved)
		memcpy(moved, "  97:", 5);
	b2 = irq_bundle(nics, FIX "metrics/interrupts-i40e-mlx5.later");
	CHECK_INT(host_metrics_parse(b1, strlen(b1), 10.0, &m1, &e), 0);
	CHECK_INT(host_metrics_parse(b2, strlen(b2), 12.0, &m2, &e), 0);
	host_metrics_rates(&m1, &m2);
	q = queues_of(&m2, "ens1f0", &n);
	CHECK(n == 4 && q[0].rate < 0 && q[3].rate > 899.9);
	host_metrics_free(&m1);
	host_metrics_free(&m2);
	free(b1);
	free(b2);

	/* virtio: a real guest's capture; eth0's device is virtio2 */
	static const char *const guest[][2] = { { "eth0", "virtio2" }, { NULL, NULL } };
	b1 = irq_bundle(guest, FIX "metrics/interrupts-virtio-msix");
	CHECK_INT(host_metrics_parse(b1, strlen(b1), 1.0, &m1, &e), 0);
	q = queues_of(&m1, "eth0", &n);
	CHECK_INT(n, 2);   /* input.0 and output.0; not virtio2-config, not virtio4-input */
	if (n == 2) {
		CHECK_STR(q[0].name, "virtio2-input.0");
		CHECK_STR(q[0].label, "input.0");
		CHECK_STR(q[1].label, "output.0");
	}
	host_metrics_free(&m1);
	free(b1);

	char label[24];
	interrupts_queue_label("ens1f0", "ens1f0", "0000:3b:00.0", label, sizeof label);
	CHECK_STR(label, "misc");
	interrupts_queue_label("ens1f0-TxRx-3", "ens1f0", "0000:3b:00.0", label, sizeof label);
	CHECK_STR(label, "TxRx-3");
	interrupts_queue_label("iavf-ens1f0v0-TxRx-0", "ens1f0v0", "0000:3b:02.0", label, sizeof label);
	CHECK_STR(label, "TxRx-0");
}

/* The sysroot of a host with an SR-IOV PF, read as a local host is. */
static void test_sysroot(void)
{
	struct strbuf sb;
	sb_init(&sb);
	local_bundle(FIX "sysroot-sriov", &sb);
	struct host_metrics m;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(host_metrics_parse(sb.buf, sb.len, 1.0, &m, &e), 0);
	CHECK_INT(m.nerrors, 0);
	if (m.nerrors)
		fprintf(stderr, "  first error: %s\n", m.first_error);
	CHECK_INT(m.sriov.npfs, 2);
	CHECK_INT(m.sriov.nvfs, 4);
	const struct sriov_vf *vf = sriov_find_vf(&m.sriov, "0000:3b:02.1");
	CHECK(vf && !strcmp(vf->pf, "ens1f0") && vf->index == 1 && !vf->netdev[0]);
	vf = sriov_find_vf(&m.sriov, "0000:3b:02.3");
	CHECK(vf && !strcmp(vf->netdev, "ens1f0v3"));
	const struct sriov_pf *pf = sriov_find_pf(&m.sriov, "ens1f1");
	CHECK(pf && !strcmp(pf->address, "0000:3b:00.1"));
	const struct nic *n = host_metrics_nic(&m, "ens1f0");
	CHECK(n && n->sriov_totalvfs == 64 && n->sriov_numvfs == 4);
	CHECK(n && !strcmp(n->device, "0000:3b:00.0"));
	CHECK(n && n->irq_queues == 5 && n->irq_count == 913422 + 884210 + 902331 + 877609);
	CHECK(n && n->irq_rate < 0);   /* one sample: no rate yet */
	/* a second sample 2 s later with 1000 more interrupts on queue 0 */
	struct host_metrics m2;
	char *more = strdup(sb.buf);
	char *at = strstr(more, "913422");
	if (at)
		memcpy(at, "915422", 6);
	CHECK_INT(host_metrics_parse(more, sb.len, 3.0, &m2, &e), 0);
	host_metrics_rates(&m, &m2);
	n = host_metrics_nic(&m2, "ens1f0");
	CHECK(n && n->irq_rate > 999.9 && n->irq_rate < 1000.1);
	free(more);
	host_metrics_free(&m2);
	host_metrics_free(&m);
	sb_free(&sb);
}

int main(void)
{
	test_links_and_ip();
	test_ovs_config();
	test_interrupts();
	test_queues();
	test_sysroot();
	return check_summary();
}
