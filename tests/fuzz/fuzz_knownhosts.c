/* fuzz_knownhosts.c — libFuzzer target: the known_hosts matcher
 * (src/conn/knownhosts.c) on arbitrary file text.  The host name (letters,
 * digits, '.', '-'), port and ed25519 key looked up are made from the
 * input's first bytes.
 *
 * Invariants: the deciding line is a line of the text; the key types
 * listed for a host are distinct and within KH_TYPES_MAX; time per byte is
 * bounded.  Round trip: the text plus the line knownhosts_format_line
 * writes for host, port and key accepts that key (KH_OK), unless the text
 * revokes it (KH_REVOKED), and then lists its type. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conn/knownhosts.h"
#include "core/strbuf.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char host_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789.-";

static void check_types(const struct strbuf *types)
{
	FUZZ_ASSERT(types->len <= KH_TYPES_MAX);
	/* distinct: no ",T," twice */
	const char *p = types->buf;
	while (*p) {
		size_t n = strcspn(p, ",");
		for (const char *q = p + n; *q;) {
			q++;
			size_t m = strcspn(q, ",");
			FUZZ_ASSERT(m != n || memcmp(p, q, n) != 0);
			q += m;
		}
		p += n;
		if (*p)
			p++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char host[24];
	size_t hl = 0;
	for (size_t i = 0; i < size && i < 16; i++)
		host[hl++] = host_chars[data[i] % (sizeof host_chars - 1)];
	if (!hl)
		host[hl++] = 'h';
	host[hl] = '\0';
	int port = size > 17 ? (data[16] << 8 | data[17]) % 65536 : 22;
	unsigned char blob[4 + 11 + 4 + 32] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
						0, 0, 0, 32 };
	for (size_t i = 0; i < 32; i++)
		blob[19 + i] = size ? data[(i * 7) % size] : 0;

	struct kh_result r;
	struct strbuf types;
	sb_init(&types);
	size_t lines = fuzz_count(text, size, '\n') + 1;
	double t0 = fuzz_clock_start();
	FUZZ_ASSERT(knownhosts_check(text, size, host, port, blob, sizeof blob, &r) == 0);
	knownhosts_host_types(text, size, host, port, &types);
	fuzz_clock_check(t0, size, "knownhosts_check + host_types");
	FUZZ_ASSERT(r.line >= 0 && (size_t)r.line <= lines && (size_t)r.other_types <= lines);
	FUZZ_ASSERT((r.status == KH_UNKNOWN) == (r.line == 0));
	check_types(&types);

	struct strbuf file;
	sb_init(&file);
	sb_append_n(&file, text, size);
	if (size && text[size - 1] != '\n')
		sb_appendc(&file, '\n');
	knownhosts_format_line(host, port, blob, sizeof blob, &file);
	FUZZ_ASSERT(knownhosts_check(file.buf, file.len, host, port, blob, sizeof blob, &r) == 0);
	if (r.status != KH_OK && r.status != KH_REVOKED)
		fprintf(stderr, "host %s port %d: status %d at line %d\n", host, port, (int)r.status, r.line);
	FUZZ_ASSERT(r.status == KH_OK || r.status == KH_REVOKED);
	FUZZ_ASSERT(r.line >= 1 && (size_t)r.line <= lines + 1);
	size_t before = types.len;
	sb_reset(&types);
	knownhosts_host_types(file.buf, file.len, host, port, &types);
	check_types(&types);
	if (before + sizeof ",ssh-ed25519" <= KH_TYPES_MAX) {
		const char *p = strstr(types.buf, "ssh-ed25519");
		FUZZ_ASSERT(p && (p == types.buf || p[-1] == ',') && (p[11] == ',' || p[11] == '\0'));
	}
	sb_free(&file);
	sb_free(&types);
	return 0;
}
