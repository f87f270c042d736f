/* libvirt_floor.c — what libvirt's client alone costs per poll cycle: the
 * bulk-statistics call vdeck makes per host (the same groups and flags),
 * from one thread, straight to the daemon's socket (no SSH, no tunnel, no
 * metrics), with libvirt set up as vdeck sets it up (virt_global_init,
 * virt_host_connect: its event loop and keepalive).
 * A console that reads its hosts through libvirt's client cannot spend
 * less per cycle; bench/run.sh reports it beside vdeck's own figure.
 *
 *   libvirt_floor HOSTS_TSV SOCKET CYCLES
 *
 * HOSTS_TSV is gen-cluster.sh's (name, libvirt URI, sysroot); each host's
 * test-driver file is the URI's path.  Prints cpu_ms_per_cycle=, hosts=
 * and records= (per cycle), a line each; exits 1 when a host cannot be
 * read. */
#include <errno.h>
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "conn/virt.h"

#define MAX_HOSTS          4096
#define CONNECT_TIMEOUT_MS 60000   /* bench/collect.py's --connect-timeout */

static double process_cpu_ms(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

/* "scheme://user@address:port/PATH?query" → PATH */
static int uri_path(const char *uri, char *path, size_t cap)
{
	const char *p = strstr(uri, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	if (!p)
		return -1;
	size_t n = strcspn(p, "?\t\n");
	if (n + 1 > cap)
		return -1;
	memcpy(path, p, n);
	path[n] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: libvirt_floor HOSTS_TSV SOCKET CYCLES\n");
		return 2;
	}
	int cycles = atoi(argv[3]);
	struct vd_err err = { 0 };
	if (cycles < 1) {
		fprintf(stderr, "libvirt_floor: CYCLES must be a positive number, not '%s'\n", argv[3]);
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		fprintf(stderr, "libvirt_floor: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (virt_global_init(&err) < 0) {
		fprintf(stderr, "libvirt_floor: %s\n", err.msg);
		return 1;
	}
	static struct virt_host *hosts[MAX_HOSTS];
	static virConnectPtr conns[MAX_HOSTS];
	int n = 0;
	char line[4096], path[2048], uri[4096];
	while (n < MAX_HOSTS && fgets(line, sizeof line, f)) {
		const char *tab = strchr(line, '\t');
		if (!tab || uri_path(tab + 1, path, sizeof path) < 0)
			continue;
		snprintf(uri, sizeof uri, "test+unix://%s?socket=%s", path, argv[2]);
		hosts[n] = virt_host_new(uri, CONNECT_TIMEOUT_MS);   /* its keepalive, too */
		if (virt_host_connect(hosts[n], &err) < 0) {
			fprintf(stderr, "libvirt_floor: %s\n", err.msg);
			return 1;
		}
		conns[n] = virt_host_handle(hosts[n]);
		n++;
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "libvirt_floor: no host in %s\n", argv[1]);
		return 1;
	}
	const unsigned groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON |
				VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
	long records = 0;
	double t0 = process_cpu_ms();
	for (int c = 0; c < cycles; c++)
		for (int i = 0; i < n; i++) {
			virDomainStatsRecordPtr *recs = NULL;
			int got = virConnectGetAllDomainStats(conns[i], groups, &recs,
							      VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
			if (got < 0) {
				fprintf(stderr, "libvirt_floor: host %d: the statistics call failed\n", i + 1);
				return 1;
			}
			records += got;
			virDomainStatsRecordListFree(recs);
		}
	printf("cpu_ms_per_cycle=%.2f\nhosts=%d\nrecords=%ld\n", (process_cpu_ms() - t0) / cycles, n,
	       records / cycles);
	for (int i = 0; i < n; i++)
		virt_host_free(&hosts[i]);
	return 0;
}
