/* op_ksm.c — h:set_ksm: kernel samepage merging settings of a host, written
 * to /sys/kernel/mm/ksm under the host's sysroot by a short sh script over
 * its shell transport.
 *
 * merge_across_nodes can only change while no page is merged, so the
 * script unmerges first (run = 2), writes it, then sets run to the value
 * asked for or back to what it was.  The values of the last poll head the
 * script as a comment, so the audit record (which keeps the script) says
 * what they were; the script also prints the values it found. */
#include "ops/op_impl.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "metrics/host_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const knobs[] = { "pages_to_scan", "sleep_millisecs" };

int set_ksm_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct host *h = ctx->host;
	if (!op_get(ctx, "run") && !op_get(ctx, "pages_to_scan") && !op_get(ctx, "sleep_millisecs") &&
	    !op_get(ctx, "merge_across_nodes"))
		return op_fail(ctx, err, VD_EINVAL, "nothing to set: give run, pages_to_scan, sleep_millisecs or "
			       "merge_across_nodes");
	if (h->cfg->transport == HT_NONE)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "host %s has no shell transport (transport = \"none\")",
			       h->cfg->name);
	if (!h->metrics)
		return op_fail(ctx, err, VD_EUNREACH, "host %s has not been polled over its shell yet: its KSM "
			       "state is unknown", h->cfg->name);
	const struct ksm *k = &h->metrics->ksm;
	if (!k->present)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "host %s has no KSM (/sys/kernel/mm/ksm is missing)",
			       h->cfg->name);
	const struct op_value *m = op_get(ctx, "merge_across_nodes");
	if (m && !k->has_merge_across_nodes)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "the kernel of host %s has no merge_across_nodes "
			       "(built without NUMA)", h->cfg->name);
	char a[32];
	const struct op_value *run = op_get(ctx, "run");
	if (m && k->pages_sharing)
		op_note(ctx, "merge_across_nodes changes only with nothing merged: every page is unmerged first "
			"(run=2), so memory use on host %s rises by up to %s until KSM merges again",
			h->cfg->name, size_format(k->saved, a, sizeof a));
	else if (run && run->i == 2 && k->pages_sharing)
		op_note(ctx, "run=2 unmerges every page: memory use on host %s rises by up to %s", h->cfg->name,
			size_format(k->saved, a, sizeof a));
	return 0;
}

int set_ksm_build_command(const struct op_ctx *ctx, struct op_command *cmd, struct vd_err *err)
{
	(void)err;
	const struct host *h = ctx->host;
	const struct ksm *k = &h->metrics->ksm;
	struct strbuf sb;
	sb_init(&sb);
	sb_appendf(&sb, "# set_ksm on %s; before (last poll): run=%llu pages_to_scan=%llu sleep_millisecs=%llu",
		   h->cfg->name, (unsigned long long)k->run, (unsigned long long)k->pages_to_scan,
		   (unsigned long long)k->sleep_millisecs);
	if (k->has_merge_across_nodes)
		sb_appendf(&sb, " merge_across_nodes=%llu", (unsigned long long)k->merge_across_nodes);
	sb_append(&sb, "\nK=");
	const char *root = h->cfg->sysroot && strcmp(h->cfg->sysroot, "/") ? h->cfg->sysroot : "";
	size_t rl = strlen(root);
	while (rl && root[rl - 1] == '/')
		rl--;
	char *dir = x_asprintf("%.*s/sys/kernel/mm/ksm", (int)rl, root);
	sb_append_shell(&sb, dir);
	free(dir);
	sb_append(&sb, "\nw() { { printf '%s\\n' \"$2\" >\"$K/$1\"; } 2>/dev/null || { echo \"set_ksm: cannot write $2 to $K/$1\" >&2; exit 1; }; }\n"
		  "was=$(cat \"$K/run\") || exit 1\n"
		  "echo \"before: run=$was pages_to_scan=$(cat \"$K/pages_to_scan\") "
		  "sleep_millisecs=$(cat \"$K/sleep_millisecs\") merge_across_nodes=$(cat \"$K/merge_across_nodes\" 2>/dev/null)\"\n");
	for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++) {
		const struct op_value *v = op_get(ctx, knobs[i]);
		if (v)
			sb_appendf(&sb, "w %s %lld\n", knobs[i], (long long)v->i);
	}
	const struct op_value *run = op_get(ctx, "run"), *m = op_get(ctx, "merge_across_nodes");
	char final[32];
	if (run)
		snprintf(final, sizeof final, "%lld", (long long)run->i);
	else
		snprintf(final, sizeof final, "\"$was\"");
	if (m) {
		sb_append(&sb, "# merge_across_nodes changes only while nothing is merged: unmerge first\n"
			  "w run 2\n");
		sb_appendf(&sb, "{ printf '%%s\\n' %lld >\"$K/merge_across_nodes\"; } 2>/dev/null || { w run \"$was\"; "
			   "echo \"set_ksm: cannot write %lld to $K/merge_across_nodes (run put back to $was)\" >&2; exit 1; }\n",
			   (long long)m->i, (long long)m->i);
		sb_appendf(&sb, "w run %s\n", final);
	} else if (run) {
		sb_appendf(&sb, "w run %s\n", final);
	}
	sb_append(&sb, "echo \"after: run=$(cat \"$K/run\") pages_to_scan=$(cat \"$K/pages_to_scan\") "
		  "sleep_millisecs=$(cat \"$K/sleep_millisecs\") merge_across_nodes=$(cat \"$K/merge_across_nodes\" 2>/dev/null)\"\n");
	cmd->cmd = sb_detach(&sb);
	sb_free(&sb);
	cmd->timeout_ms = 120000;   /* unmerging a large host takes a while */
	cmd->max_bytes = 64 * 1024;
	return 0;
}
