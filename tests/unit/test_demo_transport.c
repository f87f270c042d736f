/* test_demo_transport.c — the demo as a platform: its inventory describes
 * plain local hosts, and its transport class serves them, each poll moving
 * the host's counters forward in time (rates between two polls are
 * non-zero), while the same tree read through conn's own local transport
 * stands still.  demo_free() removes the tree. */
#include "check.h"

#include "conn/transport.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "demo/demo_platform.h"
#include "metrics/host_metrics.h"

#include <stdlib.h>
#include <unistd.h>

#include "test_demo_util.h"

static void poll_parse(struct transport *t, struct host_metrics *m)
{
	struct vd_err err;
	err_clear(&err);
	struct strbuf out;
	sb_init(&out);
	memset(m, 0, sizeof *m);
	CHECK_INT(transport_poll(t, 0, 0, &out, &err), 0);
	CHECK_INT(host_metrics_parse(out.buf, out.len, now_mono_s(), m, &err), 0);
	CHECK_INT(m->nerrors, 0);
	sb_free(&out);
}

/* Sum of every NIC's rx_bytes, and whether any counter went backwards. */
static uint64_t rx_total(const struct host_metrics *m)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < m->nnics; i++)
		sum += m->nics[i].rx_bytes;
	return sum;
}

static double max_rx_bps(const struct host_metrics *m)
{
	double best = 0;
	for (size_t i = 0; i < m->nnics; i++)
		if (m->nics[i].rx_bps > best)
			best = m->nics[i].rx_bps;
	return best;
}

static void test_inventory(const struct demo *d, const char *tmp)
{
	struct inventory inv;
	demo_inventory(d, &inv);
	CHECK_INT(inv.nhosts, 2);
	const struct host_config *h = inventory_find(&inv, "cna02");
	CHECK(h && h->transport == HT_LOCAL && h->sysroot && !strncmp(h->sysroot, tmp, strlen(tmp)));
	CHECK(h && !strncmp(h->libvirt_uri, "test://", 7) && host_has_tag(h, "demo") && host_has_tag(h, "rack1"));
	inventory_free(&inv);
}

static void test_polls_advance(const struct demo *d, const char *sysroot)
{
	struct vd_err err;
	err_clear(&err);
	struct transport_params p = { .host_name = "cna02" };
	struct transport *t = transport_open(demo_transport(d), &p, &err);
	CHECK(t != NULL);
	if (!t)
		return;
	struct host_metrics a, b;
	poll_parse(t, &a);
	usleep(300000);
	poll_parse(t, &b);
	CHECK(a.nnics >= 4 && a.nnics == b.nnics);
	CHECK(rx_total(&b) > rx_total(&a));
	for (size_t i = 0; i < a.nnics && i < b.nnics; i++)
		CHECK(b.nics[i].rx_bytes >= a.nics[i].rx_bytes && b.nics[i].tx_bytes >= a.nics[i].tx_bytes);
	host_metrics_rates(&a, &b);
	CHECK(max_rx_bps(&b) > 0);
	CHECK(b.has_cpu && b.cpu_total.user > a.cpu_total.user);

	/* Commands run on this machine, as for any local host. */
	struct strbuf out;
	sb_init(&out);
	int status = -1;
	CHECK_INT(transport_exec(t, "echo hi", 5000, 0, &out, NULL, &status, &err), 0);
	CHECK_STR(out.buf, "hi\n");
	CHECK_INT(status, 0);
	sb_free(&out);
	transport_close(&t);
	host_metrics_free(&a);
	host_metrics_free(&b);

	/* The same tree through conn's local transport: nothing moves it. */
	struct transport_params lp = { .host_name = "cna02", .sysroot = sysroot };
	t = transport_open(&transport_local, &lp, &err);
	CHECK(t != NULL);
	if (!t)
		return;
	poll_parse(t, &a);
	usleep(100000);
	poll_parse(t, &b);
	CHECK(a.nnics >= 4 && rx_total(&a) == rx_total(&b));
	host_metrics_free(&a);
	host_metrics_free(&b);
	transport_close(&t);
}

static void test_unknown_host(const struct demo *d)
{
	struct vd_err err;
	err_clear(&err);
	struct transport_params p = { .host_name = "web01" };
	CHECK(transport_open(demo_transport(d), &p, &err) == NULL);
	CHECK_INT(err.code, VD_EUNREACH);
}

int main(void)
{
	char tmp[] = "/tmp/vdeck-dt-XXXXXX";
	if (!mkdtemp(tmp))
		return 1;
	setenv("TMPDIR", tmp, 1);
	unsetenv("VDECK_KEEP_DEMO");
	struct vd_err err;
	err_clear(&err);
	struct demo_spec spec = { 2, 6, 3, 0 };
	struct demo *d = demo_new(&spec, &err);
	CHECK(d != NULL);
	if (!d)
		return check_summary();
	test_inventory(d, tmp);
	struct inventory inv;
	demo_inventory(d, &inv);
	char *sysroot = strdup(inv.hosts[1].sysroot);
	inventory_free(&inv);
	test_polls_advance(d, sysroot);
	test_unknown_host(d);
	CHECK_INT(access(sysroot, F_OK), 0);
	demo_free(&d);
	CHECK(d == NULL);
	CHECK(access(sysroot, F_OK) < 0);
	free(sysroot);
	rm_tree(tmp);
	return check_summary();
}
