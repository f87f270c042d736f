/* fuzz_check.h — what a fuzz target asserts besides "no crash".
 *
 * FUZZ_ASSERT(cond) aborts with the condition's text when an invariant of
 * the parser's result does not hold (libFuzzer then saves the input as a
 * crash).  fuzz_clock_start / fuzz_clock_check bound the cost of one parse:
 * more than FUZZ_US_PER_BYTE microseconds of CPU per input byte plus
 * FUZZ_BASE_MS is a failure.
 *
 * The clock is this thread's user CPU time (getrusage): a loaded machine
 * does not stretch it, and neither do the kernel's page faults when ASan
 * maps fresh memory.  The linear parsers need well under 1 us per byte
 * with ASan and coverage, so the slope is far from them, but a parse that
 * loops once per CPU of a range crosses it (the old cpulist: 8.6 s for the
 * 64 KB seed, bound 1.8 s).  The constant is large because an input of a
 * few hundred bytes that runs in a millisecond was seen to take 100 ms
 * once in a million runs (the sanitizer's allocator at work), and because
 * a quadratic cost cannot show on inputs that small anyway. */
#ifndef VD_FUZZ_CHECK_H
#define VD_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define FUZZ_US_PER_BYTE 20.0
#define FUZZ_BASE_MS     500.0

#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		abort(); \
	} \
} while (0)

static inline double fuzz_cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

static inline double fuzz_clock_start(void)
{
	return fuzz_cpu_seconds();
}

/* Aborts when what (size input bytes) took more than the bound since t0. */
static inline void fuzz_clock_check(double t0, size_t size, const char *what)
{
	double spent = fuzz_cpu_seconds() - t0;
	double limit = ((double)size * FUZZ_US_PER_BYTE) / 1e6 + FUZZ_BASE_MS / 1e3;
	if (spent > limit) {
		fprintf(stderr, "fuzz invariant failed: %s took %.3f s of user CPU for %zu bytes (limit %.3f s)\n",
			what, spent, size, limit);
		abort();
	}
}

/* 1 when the char array of that size holds a terminated string. */
#define FUZZ_TERMINATED(arr) (memchr((arr), '\0', sizeof(arr)) != NULL)

/* How many times byte c occurs in [p, p + n). */
static inline size_t fuzz_count(const char *p, size_t n, char c)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] == c;
	return k;
}

#endif
