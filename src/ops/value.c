/* value.c — text to typed values, strictly, and the declared bounds.
 *
 * Operators type these values (--exec k=v, the console's forms), so every
 * parse consumes the whole text or fails saying which argument and what
 * was wrong: a boolean is one of six words, an integer is decimal digits
 * that fit in 64 bits (never a float cast), a number is finite, a size has
 * a unit and fits in a signed 64-bit byte count. */
#include "ops/value.h"
#include "core/strbuf.h"
#include "core/units.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
	[OT_STRING] = "string", [OT_INTEGER] = "integer", [OT_NUMBER] = "number", [OT_BOOLEAN] = "boolean",
	[OT_SIZE] = "size", [OT_HOST] = "host", [OT_ENUM] = "enum", [OT_CALLBACK] = "function",
	[OT_LIST] = "list", [OT_DOMAIN] = "domain",
};

const char *op_type_name(enum op_type t)
{
	return (unsigned)t < sizeof type_names / sizeof type_names[0] ? type_names[t] : "?";
}

int op_type_parse(const char *name, enum op_type *t)
{
	for (unsigned i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (i != OT_CALLBACK && !strcmp(type_names[i], name))
			return *t = (enum op_type)i, 0;
	return -1;
}

static int parse_bool(const char *text, int *b)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	for (size_t i = 0; yes[i]; i++) {
		if (!strcmp(text, yes[i]))
			return *b = 1, 0;
		if (!strcmp(text, no[i]))
			return *b = 0, 0;
	}
	return -1;
}

/* Parses text as a's type, without bounds; on failure returns -1 and
 * points *why at what the text is not. */
static int parse_raw(const struct op_arg *a, const char *text, struct op_value *v, const char **why)
{
	char *end;
	switch (a->type) {
	case OT_INTEGER: {
		const char *digits = text + (*text == '-' || *text == '+');
		if (!isdigit((unsigned char)*digits))
			return *why = "is not an integer", -1;
		errno = 0;
		long long i = strtoll(text, &end, 10);
		if (*end)
			return *why = "is not an integer", -1;
		if (errno == ERANGE)
			return *why = "is out of the 64-bit integer range", -1;
		v->i = i;
		return 0;
	}
	case OT_NUMBER:
		errno = 0;
		v->n = strtod(text, &end);
		/* strtod also reads hex, leading blanks, "nan" and "inf" */
		if (end == text || *end || isspace((unsigned char)*text) || strpbrk(text, "xX"))
			return *why = "is not a number", -1;
		if (!isfinite(v->n))
			return *why = "is not a finite number", -1;
		return 0;
	case OT_BOOLEAN:
		if (parse_bool(text, &v->b) < 0)
			return *why = "is not a boolean (true/false, yes/no, on/off, 1/0)", -1;
		return 0;
	case OT_SIZE: {
		uint64_t b;
		int rc = size_parse(text, &b);
		if (rc == -1)
			return *why = "is not a size (e.g. 512M, 8G)", -1;
		if (rc < 0 || b > INT64_MAX)
			return *why = "is too large (sizes stop below 8192P)", -1;
		v->i = (int64_t)b;
		return 0;
	}
	case OT_ENUM:
		for (const char *const *p = a->values; p && *p; p++)
			if (!strcmp(*p, text)) {
				v->s = x_strdup(text);
				return 0;
			}
		return *why = "is not one of the allowed values", -1;
	case OT_CALLBACK:
		return *why = "cannot be given as text (a function is needed)", -1;
	case OT_LIST: {
		struct strbuf sb;
		sb_init(&sb);
		for (const char *p = text; *p;) {
			size_t n = strcspn(p, ", \t\n");
			if (n) {
				if (sb.len)
					sb_appendc(&sb, ' ');
				sb_append_n(&sb, p, n);
			}
			p += n + (p[n] != '\0');
		}
		v->s = sb_detach(&sb);
		sb_free(&sb);
		return 0;
	}
	case OT_STRING:
	case OT_HOST:
	case OT_DOMAIN:
		break;
	}
	v->s = x_strdup(text);
	return 0;
}

/* The value as the operator would read it, for messages. */
static void value_text(enum op_type t, const struct op_value *v, char *buf, size_t len)
{
	if (t == OT_NUMBER)
		snprintf(buf, len, "%g", v->n);
	else if (t == OT_SIZE && v->i >= 0)
		size_format((uint64_t)v->i, buf, len);
	else
		snprintf(buf, len, "%lld", (long long)v->i);
}

/* -1, 0, 1 as v compares with the bound b. */
static int compare(enum op_type t, const struct op_value *v, const struct op_value *b)
{
	if (t == OT_NUMBER)
		return (v->n > b->n) - (v->n < b->n);
	return (v->i > b->i) - (v->i < b->i);
}

/* Bounds of a (text: the value as given, or NULL to format it). */
static int check_bounds(const struct op_arg *a, const struct op_value *v, const char *text, struct vd_err *err)
{
	char shown[64];
	if (!text) {
		value_text(a->type, v, shown, sizeof shown);
		text = shown;
	}
	if (a->type == OT_NUMBER && !isfinite(v->n))
		return err_set(err, VD_EINVAL, "%s: %s is not a finite number", a->name, text);
	if (a->type == OT_SIZE && v->i < 0)
		return err_set(err, VD_EINVAL, "%s: %s is negative, not a size", a->name, text);
	if (a->type != OT_INTEGER && a->type != OT_NUMBER && a->type != OT_SIZE)
		return 0;
	const char *bound[2] = { a->min, a->max };
	for (int k = 0; k < 2; k++) {
		struct op_value b = { 0 };
		const char *why;
		if (!bound[k])
			continue;
		if (parse_raw(a, bound[k], &b, &why) < 0)
			return err_set(err, VD_EINVAL, "%s: its declared %s '%s' %s", a->name, k ? "maximum" : "minimum",
				       bound[k], why);
		int c = compare(a->type, v, &b);
		if (k == 0 && c < 0)
			return err_set(err, VD_EINVAL, "%s: %s is below the minimum %s", a->name, text, bound[k]);
		if (k == 1 && c > 0)
			return err_set(err, VD_EINVAL, "%s: %s is above the maximum %s", a->name, text, bound[k]);
	}
	return 0;
}

int op_value_parse(const struct op_arg *a, const char *text, struct op_value *v, struct vd_err *err)
{
	const char *why = NULL;
	memset(v, 0, sizeof *v);
	if (parse_raw(a, text, v, &why) < 0) {
		if (a->type != OT_ENUM)
			return err_set(err, VD_EINVAL, "%s: '%s' %s", a->name, text, why);
		struct strbuf sb;
		sb_init(&sb);
		for (const char *const *p = a->values; p && *p; p++)
			sb_appendf(&sb, "%s%s", p == a->values ? "" : ", ", *p);
		err_set(err, VD_EINVAL, "%s: '%s' is not one of %s", a->name, text, sb.len ? sb.buf : "(none)");
		sb_free(&sb);
		return -1;
	}
	if (check_bounds(a, v, text, err) < 0) {
		free(v->s);
		memset(v, 0, sizeof *v);
		return -1;
	}
	v->set = 1;
	return 0;
}

int op_value_check(const struct op_arg *a, const struct op_value *v, struct vd_err *err)
{
	return check_bounds(a, v, NULL, err);
}
