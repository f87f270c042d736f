/* nameidx.h — the positions of named records of an array, kept in name
 * order, for parsers that look a name up once per input record.
 *
 * A binary search over the positions, not a hash: no choice of names (a
 * hostile host picks them) makes a look-up cost more than log2(n) string
 * compares.  The records stay where they are; only 4-byte positions move.
 * Each record holds its name as a NUL-terminated char array at name_off. */
#ifndef VD_METRICS_NAMEIDX_H
#define VD_METRICS_NAMEIDX_H

#include <stddef.h>
#include <stdint.h>

struct name_index {
	uint32_t *pos;        /* record positions, in name order */
	size_t    n, cap;
	size_t    stride;     /* sizeof one record */
	size_t    name_off;   /* offsetof its name */
};

#define NAME_INDEX_INIT(type, field) { NULL, 0, 0, sizeof(type), offsetof(type, field) }

/* The position of the record named name in the array at base, or -1; *slot
 * receives where name belongs in the index (for name_index_insert). */
long name_index_find(const struct name_index *ix, const void *base, const char *name, size_t *slot);
/* Records that the record at position pos (named as name_index_find was
 * asked) sits at slot. */
void name_index_insert(struct name_index *ix, size_t slot, size_t pos);
void name_index_free(struct name_index *ix);

#endif
