/* fuzz_interrupts.c — libFuzzer target: /proc/interrupts on arbitrary
 * bytes, and the NIC matching rule on each interrupt name.  Invariants: no
 * more interrupts than lines, names terminated and without a ',', a name
 * always matches the NIC of the same name and never the empty one; time per
 * byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/interrupts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	struct irq_list l;
	err_clear(&e);
	double t0 = fuzz_clock_start();
	int rc = interrupts_parse(buf, size, &l, &e);
	fuzz_clock_check(t0, size, "interrupts_parse");
	if (rc < 0) {
		FUZZ_ASSERT(e.msg[0] && !l.n);
		irq_list_free(&l);
		return 0;
	}
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += buf[i] == '\n';
	FUZZ_ASSERT(l.n <= lines);
	for (size_t i = 0; i < l.n; i++) {
		const char *n = l.lines[i].name;
		FUZZ_ASSERT(FUZZ_TERMINATED(l.lines[i].name) && !strchr(n, ','));
		FUZZ_ASSERT(!interrupts_nic_match(n, "", NULL));
		if (n[0] && !strchr(n, '-'))
			FUZZ_ASSERT(interrupts_nic_match(n, n, NULL));
		interrupts_nic_match(n, "eth0", "virtio0");
		interrupts_nic_match(n, "ens1f0", "0000:3b:00.0");
	}
	irq_list_free(&l);
	return 0;
}
