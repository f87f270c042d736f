/* sshd_env.h — a private OpenSSH sshd for unit tests (tests/lib/sshd.sh).
 *
 * sshd_up() starts it and fills the env_* strings and port; sshd_down()
 * stops it.  Tests must run from the repository root, as tests/run-all.sh
 * does. */
#ifndef VD_TEST_SSHD_ENV_H
#define VD_TEST_SSHD_ENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "conn/transport.h"

static char env_dir[256], env_port[16], env_user[64], env_key[320], env_kh[320],
	    env_hostpub[320], env_agent[320];
static int port;

static void get_var(const char *line, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	if (strncmp(line, name, n) == 0 && line[n] == '=') {
		snprintf(out, cap, "%s", line + n + 1);
		out[strcspn(out, "\n")] = '\0';
	}
}

/* 0 up, 1 cannot run here (skip), -1 the harness failed. */
static int sshd_up(void)
{
	char line[512];
	int st;
	FILE *p = popen("sh tests/lib/sshd.sh start", "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof line, p)) {
		get_var(line, "SSHD_DIR", env_dir, sizeof env_dir);
		get_var(line, "SSHD_PORT", env_port, sizeof env_port);
		get_var(line, "SSHD_USER", env_user, sizeof env_user);
		get_var(line, "SSHD_KEY", env_key, sizeof env_key);
		get_var(line, "SSHD_KNOWN_HOSTS", env_kh, sizeof env_kh);
		get_var(line, "SSHD_HOST_PUB", env_hostpub, sizeof env_hostpub);
		get_var(line, "SSHD_AGENT_SOCK", env_agent, sizeof env_agent);
	}
	st = pclose(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		return 1;
	port = atoi(env_port);
	return st == 0 && port > 0 && env_dir[0] ? 0 : -1;
}

static void sshd_down(void)
{
	char cmd[400];
	if (!env_dir[0])
		return;
	snprintf(cmd, sizeof cmd, "sh tests/lib/sshd.sh stop '%s'", env_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "sshd stop failed\n");
	env_dir[0] = '\0';
}

/* Parameters for the test sshd, trusting its key from kh. */
static struct transport_params params(const char *kh)
{
	struct transport_params p = {
		.host_name = "sshtest", .address = "127.0.0.1", .port = port, .user = env_user,
		.identity = env_key, .known_hosts = kh, .connect_timeout_ms = 2000,
		.io_timeout_ms = 5000, .keepalive_s = 5, .cancel_fd = -1,
	};
	return p;
}

#endif
