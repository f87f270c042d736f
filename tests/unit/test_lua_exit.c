/* test_lua_exit.c — os.exit in a runbook the console runs as a job is an
 * error in that job: the console, its other jobs and the next script go on
 * (in --exec, -e and the REPL it ends the run: tests/integration/test_cli.sh). */
#include "test_lua_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	struct lua_fixture x;
	lua_fixture_open(&x);
	struct vlua *vl = x.vl;
	struct vd_err err;
	err_clear(&err);

	char path[] = "/tmp/vdeck-exit-XXXXXX.lua";
	int fd = mkstemps(path, 4);
	static const char rb[] = "return vdeck.runbook { name = \"quits\", description = \"calls os.exit\",\n"
				 "  run = function() print(\"before\") os.exit(3) end }\n";
	CHECK(fd >= 0 && write(fd, rb, sizeof rb - 1) == (ssize_t)(sizeof rb - 1));
	if (fd >= 0)
		close(fd);
	unsigned id = 0;
	CHECK_INT(vlua_job_runbook(vl, path, 0, NULL, &id, &err), 0);
	for (int more = 1, i = 0; more && i < 1000; i++) {
		more = 0;
		vlua_jobs_step(vl, &more);
	}
	const char *log = vlua_job_log(vl, id);
	CHECK(log && strstr(log, "before"));
	CHECK(log && strstr(log, "os.exit would end the console"));
	CHECK_INT(vlua_exit_status(vl), -1);

	/* the Lua state still runs scripts */
	struct strbuf out;
	sb_init(&out);
	vlua_repl_eval(vl, "return 1 + 1", &out);
	CHECK_STR(out.buf, "2\n");
	sb_free(&out);

	unlink(path);
	lua_fixture_close(&x);
	return check_summary();
}
