/* test_value.c — the typed-value parser every argument and runbook
 * parameter goes through: each type, each bad input an operator could type
 * (`live=flase`, `count=2.5`, `ratio=nan`, a size past the largest), the
 * declared bounds, and the operation table's own bounds and defaults. */
#include "check.h"
#include "ops/optable.h"
#include "ops/value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct vd_err err;

/* Parses text as a; 0 or -1, value in *v (strings freed). */
static int parse(const struct op_arg *a, const char *text, struct op_value *v)
{
	err_clear(&err);
	int rc = op_value_parse(a, text, v, &err);
	free(v->s);
	v->s = NULL;
	return rc;
}

/* The error names the argument and the text given. */
static void refused(const struct op_arg *a, const char *text, const char *why)
{
	struct op_value v;
	CHECK_INT(parse(a, text, &v), -1);
	CHECK_INT(v.set, 0);
	CHECK_INT(err.code, VD_EINVAL);
	char want[256];
	snprintf(want, sizeof want, "%s: '%s' %s", a->name, text, why);
	if (!strstr(err.msg, want)) {
		fprintf(stderr, "  message: %s\n  want:    %s\n", err.msg, want);
		check_failed++;
	} else {
		check_passed++;
	}
}

static void test_boolean(void)
{
	const struct op_arg a = { .name = "live", .type = OT_BOOLEAN };
	const char *yes[] = { "true", "yes", "on", "1" }, *no[] = { "false", "no", "off", "0" };
	struct op_value v;
	for (int i = 0; i < 4; i++) {
		CHECK_INT(parse(&a, yes[i], &v), 0);
		CHECK_INT(v.b, 1);
		CHECK_INT(v.set, 1);
		CHECK_INT(parse(&a, no[i], &v), 0);
		CHECK_INT(v.b, 0);
	}
	const char *bad[] = { "flase", "", "2", "y", "TRUE ", " true", "truee" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(&a, bad[i], "is not a boolean");
}

static void test_integer(void)
{
	const struct op_arg a = { .name = "count", .type = OT_INTEGER };
	struct op_value v;
	CHECK_INT(parse(&a, "42", &v), 0);
	CHECK_INT(v.i, 42);
	CHECK_INT(parse(&a, "-3", &v), 0);
	CHECK_INT(v.i, -3);
	CHECK_INT(parse(&a, "+7", &v), 0);
	CHECK_INT(v.i, 7);
	CHECK_INT(parse(&a, "9223372036854775807", &v), 0);
	CHECK(v.i == INT64_MAX);
	const char *bad[] = { "2.5", "2.0", "1e3", "0x10", " 4", "4 ", "", "-", "nan", "inf", "four" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(&a, bad[i], "is not an integer");
	refused(&a, "99999999999999999999", "is out of the 64-bit integer range");
	refused(&a, "-9223372036854775809", "is out of the 64-bit integer range");
}

static void test_number(void)
{
	const struct op_arg a = { .name = "ratio", .type = OT_NUMBER };
	struct op_value v;
	CHECK_INT(parse(&a, "0.5", &v), 0);
	CHECK(v.n == 0.5);
	CHECK_INT(parse(&a, "-1.25", &v), 0);
	CHECK(v.n == -1.25);
	CHECK_INT(parse(&a, "2e3", &v), 0);
	CHECK(v.n == 2000);
	CHECK_INT(parse(&a, "7", &v), 0);
	CHECK(v.n == 7);
	const char *infinite[] = { "nan", "NaN", "inf", "-inf", "infinity", "1e999" };
	for (size_t i = 0; i < sizeof infinite / sizeof infinite[0]; i++)
		refused(&a, infinite[i], "is not a finite number");
	const char *bad[] = { "", "abc", "0x1p3", "0x10", " 1", "1 ", "1.5.5", "1,5" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(&a, bad[i], "is not a number");
}

static void test_size(void)
{
	const struct op_arg a = { .name = "size", .type = OT_SIZE };
	struct op_value v;
	CHECK_INT(parse(&a, "8G", &v), 0);
	CHECK_INT(v.i, 8LL << 30);
	CHECK_INT(parse(&a, "512MiB", &v), 0);
	CHECK_INT(v.i, 512LL << 20);
	CHECK_INT(parse(&a, "1.5k", &v), 0);
	CHECK_INT(v.i, 1536);
	CHECK_INT(parse(&a, "4096", &v), 0);
	CHECK_INT(v.i, 4096);
	CHECK_INT(parse(&a, "8191P", &v), 0);
	CHECK_INT(v.i, 8191LL << 50);
	const char *bad[] = { "", "G", "8X", "-1G", "1e3G", "0x10G", "nan", "inf", "8G8", "1..5G" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(&a, bad[i], "is not a size");
	/* past a signed 64-bit byte count: 2^63 .. 2^64 and beyond */
	refused(&a, "8192P", "is too large");
	refused(&a, "10000P", "is too large");
	refused(&a, "99999999999999999999999P", "is too large");
}

static void test_enum_list_string(void)
{
	static const char *const modes[] = { "802.3ad", "active-backup", NULL };
	const struct op_arg e = { .name = "mode", .type = OT_ENUM, .values = modes };
	struct op_value v;
	err_clear(&err);
	CHECK_INT(op_value_parse(&e, "active-backup", &v, &err), 0);
	CHECK_STR(v.s, "active-backup");
	free(v.s);
	refused(&e, "lacp", "is not one of 802.3ad, active-backup");
	refused(&e, "", "is not one of");

	const struct op_arg l = { .name = "ports", .type = OT_LIST };
	CHECK_INT(op_value_parse(&l, "eth1,eth2 eth3,", &v, &err), 0);
	CHECK_STR(v.s, "eth1 eth2 eth3");
	free(v.s);

	const struct op_arg s = { .name = "vm", .type = OT_DOMAIN };
	CHECK_INT(op_value_parse(&s, "web-004", &v, &err), 0);
	CHECK_STR(v.s, "web-004");
	free(v.s);

	const struct op_arg f = { .name = "on_progress", .type = OT_CALLBACK };
	refused(&f, "print", "cannot be given as text");
}

static void test_bounds(void)
{
	const struct op_arg count = { .name = "count", .type = OT_INTEGER, .min = "1", .max = "16" };
	struct op_value v;
	CHECK_INT(parse(&count, "1", &v), 0);
	CHECK_INT(parse(&count, "16", &v), 0);
	CHECK_INT(parse(&count, "0", &v), -1);
	CHECK_STR(err.msg, "count: 0 is below the minimum 1");
	CHECK_INT(parse(&count, "17", &v), -1);
	CHECK_STR(err.msg, "count: 17 is above the maximum 16");

	const struct op_arg ratio = { .name = "ratio", .type = OT_NUMBER, .min = "0", .max = "1.5" };
	CHECK_INT(parse(&ratio, "1.5", &v), 0);
	CHECK_INT(parse(&ratio, "1.5000001", &v), -1);
	CHECK_STR(err.msg, "ratio: 1.5000001 is above the maximum 1.5");
	CHECK_INT(parse(&ratio, "-0.1", &v), -1);
	CHECK_STR(err.msg, "ratio: -0.1 is below the minimum 0");

	const struct op_arg size = { .name = "size", .type = OT_SIZE, .min = "64M", .max = "1T" };
	CHECK_INT(parse(&size, "1T", &v), 0);
	CHECK_INT(parse(&size, "1025G", &v), -1);
	CHECK_STR(err.msg, "size: 1025G is above the maximum 1T");
	CHECK_INT(parse(&size, "63M", &v), -1);
	CHECK_STR(err.msg, "size: 63M is below the minimum 64M");

	/* values that did not come as text: the same bounds */
	struct op_value n = { .set = 1, .i = 0 };
	err_clear(&err);
	CHECK_INT(op_value_check(&count, &n, &err), -1);
	CHECK_STR(err.msg, "count: 0 is below the minimum 1");
	n.i = 4;
	CHECK_INT(op_value_check(&count, &n, &err), 0);
	const struct op_arg timeout = { .name = "timeout", .type = OT_NUMBER };
	n.n = NAN;
	CHECK_INT(op_value_check(&timeout, &n, &err), -1);
	CHECK(strstr(err.msg, "timeout: ") && strstr(err.msg, "is not a finite number"));
	n.n = INFINITY;
	CHECK_INT(op_value_check(&timeout, &n, &err), -1);
	n.n = 3;
	CHECK_INT(op_value_check(&timeout, &n, &err), 0);
	n.i = -1;
	CHECK_INT(op_value_check(&size, &n, &err), -1);
	CHECK_STR(err.msg, "size: -1 is negative, not a size");
	n.i = 2LL << 40;
	CHECK_INT(op_value_check(&size, &n, &err), -1);
	CHECK_STR(err.msg, "size: 2.0T is above the maximum 1T");

	/* a bound that is not of its type is a declaration error, said as one */
	const struct op_arg odd = { .name = "count", .type = OT_INTEGER, .min = "1.0" };
	CHECK_INT(parse(&odd, "3", &v), -1);
	CHECK_STR(err.msg, "count: its declared minimum '1.0' is not an integer");
}

static void test_type_names(void)
{
	const char *names[] = { "string", "integer", "number", "boolean", "size", "host", "domain", "enum", "list" };
	enum op_type t;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		CHECK_INT(op_type_parse(names[i], &t), 0);
		CHECK_STR(op_type_name(t), names[i]);
	}
	CHECK_INT(op_type_parse("hosts", &t), -1);
	CHECK_INT(op_type_parse("function", &t), -1);   /* no runbook param takes a Lua function */
	CHECK_INT(op_type_parse("int", &t), -1);
}

/* Every bound and default in the operation table parses as its type and
 * lies within its bounds; the bounds the table declares are enforced. */
static void test_optable_decls(void)
{
	for (size_t i = 0; optable_at(i); i++) {
		const struct op_def *d = optable_at(i);
		for (size_t k = 0; k < d->nargs; k++) {
			const struct op_arg *a = &d->args[k];
			struct op_value v;
			if (a->def) {
				CHECK_INT(parse(a, a->def, &v), 0);
				if (err.msg[0])
					fprintf(stderr, "  %s.%s: %s\n", d->name, a->name, err.msg);
			}
			const char *bounds[2] = { a->min, a->max };
			for (int b = 0; b < 2; b++)
				if (bounds[b]) {
					CHECK_INT(parse(a, bounds[b], &v), 0);
					if (err.msg[0])
						fprintf(stderr, "  %s.%s: %s\n", d->name, a->name, err.msg);
				}
		}
	}
	const struct op_def *d = optable_find("set_vcpus");
	struct op_value v;
	CHECK_INT(parse(&d->args[op_arg_index(d, "count")], "0", &v), -1);
	CHECK_STR(err.msg, "count: 0 is below the minimum 1");
	CHECK_INT(parse(&d->args[op_arg_index(d, "live")], "flase", &v), -1);
	d = optable_find("detach_disk");
	CHECK_INT(parse(&d->args[op_arg_index(d, "timeout")], "nan", &v), -1);
	CHECK_INT(parse(&d->args[op_arg_index(d, "timeout")], "1e300", &v), -1);   /* * 1000 into an int */
	CHECK_STR(err.msg, "timeout: 1e300 is above the maximum 3600");
	d = optable_find("attach_nic");
	CHECK_INT(parse(&d->args[op_arg_index(d, "vlan")], "4095", &v), -1);
	d = optable_find("create_bond");
	CHECK_INT(parse(&d->args[op_arg_index(d, "confirm_timeout")], "4", &v), -1);
}

int main(void)
{
	test_boolean();
	test_integer();
	test_number();
	test_size();
	test_enum_list_string();
	test_bounds();
	test_type_names();
	test_optable_decls();
	return check_summary();
}
