/* fuzz_snapxml.c — libFuzzer target: snapxml_parse (libvirt snapshot XML,
 * src/ops/snapxml.c) on arbitrary bytes, and a round trip through the
 * snapshot XML builder (xml_snapshot, src/ops/xml_devices.c).
 *
 * Invariants on arbitrary bytes: a refused document says why; a parsed one
 * has a name, as many bases, formats and targets as disks, no more disks
 * than "<disk" elements could fit; time per byte is bounded.  Round trip:
 * a name, description and disk targets made of the input's printable
 * bytes, built into XML, parse back to the same name, description,
 * disks, memory and external flags. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "fuzz_check.h"
#include "ops/snapxml.h"
#include "ops/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Frees what snapxml_parse filled.  (op_snapshots_free lives in
 * optable.c, which would link the whole operation table; a field this
 * misses shows up as a leak.) */
static void snapshot_free(struct op_snapshot *s)
{
	free(s->name);
	free(s->parent);
	free(s->description);
	for (size_t d = 0; d < s->ndisks; d++) {
		free(s->disk_sources[d]);
		free(s->disk_targets[d]);
		free(s->disk_bases[d]);
		free(s->disk_formats[d]);
	}
	free(s->disk_sources);
	free(s->disk_targets);
	free(s->disk_bases);
	free(s->disk_formats);
	free(s->domain_xml);
}

static void check_parsed(const struct op_snapshot *s, size_t size)
{
	FUZZ_ASSERT(s->name != NULL);
	/* "<disk/>" is 7 bytes */
	FUZZ_ASSERT(s->ndisks <= size / 7);
	for (size_t i = 0; i < s->ndisks; i++)
		FUZZ_ASSERT(s->disk_sources[i] && s->disk_targets[i] && s->disk_bases[i] && s->disk_formats[i]);
	FUZZ_ASSERT(FUZZ_TERMINATED(s->state));
	FUZZ_ASSERT(!s->ndisks || s->external);
}

/* Up to max printable ASCII bytes of the input from *p, as a string. */
static char *take(const uint8_t **p, const uint8_t *end, size_t max)
{
	size_t n = 0;
	char *out = malloc(max + 1);
	while (*p < end && n < max) {
		uint8_t c = *(*p)++;
		if (c == '|')
			break;
		out[n++] = (char)(0x20 + c % 0x5f);
	}
	out[n] = '\0';
	return out;
}

static void round_trip(const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	const uint8_t *p = data + 1, *end = data + size;
	struct xml_snapshot x = { 0 };
	char *name = take(&p, end, 64), *desc = take(&p, end, 200);
	char *disks[8];
	size_t nd = data[0] >> 4 & 7;
	for (size_t i = 0; i < nd; i++)
		disks[i] = take(&p, end, 16);
	x.name = name;
	x.description = desc[0] || (data[0] & 1) ? desc : NULL;
	x.external = (data[0] & 2) != 0;
	x.memory = (data[0] & 4) != 0;
	x.memory_file = x.external && x.memory ? "/m" : NULL;
	x.disks = (const char *const *)disks;
	x.ndisks = nd;
	struct strbuf sb;
	sb_init(&sb);
	xml_snapshot(&x, &sb);
	struct op_snapshot snap, *s = &snap;
	struct vd_err e;
	err_clear(&e);
	int rc = snapxml_parse(sb.buf, sb.len, s, &e);
	if (rc < 0)
		fprintf(stderr, "built XML refused (%s):\n%s\n", e.msg, sb.buf);
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(!strcmp(s->name, name));
	FUZZ_ASSERT(x.description ? s->description && !strcmp(s->description, desc) : !s->description);
	FUZZ_ASSERT(s->ndisks == (x.external ? nd : 0));
	for (size_t i = 0; i < s->ndisks; i++)
		FUZZ_ASSERT(!strcmp(s->disk_targets[i], disks[i]) && !strcmp(s->disk_sources[i], ""));
	FUZZ_ASSERT(s->external == (x.external && (x.memory || nd)));
	FUZZ_ASSERT(s->memory == (x.external && x.memory));
	snapshot_free(s);
	sb_free(&sb);
	for (size_t i = 0; i < nd; i++)
		free(disks[i]);
	free(name);
	free(desc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_err e;
	struct op_snapshot s;
	err_clear(&e);
	double t0 = fuzz_clock_start();
	int rc = snapxml_parse((const char *)data, size, &s, &e);
	fuzz_clock_check(t0, size, "snapxml_parse");
	if (rc < 0)
		FUZZ_ASSERT(e.msg[0]);
	else
		check_parsed(&s, size);
	snapshot_free(&s);
	round_trip(data, size);
	return 0;
}
