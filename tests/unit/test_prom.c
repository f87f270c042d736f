/* test_prom.c — Prometheus answers into the host model (metrics/prom.h):
 * the queries of a batch, byte for byte with hand-written expectations
 * (regex and string escaping), routing series to hosts (never to a host
 * whose labels only half match), and node_exporter's series mapped to the
 * shapes and units the shell reader gives, on hand-written answers. */
#include "check.h"

#include "core/err.h"
#include "metrics/prom.h"

#include <math.h>

#define FIX "tests/fixtures/prometheus/"

static void test_queries(void)
{
	struct prom_batch *b = prom_batch_new();
	struct vd_err err;
	err_clear(&err);
	struct prom_label a[] = { { "job", "node" }, { "instance", "10.0.0.7:9100" } };
	struct prom_label c[] = { { "instance", "10.0.0.8:9100" }, { "job", "node" } };
	struct prom_label odd[] = { { "instance", "a\"b\\c|d" }, { "job", "node" } };
	CHECK_INT(prom_batch_add(b, a, 2, &err), 0);
	CHECK_INT(prom_batch_add(b, c, 2, &err), 1);
	CHECK_INT(prom_batch_add(b, odd, 2, &err), 2);
	CHECK_INT(prom_batch_add(b, a, 2, &err), -1);   /* same values twice */
	CHECK(strstr(err.msg, "same label values") != NULL);
	struct prom_label other[] = { { "instance", "x" } };
	CHECK_INT(prom_batch_add(b, other, 1, &err), -1);
	CHECK(strstr(err.msg, "same labels") != NULL);
	CHECK_INT(prom_batch_count(b), 3);
	char *q = prom_query_cpu(b);
	CHECK_STR(q, "sum by (instance,job,mode) (node_cpu_seconds_total{"
		     "instance=~\"10\\\\.0\\\\.0\\\\.7:9100|10\\\\.0\\\\.0\\\\.8:9100|a\\\"b\\\\\\\\c\\\\|d\","
		     "job=~\"node\"})");
	free(q);
	q = prom_query_series(b);
	CHECK(strncmp(q, "max by (__name__,device,master,node,operstate,release,instance,job) "
		      "({__name__=~\"up|node_uname_info|node_memory_(", 113) == 0);
	CHECK(strstr(q, "|node_bonding_(slaves|active)\",instance=~\"10\\\\.0") != NULL);
	CHECK(q[strlen(q) - 2] == '}' && q[strlen(q) - 1] == ')');
	free(q);
	prom_batch_free(&b);
	CHECK(b == NULL);
}

static struct prom_vector load(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, FIX "%s", name);
	size_t len = 0;
	char *s = check_slurp(path, &len);
	struct prom_vector v = { 0 };
	struct vd_err err;
	err_clear(&err);
	CHECK(s != NULL);
	if (s && prom_vector_parse(s, len, &v, &err) < 0) {
		check_failed++;
		fprintf(stderr, "FAIL %s: %s\n", name, err.msg);
	}
	free(s);
	return v;
}

static void test_answers(void)
{
	struct vd_err err;
	err_clear(&err);
	struct prom_vector v;
	size_t len = 0;
	char *s = check_slurp(FIX "error.json", &len);
	CHECK_INT(prom_vector_parse(s, len, &v, &err), -1);
	CHECK(strstr(err.msg, "query failed: invalid parameter \"query\"") != NULL);
	free(s);
	static const char *const bad[] = {
		"", "not json", "{\"status\":\"success\"}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,2]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":1},\"value\":[1,\"2\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"2x\"]}]}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		CHECK_INT(prom_vector_parse(bad[i], strlen(bad[i]), &v, &err), -1);
		CHECK(err.msg[0] != '\0');
	}
	const char *empty = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
	CHECK_INT(prom_vector_parse(empty, strlen(empty), &v, &err), 0);
	CHECK_INT(v.n, 0);
	prom_vector_free(&v);
}

static void test_mapping(void)
{
	struct prom_batch *b = prom_batch_new();
	struct vd_err err;
	struct prom_label h0[] = { { "instance", "10.0.0.7:9100" }, { "job", "node" } };
	struct prom_label h1[] = { { "instance", "10.0.0.8:9100" }, { "job", "node" } };
	prom_batch_add(b, h0, 2, &err);
	prom_batch_add(b, h1, 2, &err);
	struct prom_host hosts[2];
	prom_host_init(&hosts[0], 5.0);
	prom_host_init(&hosts[1], 5.0);
	const char *files[] = { "series.json", "cpu.json" };
	size_t unrouted = 0;
	for (size_t f = 0; f < 2; f++) {
		struct prom_vector v = load(files[f]);
		for (size_t i = 0; i < v.n; i++) {
			long h = prom_batch_route(b, &v.samples[i]);
			if (h < 0)
				unrouted++;
			else
				prom_host_add(&hosts[h], &v.samples[i]);
		}
		prom_vector_free(&v);
	}
	CHECK_INT(unrouted, 2);        /* job="other" and 10.0.0.9: selected, nobody's */
	CHECK_INT(hosts[1].up, 0);     /* its target is down */
	CHECK_INT(hosts[1].nseries, 2);
	struct prom_host *p = &hosts[0];
	prom_host_finish(p);
	struct host_metrics *m = &p->m;
	CHECK_INT(p->up, 1);
	CHECK_INT(m->from_prometheus, 1);
	CHECK_INT(m->has_mem, 1);
	CHECK_INT(m->mem.total, 548993368064ULL);
	CHECK_INT(m->mem.available, 416107076608ULL);
	CHECK_INT(m->mem.has_available, 1);
	CHECK_INT(m->nhugepages, 1);
	CHECK_INT(m->hugepages[0].page_size, 2097152);
	CHECK_INT(m->hugepages[0].nr, 32768);
	CHECK_INT(m->hugepages[0].free, 20480);
	/* NUMA nodes sorted by id; a node label that is no number is dropped. */
	CHECK_INT(m->numa.n, 2);
	CHECK_INT(m->numa.nodes[0].id, 0);
	CHECK_INT(m->numa.nodes[0].mem.mem_total, 137254633472ULL);
	CHECK_INT(m->numa.nodes[1].mem.mem_total, 102890700800ULL);
	CHECK_INT(m->numa.nodes[1].mem.mem_free, 50000000000ULL);
	CHECK_INT(m->numa.nodes[1].nhugepages, 1);
	CHECK_INT(m->numa.nodes[1].hugepages[0].nr, 8192);
	CHECK_INT(m->numa.nodes[1].hugepages[0].free, 4096);
	CHECK_INT(m->numa.nodes[1].ncpus, 0);        /* unknown, not made up */
	CHECK_INT(m->numa.nodes[1].ndistance, 0);
	CHECK_INT(m->numa.nodes[0].implicit, 0);
	CHECK_INT(m->ksm.present, 1);
	CHECK_INT(m->ksm.pages_sharing, 19000);
	CHECK_INT(m->ksm.saved, 19000ULL * 4096);
	CHECK_INT(m->ksm.sleep_millisecs, 20);
	CHECK_INT(m->ksm.has_merge_across_nodes, 1);
	CHECK_INT(m->vm.pswpin, 12);
	CHECK_INT(m->vm.has_swap, 1);
	CHECK_STR(m->kernel, "6.1.0-13-amd64");
	/* NICs sorted; counters exact below 2^53; speed bytes/s → Mbit/s. */
	CHECK_INT(m->nnics, 3);
	CHECK_STR(m->nics[0].name, "aaa0");
	CHECK_INT(m->nics[0].rx_bytes, 0);          /* NaN: no number, not a huge one */
	const struct nic *n = host_metrics_nic(m, "ens1f0");
	CHECK(n != NULL);
	if (n) {
		CHECK_STR(n->operstate, "up");
		CHECK_INT(n->speed_mbps, 25000);
		CHECK_INT(n->mtu, 9000);
		CHECK_INT(n->rx_bytes, 1057506888904190ULL);
		CHECK_INT(n->tx_errors, 3);
		CHECK_INT(n->has_counters, 1);
		CHECK_INT(n->physical, 0);
		CHECK_INT(n->sriov_totalvfs, -1);
	}
	n = host_metrics_nic(m, "virbr0");
	CHECK(n && n->speed_mbps == -1);
	/* Bonds: counts only, their state from them. */
	CHECK_INT(m->nbonds, 2);
	CHECK_STR(m->bonds[0].name, "bond0");
	CHECK_INT(m->bonds[0].counts_only, 1);
	CHECK_INT(m->bonds[0].ports_total, 2);
	CHECK_INT(m->bonds[0].ports_up, 1);
	CHECK_STR(m->bonds[0].mii_status, "up");
	CHECK_INT(m->bonds[0].nports, 0);
	CHECK_STR(m->bonds[1].mii_status, "down");
	/* CPU seconds summed per mode → jiffies at USER_HZ. */
	CHECK_INT(m->has_cpu, 1);
	CHECK_INT(m->cpu_total.user, 1587310534ULL);
	CHECK_INT(m->cpu_total.idle, 82751483600ULL);
	/* The bond going down is an alert, as from the host's files. */
	struct host_alert *alerts = NULL;
	size_t na = host_metrics_alerts(m, &alerts);
	int bond_down = 0;
	for (size_t i = 0; i < na; i++)
		bond_down |= !strcmp(alerts[i].kind, "bond_down") && !strcmp(alerts[i].bond, "bond1");
	CHECK(bond_down);
	free(alerts);
	/* Rates between two polls work as for the shell reader. */
	struct prom_host next;
	prom_host_init(&next, 7.0);
	next.m.has_cpu = 1;
	next.m.cpu_total = m->cpu_total;
	next.m.cpu_total.user += 100;
	next.m.cpu_total.idle += 100;
	host_metrics_rates(m, &next.m);
	CHECK(fabs(next.m.cpu_total.util - 50.0) < 0.01);
	host_metrics_free(&next.m);
	host_metrics_free(&hosts[0].m);
	host_metrics_free(&hosts[1].m);
	prom_batch_free(&b);
}

/* A host without NUMA series still has the one implicit node. */
static void test_implicit_node(void)
{
	struct prom_host h;
	prom_host_init(&h, 1);
	struct prom_label l[] = { { "__name__", "node_memory_MemTotal_bytes" } };
	struct prom_sample s = { l, 1, 1024 };
	prom_host_add(&h, &s);
	prom_host_finish(&h);
	CHECK_INT(h.m.numa.n, 1);
	CHECK_INT(h.m.numa.nodes[0].implicit, 1);
	CHECK_INT(h.m.numa.nodes[0].mem.mem_total, 1024);
	host_metrics_free(&h.m);
}

int main(void)
{
	test_queries();
	test_answers();
	test_mapping();
	test_implicit_node();
	return check_summary();
}
