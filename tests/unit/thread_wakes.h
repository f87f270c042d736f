/* thread_wakes.h — how often a named thread of this process has gone to
 * sleep and been woken (its voluntary context switches), for tests that a
 * thread is left asleep when nothing is owed to it. */
#ifndef VD_THREAD_WAKES_H
#define VD_THREAD_WAKES_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* The switches of the thread named comm (the last found; -1: none), and
 * in *count how many threads have that name (count may be NULL). */
static long thread_wakes_n(const char *comm, int *count)
{
	DIR *d = opendir("/proc/self/task");
	long wakes = -1;
	struct dirent *e;
	if (count)
		*count = 0;
	while (d && (e = readdir(d))) {
		char path[300], text[4096];
		snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		int named = f && fgets(text, sizeof text, f) && !strncmp(text, comm, strlen(comm)) &&
			    !strcmp(text + strlen(comm), "\n");
		if (f)
			fclose(f);
		snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
		if (!named || !(f = fopen(path, "r")))
			continue;
		if (count)
			++*count;
		while (fgets(text, sizeof text, f))
			if (sscanf(text, "voluntary_ctxt_switches: %ld", &wakes) == 1)
				break;
		fclose(f);
	}
	if (d)
		closedir(d);
	return wakes;
}

static long thread_wakes(const char *comm)
{
	return thread_wakes_n(comm, NULL);
}

#endif
