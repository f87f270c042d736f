/* fuzz_virt_rpc.c — libFuzzer target: libvirt's remote protocol as vdeck
 * reads it (conn/virt_rpc_wire.c): any bytes as a reply message, and as
 * the statistics payload.
 *
 * Invariants: decoding is deterministic; a decoded reply's records are
 * bounded by the input (each needs at least 28 bytes, each parameter 12);
 * every name and field is NUL-terminated within its bound; a refused
 * input leaves no records and says why; the time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conn/virt_rpc_wire.h"
#include "core/err.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p;
	size_t plen;
	struct vd_err e;
	err_clear(&e);
	double t0 = fuzz_clock_start();
	int m = virt_rpc_reply(data, size, VIRT_RPC_PROC_STATS, 7, &p, &plen, &e);
	FUZZ_ASSERT(m >= -1 && m <= 1);
	FUZZ_ASSERT(m != 0 || (p >= data && p + plen == data + size));
	FUZZ_ASSERT(m != -1 || e.msg[0]);

	struct virt_rpc_rec *r = NULL, *r2 = NULL;
	size_t n = 0, n2 = 0;
	err_clear(&e);
	int rc = virt_rpc_decode_stats(data, size, &r, &n, &e);
	fuzz_clock_check(t0, size, "virt_rpc_decode_stats");
	FUZZ_ASSERT(rc == 0 || (r == NULL && n == 0 && e.msg[0]));
	size_t params = 0;
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(r[i].name != NULL && r[i].rec.nparams >= 0);
		for (int k = 0; k < r[i].rec.nparams; k++) {
			FUZZ_ASSERT(memchr(r[i].rec.params[k].field, '\0', VIR_TYPED_PARAM_FIELD_LENGTH) != NULL);
			if (r[i].rec.params[k].type == VIR_TYPED_PARAM_STRING)
				FUZZ_ASSERT(r[i].rec.params[k].value.s != NULL);
		}
		params += (size_t)r[i].rec.nparams;
	}
	FUZZ_ASSERT(n * 28 + params * 12 <= size + 4);
	err_clear(&e);
	int rc2 = virt_rpc_decode_stats(data, size, &r2, &n2, &e);
	FUZZ_ASSERT(rc2 == rc && n2 == n);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(!strcmp(r[i].name, r2[i].name) && r[i].id == r2[i].id &&
			    r[i].rec.nparams == r2[i].rec.nparams);
	virt_rpc_recs_free(&r, n);
	virt_rpc_recs_free(&r2, n2);
	return 0;
}
