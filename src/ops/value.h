/* value.h — typed values: the one parser and range check for operation
 * arguments, runbook parameters, the console's forms and k=v words.
 *
 * An argument is declared once (struct op_arg: name, type, enum values,
 * bounds); text becomes a value only through op_value_parse, which is
 * strict (`live=flase`, `count=2.5`, `ratio=nan` are errors, never a
 * silent default) and applies the declared bounds of integers, numbers
 * and sizes.  Values that arrive already typed (Lua numbers) get the same
 * bounds from op_value_check. */
#ifndef VD_VALUE_H
#define VD_VALUE_H

#include <stdint.h>

#include "core/err.h"

enum op_type {
	OT_STRING, OT_INTEGER, OT_NUMBER, OT_BOOLEAN, OT_SIZE, OT_HOST, OT_ENUM,
	OT_CALLBACK,   /* a Lua function (progress); never reaches validate/build */
	OT_LIST,       /* names: a Lua table of strings, or "a,b" as text; kept as "a b" */
	OT_DOMAIN,     /* a VM name (runbook parameters; operations take the VM as target) */
};

enum {
	OAF_REQUIRED   = 1u << 0,
	OAF_POSITIONAL = 1u << 1,   /* may be given before the options table */
	/* A string of "KEY:VALUE;KEY:VALUE" entries keyed by number: from Lua
	 * the integer keys of the options table ({ [0] = "0-3", live = true })
	 * or a table of its own (pins = { [0] = "0-3" }). */
	OAF_INDEXED    = 1u << 2,
};

struct op_arg {
	const char         *name;
	enum op_type        type;
	unsigned            flags;
	const char         *def;      /* default as text (parsed by type), NULL none */
	const char         *doc;
	const char *const  *values;   /* OT_ENUM: NULL-terminated */
	/* Integer, number and size: inclusive bounds as text of the same
	 * type ("1", "0.5", "64M"); NULL: none. */
	const char         *min, *max;
};

struct op_value {
	int      set;
	int      b;
	int64_t  i;      /* integer, size (bytes) */
	double   n;
	char    *s;      /* string, host, domain, enum, list (owned) */
};

const char *op_type_name(enum op_type t);
/* The type a runbook declares by name ("integer", "size", ...); -1 unknown. */
int  op_type_parse(const char *name, enum op_type *t);
/* Text as a's type, within its bounds, into v (v->s is the caller's).
 * Fails naming the argument and the text. */
int  op_value_parse(const struct op_arg *a, const char *text, struct op_value *v, struct vd_err *err);
/* The bounds (and finiteness, non-negative size) of a value that did not
 * come as text. */
int  op_value_check(const struct op_arg *a, const struct op_value *v, struct vd_err *err);

#endif
