/* op_convert.c — d:convert_disk: a disk from thin to thick and back.
 *
 * libvirt has no call that changes an existing image's preallocation, so
 * the host's own qemu-img does it over the host's shell transport (a
 * command of the operation table, which dry-run prints and the audit
 * records; a settings command, OPF_SETTING: its exit status decides and
 * its last words are the message): it writes a new image of the same format
 * with the preallocation asked for beside the disk's file, gives it the
 * file's owner and mode, and moves it over the file, so the definition
 * names the same path.  A
 * half-written copy is removed on any failure and the disk is left as it
 * was.  Only a standalone file of a shut-off VM is rewritten: QEMU holds a
 * running VM's image open; qemu-img convert would flatten an overlay into
 * a full copy (and qcow2 cannot preallocate one that has a backing file);
 * and a file other disks stand on, or another VM uses, is not swapped
 * under them. */
#include "ops/op_impl.h"
#include "model/backing.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

int convert_disk_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *target = op_str(ctx, "disk"), *prealloc = op_str(ctx, "preallocation");
	const struct dom_disk *k = op_find_disk(ctx->dom, target);
	if (!k)
		return op_fail(ctx, err, VD_ENOTFOUND, "the domain has no disk %s", target);
	if (strcmp(k->type, "file") || !k->source || k->source[0] != '/')
		return op_fail(ctx, err, VD_EUNSUPPORTED, "disk %s is a %s disk: only image files are converted",
			       target, k->type);
	if (ctx->dom->state != DOM_SHUTOFF)
		return op_fail(ctx, err, VD_EREFUSED, "%s is %s: QEMU has %s open and qemu-img cannot rewrite it "
			       "under it (libvirt has no online way to change preallocation); shut the VM off first",
			       ctx->dom->info.name, dom_state_name(ctx->dom->state), k->source);
	if (ctx->host->cfg->transport == HT_NONE)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "host %s has no shell transport (transport = \"none\"): "
			       "the conversion runs qemu-img there", ctx->host->cfg->name);
	const char *fmt = k->format[0] ? k->format : "raw";
	if (strcmp(fmt, "raw") && strcmp(fmt, "qcow2"))
		return op_fail(ctx, err, VD_EUNSUPPORTED, "disk %s is %s: only raw and qcow2 images are converted",
			       target, fmt);
	if (!strcmp(fmt, "raw") && !strcmp(prealloc, "metadata"))
		return op_fail(ctx, err, VD_EINVAL, "a raw image has no metadata to preallocate: use \"full\" "
			       "(every byte written) or \"off\" (sparse)");
	if (k->backing)
		return op_fail(ctx, err, VD_EREFUSED, "disk %s stands on %s (an overlay: a linked clone or a "
			       "snapshot): qemu-img convert would turn it into a full copy, and a qcow2 with a backing "
			       "file cannot be preallocated; merge or flatten it first", target, k->backing);
	struct backing_index ix;
	backing_index_build(ctx->cluster, &ix);
	char users[512];
	size_t n = backing_index_users_text(&ix, k->source, ctx->dom->info.uuid, users, sizeof users);
	backing_index_free(&ix);
	if (n)
		return op_fail(ctx, err, VD_EREFUSED, "%s is also used by %s: it is not swapped under them",
			       k->source, users);
	if (!strcmp(prealloc, "full"))
		op_note(ctx, "full preallocation writes all %s of %s: the datastore needs that much free space",
			k->capacity ? "the capacity" : "the bytes", k->source);
	op_note(ctx, "the pool's allocation figures change after libvirt refreshes the pool");
	return 0;
}

int convert_disk_build_command(const struct op_ctx *ctx, struct op_command *cmd, struct vd_err *err)
{
	(void)err;
	const struct dom_disk *k = op_find_disk(ctx->dom, op_str(ctx, "disk"));
	const char *fmt = k->format[0] ? k->format : "raw";
	struct strbuf sb, tmp;
	sb_init(&sb);
	sb_init(&tmp);
	sb_appendf(&tmp, "%s.vdeck-convert", k->source);
	sb_append(&sb, "set -e\nf=");
	sb_append_shell(&sb, k->source);
	sb_append(&sb, "\nt=");
	sb_append_shell(&sb, tmp.buf);
	sb_append(&sb, "\ntest ! -e \"$t\" || { echo \"$t exists: an earlier conversion was cut off; remove it\" >&2; "
		       "exit 1; }\ntrap 'rm -f \"$t\"' EXIT\nqemu-img convert -f ");
	sb_append_shell(&sb, fmt);
	sb_append(&sb, " -O ");
	sb_append_shell(&sb, fmt);
	sb_append(&sb, " -o preallocation=");
	sb_append_shell(&sb, op_str(ctx, "preallocation"));
	sb_append(&sb, " \"$f\" \"$t\"\nchown --reference=\"$f\" \"$t\"\nchmod --reference=\"$f\" \"$t\"\n"
		       "mv -f \"$t\" \"$f\"\ntrap - EXIT\necho \"$f: preallocation=");
	sb_append(&sb, op_str(ctx, "preallocation"));   /* an enum value: no quoting needed */
	sb_append(&sb, "\"\n");
	sb_free(&tmp);
	cmd->cmd = sb_detach(&sb);
	cmd->timeout_ms = (int)(op_get(ctx, "timeout")->n * 1000);
	cmd->max_bytes = 1 << 20;
	return 0;
}
