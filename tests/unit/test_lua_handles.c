/* test_lua_handles.c — Lua handles resolve through the model on every use:
 * a domain that vanished raises a stale-handle error instead of crashing. */
#include "test_lua_util.h"

static struct domain make_domain(const char *name, const char *uuid)
{
	struct domain d;
	memset(&d, 0, sizeof d);
	snprintf(d.info.name, sizeof d.info.name, "%s", name);
	snprintf(d.info.uuid, sizeof d.info.uuid, "%s", uuid);
	d.info.vcpus = 2;
	d.state = DOM_RUNNING;
	return d;
}

static void apply(struct cluster *c, struct domain *doms, size_t n)
{
	struct host_snapshot s;
	memset(&s, 0, sizeof s);
	s.libvirt_ok = 1;
	s.doms = x_calloc(n ? n : 1, sizeof *s.doms);
	for (size_t i = 0; i < n; i++)
		s.doms[i] = doms[i];
	s.ndoms = n;
	host_apply_snapshot(c, &c->hosts[0], &s, 1.0);
	host_snapshot_free(&s);
}

static char *eval(struct vlua *vl, const char *code)
{
	struct strbuf out;
	sb_init(&out);
	vlua_repl_eval(vl, code, &out);
	return sb_detach(&out);
}

int main(void)
{
	struct lua_fixture x;
	lua_fixture_open(&x);
	struct cluster *c = &x.c;
	struct vlua *vl = x.vl;

	struct domain two[2] = { make_domain("web", "00000000-0000-0000-0000-000000000001"),
				 make_domain("db", "00000000-0000-0000-0000-000000000002") };
	apply(c, two, 2);
	char *out = eval(vl, "d = vdeck.domain('web'); return d.name, d.vcpus");
	CHECK_STR(out, "web\t2\n");
	free(out);

	/* "web" disappears; "db" stays. */
	struct domain one[1] = { make_domain("db", "00000000-0000-0000-0000-000000000002") };
	apply(c, one, 1);
	out = eval(vl, "local ok, e = pcall(function() return d.name end); return ok, e.code");
	CHECK_STR(out, "false\tstale\n");
	free(out);
	out = eval(vl, "return vdeck.domain('db').name");
	CHECK_STR(out, "db\n");
	free(out);

	/* A domain re-created under the same name but a new uuid is a new VM. */
	struct domain again[2] = { make_domain("db", "00000000-0000-0000-0000-000000000002"),
				   make_domain("web", "00000000-0000-0000-0000-000000000009") };
	apply(c, again, 2);
	out = eval(vl, "return (pcall(function() return d.name end))");
	CHECK_STR(out, "false\n");
	free(out);
	out = eval(vl, "return vdeck.domain('web').uuid:sub(-1)");
	CHECK_STR(out, "9\n");
	free(out);

	lua_fixture_close(&x);
	return check_summary();
}
