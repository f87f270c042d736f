/* mover.c — keeps the simulated hosts' counters moving during a benchmark.
 *
 *   mover DIR INTERVAL_S OUT       (DIR holds spec and tree/, from gen-cluster.sh)
 *
 * Every INTERVAL_S seconds it calls the demo generator's own demo_tick() for
 * every host: NIC statistics and /proc/net/dev, /proc/stat, /proc/vmstat and
 * KSM full_scans advance as on a live host, each file replaced atomically, so
 * rates computed by any reader (vdeck or the baseline) look alive.  On
 * SIGTERM/SIGINT it writes its own cost to OUT, "ticks CPU_MS WALL_S", so
 * the benchmark reports what moving the counters cost beside what reading
 * them costs. */
#include "core/timeutil.h"
#include "demo/demo.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mover DIR INTERVAL_S OUT\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/spec", argv[1]);
	FILE *f = fopen(path, "r");
	struct demo_spec spec = { 0 };
	if (!f || fscanf(f, "%u %u %u", &spec.hosts, &spec.vms, &spec.seed) != 3) {
		fprintf(stderr, "mover: cannot read %s\n", path);
		return 1;
	}
	fclose(f);
	snprintf(path, sizeof path, "%s/tree", argv[1]);
	double interval = atof(argv[2]);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	double start = now_mono_s();
	unsigned long ticks = 0;
	while (!stop) {
		double t = now_mono_s() - start;
		for (unsigned i = 0; i < spec.hosts && !stop; i++) {
			struct vd_err err;
			err_clear(&err);
			if (demo_tick(path, i, &spec, t, &err) < 0) {
				fprintf(stderr, "mover: %s\n", err.msg);
				return 1;
			}
		}
		ticks++;
		struct timespec ts = { (time_t)interval, (long)((interval - (time_t)interval) * 1e9) };
		nanosleep(&ts, NULL);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	f = fopen(argv[3], "w");
	if (f) {
		fprintf(f, "%lu %.1f %.1f\n", ticks, cpu_ms, now_mono_s() - start);
		fclose(f);
	}
	return 0;
}
