/* lua_stubs.c — writes the LuaLS meta file: the module table, the read
 * API (lua_stubs_read.c), then one annotated method per entry of the
 * operation table, with the Lua types its arguments take (api_ops.c's
 * conversions) and an options class per operation. */
#include "lua/lua_stubs.h"
#include "lua/lua_stubs_priv.h"
#include "ops/optable.h"

#include <string.h>

/* The Lua type an argument accepts (lua/api_ops.c converts it). */
static void lua_type_of(FILE *out, const struct op_arg *a)
{
	switch (a->type) {
	case OT_STRING: case OT_DOMAIN: fputs("string", out); break;
	case OT_INTEGER: fputs("integer", out); break;
	case OT_NUMBER: fputs("number", out); break;
	case OT_BOOLEAN: fputs("boolean", out); break;
	case OT_SIZE: fputs("integer|string", out); break;   /* bytes, or "8G" */
	case OT_HOST: fputs("string|vdeck.Host", out); break;
	case OT_CALLBACK: fputs("fun(progress: vdeck.Progress)", out); break;
	case OT_LIST: fputs("string[]|string", out); break;
	case OT_ENUM:
		for (const char *const *v = a->values; v && *v; v++)
			fprintf(out, "%s\"%s\"", v == a->values ? "" : "|", *v);
		break;
	}
}

/* A one-line doc, with what the table says of defaults and bounds. */
static void arg_doc(FILE *out, const struct op_arg *a)
{
	fprintf(out, " %s", a->doc ? a->doc : "");
	if (a->def)
		fprintf(out, " (default %s)", a->def);
	if (a->min || a->max)
		fprintf(out, " [%s..%s]", a->min ? a->min : "", a->max ? a->max : "");
	fputc('\n', out);
}

static void write_op(FILE *out, const struct op_def *def)
{
	const char *owner = def->target == OP_DOMAIN ? "Domain" : "Host";
	/* The options class: every argument, by name.  Named after its owner
	 * too: a host and a domain operation may share a name (set_coalesce). */
	fprintf(out, "---@class vdeck.opts.%s.%s\n", owner, def->name);
	for (size_t i = 0; i < def->nargs; i++) {
		fprintf(out, "---@field %s ", def->args[i].name);
		lua_type_of(out, &def->args[i]);
		fputc('?', out);
		arg_doc(out, &def->args[i]);
	}
	fprintf(out, "\n---%s%s%s\n", def->summary, def->flags & OPF_DESTRUCTIVE ? " (destructive)" : "",
		def->flags & OPF_MUTATES ? "; refused under --readonly, printed under --dry-run, audited" : "");
	int need_opts = 0;
	for (size_t i = 0; i < def->nargs; i++) {
		const struct op_arg *a = &def->args[i];
		if (!(a->flags & OAF_POSITIONAL)) {
			need_opts |= (a->flags & OAF_REQUIRED) != 0;
			continue;
		}
		fprintf(out, "---@param %s%s ", a->name, a->flags & OAF_REQUIRED ? "" : "?");
		lua_type_of(out, a);
		arg_doc(out, a);
	}
	fprintf(out, "---@param opts%s vdeck.opts.%s.%s\n", need_opts ? "" : "?", owner, def->name);
	const char *ret = def->build_command ? "string, string, integer" :
			  def->flags & OPF_LONG ? "vdeck.OpResult|vdeck.Task" : "vdeck.OpResult";
	if (def->build_command)
		fputs("---@return string stdout\n---@return string stderr\n---@return integer status\n", out);
	else if (def->flags & OPF_LONG)
		fputs("---@return vdeck.OpResult|vdeck.Task result a task with async = true\n", out);
	else
		fputs("---@return vdeck.OpResult\n", out);
	/* Every argument may come in the options table alone: d:snapshot{ name = "x" }. */
	fprintf(out, "---@overload fun(self: vdeck.%s, opts: vdeck.opts.%s.%s): %s\n", owner, owner, def->name, ret);
	fprintf(out, "function %s:%s(", owner, def->name);
	for (size_t i = 0; i < def->nargs; i++)
		if (def->args[i].flags & OAF_POSITIONAL)
			fprintf(out, "%s, ", def->args[i].name);
	fputs("opts) end\n\n", out);
}

void lua_stubs_write(FILE *out)
{
	fputs("---@meta vdeck\n"
	      "-- LuaLS annotations of vdeck " VD_VERSION "'s Lua API, written by `vdeck --lua-stubs`:\n"
	      "-- the operations from its operation table, the read API as declared in the binary.\n"
	      "-- Point the Lua language server at this directory (workspace.library).\n\n"
	      "---@class vdeck\n"
	      "---@field version string\n"
	      "---@field dry_run boolean --dry-run is on\n"
	      "---@field json_output boolean --json is on\n"
	      "vdeck = {}\n\n", out);
	fputs(lua_stubs_read, out);
	fputs("-- Operations (src/ops/optable.c)\n\n", out);
	for (size_t i = 0; optable_at(i); i++)
		write_op(out, optable_at(i));
	fputs("return vdeck\n", out);
}
