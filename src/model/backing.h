/* backing.h — the cluster-wide index of disk files and who stands on them.
 *
 * Every file a VM's disk uses (its own file and each layer of its backing
 * chain, from the domain XML) and every pool volume's backing file, with
 * the disks and volumes that use it and at which depth.  Built on demand
 * from the model (pure: no I/O), read by d:disks(), h:delete_volume's and
 * delete_snapshot's "another VM depends on it" refusals and the Storage
 * view.  Paths are compared cluster-wide: two hosts' local files of one
 * name count as one file, which errs towards refusing a delete. */
#ifndef VD_MODEL_BACKING_H
#define VD_MODEL_BACKING_H

#include <stddef.h>
#include <stdint.h>

struct cluster;

struct backing_user {
	size_t      host, dom;     /* indices in the cluster (dom: (size_t)-1 for a volume) */
	const char *domain;        /* borrowed from the model: the VM's name, NULL for a volume */
	const char *uuid;
	const char *target;        /* the VM's disk (vda), or the volume's path */
	unsigned    depth;         /* 0: the disk's own file; 1: its backing file; ... */
};

struct backing_file {
	const char *path;          /* borrowed from the model */
	const char *format;        /* "" unknown */
	uint64_t    capacity, allocation;  /* 0 unknown */
	const char *below;         /* the next layer down, NULL none or unknown */
	int         missing;       /* used as a backing file, in a pool directory, no such volume */
	struct backing_user *users;
	size_t      nusers;
};

struct backing_index {
	struct backing_file *files;   /* sorted by path */
	size_t               n;
};

/* Builds ix from c; the index borrows strings from c: rebuild after any change. */
void backing_index_build(const struct cluster *c, struct backing_index *ix);
void backing_index_free(struct backing_index *ix);
const struct backing_file *backing_index_find(const struct backing_index *ix, const char *path);
/* The first user of path that is not the domain with this uuid (NULL:
 * none excluded) and, when stands_on, only users above it (depth >= 1:
 * disks backed by path); NULL when none. */
const struct backing_user *backing_index_user(const struct backing_index *ix, const char *path,
					      const char *exclude_uuid, int stands_on);
/* Writes up to max names of path's users other than exclude_uuid into buf
 * ("vm1 (vda), vm2 (vdb), volume /p/x.qcow2"); returns how many users. */
size_t backing_index_users_text(const struct backing_index *ix, const char *path, const char *exclude_uuid,
				char *buf, size_t len);

#endif
