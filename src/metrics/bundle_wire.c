/* bundle_wire.c — the poll script's reply made a bundle (format: bundle.h).
 *
 * Where the script reads every file with one grep, its reply names the
 * file on each line; this joins the lines back into one record per file.
 * Either way (grep lines, or bash's whole-file records: metrics/bundle.c)
 * it sums each VM's numa_maps per node (what the local reader does
 * in-process) so that every reader hands the parsers the same bundle.
 * Linear in the input: the numa_maps files are matched to their VMs in
 * order. */
#include "metrics/bundle.h"

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "metrics/vmnuma.h"

#include <stdint.h>
#include <string.h>

#define PATH_MAX_LEN 1023
#define VMS_MAX      4096

struct vm_maps {
	const char *path, *name;   /* into the reply */
	size_t      path_len, name_len;
	uint64_t    bytes[VM_NUMA_MAX_NODES];
	unsigned    nodes;
	int         seen;
};

struct decoder {
	struct strbuf  *out;
	struct vm_maps *vms;
	size_t          nvms, cap, next_vm;
	int             has_vm_record;
	/* the file being joined */
	struct strbuf   file;
	const char     *path;
	size_t          path_len;
	int             poisoned;   /* it holds 0x1E: dropped */
	struct vm_maps *vm;         /* it is this VM's numa_maps */
};

/* One line "<a>\0<b>\n" from p (end exclusive): 0 with the two halves and
 * *next, -1 when the line is cut short (no newline) or has no NUL. */
static int split_line(const char *p, const char *end, const char **a, size_t *alen, const char **b,
		      size_t *blen, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl) {
		*next = end;
		return -1;
	}
	*next = nl + 1;
	const char *z = memchr(p, '\0', (size_t)(nl - p));
	if (!z)
		return -1;
	*a = p;
	*alen = (size_t)(z - p);
	*b = z + 1;
	*blen = (size_t)(nl - (z + 1));
	return 0;
}

static int path_ok(const char *p, size_t n)
{
	return n > 0 && n <= PATH_MAX_LEN && !memchr(p, BUNDLE_SEP, n) && !memchr(p, '\n', n);
}

static void flush_file(struct decoder *d)
{
	if (d->path && !d->vm && !d->poisoned && d->file.len) {
		sb_appendc(d->out, BUNDLE_SEP);
		sb_append(d->out, "F ");
		if (d->path[0] != '/')
			sb_appendc(d->out, '/');
		sb_append_n(d->out, d->path, d->path_len);
		sb_appendc(d->out, '\n');
		sb_append_n(d->out, d->file.buf, d->file.len);
	}
	sb_reset(&d->file);
	d->path = NULL;
	d->vm = NULL;
	d->poisoned = 0;
}

static int same_path(const struct vm_maps *v, const char *path, size_t n)
{
	/* P and V name "/proc/1/numa_maps"; grep names "proc/1/numa_maps", an
	 * F record "/proc/1/numa_maps" */
	if (n && path[0] == '/')
		return v->path_len == n && !memcmp(v->path, path, n);
	return v->path_len == n + 1 && v->path[0] == '/' && !memcmp(v->path + 1, path, n);
}

/* The VM whose numa_maps path is this, searched on from the last match
 * (the VMs are named in the order their files come); NULL: none. */
static struct vm_maps *vm_of(struct decoder *d, const char *path, size_t n)
{
	for (size_t i = d->next_vm; i < d->nvms; i++)
		if (same_path(&d->vms[i], path, n)) {
			d->next_vm = i + 1;
			return &d->vms[i];
		}
	return NULL;
}

static void add_vm(struct decoder *d, const char *path, size_t path_len, const char *name, size_t name_len)
{
	/* a name is one line of the vm-numa record */
	if (d->nvms >= VMS_MAX || !name_len || memchr(name, BUNDLE_SEP, name_len) || memchr(name, '\n', name_len))
		return;
	x_grow(&d->vms, &d->cap, d->nvms + 1, sizeof *d->vms);
	d->vms[d->nvms++] = (struct vm_maps){ .path = path, .path_len = path_len, .name = name,
					     .name_len = name_len };
}

/* bash's records: "V <path>\n<name>\n" names a VM (after the P line);
 * "F <path>\n<content>" of a path a V named is its numa_maps.  1 when rec
 * (header hdr, body from data to rend) was one of them. */
static int vm_records(struct decoder *d, const char *hdr, size_t hlen, const char *data, const char *rend)
{
	if (hlen < 3 || hdr[2] != ' ' || (hdr[1] != 'V' && hdr[1] != 'F'))
		return 0;
	const char *path = hdr + 3;
	size_t plen = hlen - 3, dlen = (size_t)(rend - data);
	if (hdr[1] == 'V') {
		if (d->has_vm_record && path_ok(path, plen) && path[0] == '/')
			add_vm(d, path, plen, data, dlen && data[dlen - 1] == '\n' ? dlen - 1 : dlen);
		return 1;
	}
	struct vm_maps *vm = d->has_vm_record ? vm_of(d, path, plen) : NULL;
	if (!vm)
		return 0;
	vm->seen = 1;
	numa_maps_sum(data, dlen, vm->bytes, &vm->nodes);
	return 1;
}

static void file_line(struct decoder *d, const char *path, size_t n, const char *data, size_t dlen)
{
	if (!d->path || d->path_len != n || memcmp(d->path, path, n)) {
		flush_file(d);
		d->path = path;
		d->path_len = n;
		/* the P entries are in grep's order: the search only moves on */
		d->vm = vm_of(d, path, n);
	}
	if (d->vm) {
		d->vm->seen = 1;
		numa_maps_sum(data, dlen, d->vm->bytes, &d->vm->nodes);
		return;
	}
	if (memchr(data, BUNDLE_SEP, dlen))
		d->poisoned = 1;
	sb_append_n(&d->file, data, dlen);
	sb_appendc(&d->file, '\n');
}

static void vm_record(struct decoder *d)
{
	sb_appendc(d->out, BUNDLE_SEP);
	sb_append(d->out, "C vm-numa\n");
	for (size_t i = 0; i < d->nvms; i++) {
		const struct vm_maps *v = &d->vms[i];
		if (!v->seen)
			continue;
		sb_append_n(d->out, v->name, v->name_len);
		for (unsigned k = 0; k < v->nodes && k < VM_NUMA_MAX_NODES; k++)
			if (v->bytes[k])
				sb_appendf(d->out, " N%u=%llu", k, (unsigned long long)v->bytes[k]);
		sb_appendc(d->out, '\n');
	}
}

/* A section of "<a>\0<b>\n" lines from p; returns where it ends (a line
 * starting with 0x1E, or the end). */
static const char *section(struct decoder *d, const char *p, const char *end, int files)
{
	while (p < end && *p != BUNDLE_SEP) {
		const char *a, *b, *next;
		size_t alen, blen;
		int rc = split_line(p, end, &a, &alen, &b, &blen, &next);
		p = next;
		if (rc < 0 || !path_ok(a, alen))
			continue;
		if (files) {
			file_line(d, a, alen, b, blen);
		} else {
			add_vm(d, a, alen, b, blen);
		}
	}
	return p;
}

void bundle_wire_decode(const char *buf, size_t len, struct strbuf *out)
{
	struct decoder d = { .out = out };
	sb_init(&d.file);
	const char *p = buf ? memchr(buf, BUNDLE_SEP, len) : NULL, *end = buf + len;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t hlen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (nl && hlen == 2 && p[1] == 'G') {
			p = section(&d, nl + 1, end, 1);
			flush_file(&d);
			if (d.has_vm_record)
				vm_record(&d);
			d.has_vm_record = 0;
			continue;
		}
		if (nl && hlen == 2 && p[1] == 'P') {
			d.nvms = d.next_vm = 0;
			d.has_vm_record = 1;
			p = section(&d, nl + 1, end, 0);
			continue;
		}
		/* a bundle record: passed on as it is, but a VM's name, its
		 * numa_maps and bash's padding (Z) */
		const char *next = memchr(p + 1, BUNDLE_SEP, (size_t)(end - p - 1));
		const char *rend = next ? next : end;
		int padding = hlen >= 2 && p[1] == 'Z';
		if (!padding && (!nl || nl >= rend || !vm_records(&d, p, hlen, nl + 1, rend)))
			sb_append_n(out, p, (size_t)(rend - p));
		p = next;
	}
	sb_free(&d.file);
	x_free(&d.vms);
}
