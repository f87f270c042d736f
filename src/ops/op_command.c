/* op_command.c — h:run as an operation: a command for the host's shell,
 * validated like every other operation so that --readonly refuses it,
 * --dry-run prints it and the audit trail records it. */
#include "ops/op_impl.h"
#include "core/xalloc.h"

#include <string.h>

int run_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *cmd = op_str(ctx, "command");
	if (!cmd || !*cmd)
		return op_fail(ctx, err, VD_EINVAL, "an empty command");
	if (strlen(cmd) > 64 * 1024)
		return op_fail(ctx, err, VD_EINVAL, "the command is longer than 64 KiB");
	if (ctx->host->cfg->transport == HT_NONE)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "host has no shell transport (transport = \"none\")");
	return 0;
}

int run_build_command(const struct op_ctx *ctx, struct op_command *cmd, struct vd_err *err)
{
	(void)err;
	cmd->cmd = x_strdup(op_str(ctx, "command"));
	cmd->timeout_ms = (int)(op_get(ctx, "timeout")->n * 1000);
	cmd->max_bytes = (size_t)op_get(ctx, "max_bytes")->i;
	return 0;
}
