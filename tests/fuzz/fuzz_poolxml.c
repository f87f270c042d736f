/* fuzz_poolxml.c — libFuzzer target: pool_xml_file_dir on arbitrary bytes
 * must not crash or leak, and what it returns is a directory restore_to can
 * compare with: absolute, no trailing '/' (but "/"), no longer than the input.
 * The pool and volume parsers, and copying what they give, on the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/poolxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dir = pool_xml_file_dir((const char *)data, size);
	if (dir) {
		size_t n = strlen(dir);
		if (dir[0] != '/' || n > size || (n > 1 && dir[n - 1] == '/'))
			abort();
	}
	free(dir);
	struct pool_info p, copy;
	if (pool_xml_parse((const char *)data, size, &p, NULL) == 0) {
		struct pool_volume v;
		if (pool_volume_xml_parse((const char *)data, size, &v, NULL) == 0)
			pool_add_volume(&p, &v);
		pool_info_copy(&copy, &p);
		pool_info_free(&copy);
		pool_info_free(&p);
	} else {
		struct pool_volume v;
		if (pool_volume_xml_parse((const char *)data, size, &v, NULL) == 0)
			pool_volume_free(&v);
	}
	return 0;
}
