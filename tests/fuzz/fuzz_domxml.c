/* fuzz_domxml.c — libFuzzer target: domxml_parse on arbitrary bytes must
 * not crash, leak, or follow external entities. */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "metrics/domxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_err e;
	struct dom_info d;
	err_clear(&e);
	if (domxml_parse((const char *)data, size, &d, &e) == 0) {
		struct dom_info copy;
		dom_info_copy(&copy, &d);
		dom_info_free(&copy);
		dom_info_free(&d);
	}
	return 0;
}
