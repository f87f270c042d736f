/* test_ssh_transport.c — the shell transports against real processes: a
 * private OpenSSH sshd on 127.0.0.1 (tests/lib/sshd.sh), listening sockets
 * that never answer, closed ports, and local `sh -c` commands.
 *
 * Must run from the repository root (as tests/run-all.sh does); the SSH
 * part is one skip when sshd cannot run here. */
#include "check.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn/transport.h"
#include "core/timeutil.h"
#include "sshd_env.h"


static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, fmt, a, b);
	CHECK_INT(system(cmd), 0);
}

static char *path_in_dir(const char *name)
{
	static char buf[4][400];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", env_dir, name);
	return buf[i];
}

/* The server's fingerprint as ssh-keygen prints it. */
static void server_fingerprint(char *out, size_t cap)
{
	char cmd[400], line[256];
	snprintf(cmd, sizeof cmd, "ssh-keygen -lf '%s'", env_hostpub);
	FILE *p = popen(cmd, "r");
	out[0] = '\0';
	if (p && fgets(line, sizeof line, p)) {
		char *fp = strchr(line, ' ');
		if (fp) {
			snprintf(out, cap, "%s", fp + 1);
			out[strcspn(out, " ")] = '\0';
		}
	}
	if (p)
		pclose(p);
}

static int run(struct transport *t, const char *cmd, int timeout_ms, struct strbuf *out,
	       struct strbuf *errout, int *status, struct vd_err *err)
{
	sb_reset(out);
	sb_reset(errout);
	err_clear(err);
	return transport_exec(t, cmd, timeout_ms, 0, out, errout, status, err);
}

static void test_exec_basics(void)
{
	struct transport_params p = params(env_kh);
	struct vd_err err = { 0 };
	struct strbuf out, eo;
	int st = -5, ok = 0;
	struct transport *t = transport_open(&transport_ssh, &p, &err);
	sb_init(&out);
	sb_init(&eo);
	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "open: %s\n", err.msg);
		return;
	}
	CHECK(transport_is_connected(t));
	CHECK_INT(run(t, "echo out; echo err >&2; exit 7", 0, &out, &eo, &st, &err), 0);
	CHECK_STR(out.buf, "out\n");
	CHECK_STR(eo.buf, "err\n");
	CHECK_INT(st, 7);
	CHECK_INT(run(t, "id -un", 0, &out, &eo, &st, &err), 0);
	CHECK(strncmp(out.buf, env_user, strlen(env_user)) == 0);
	/* 20 commands on the one session */
	for (int i = 0; i < 20; i++) {
		char cmd[32], want[16];
		snprintf(cmd, sizeof cmd, "echo %d", i);
		snprintf(want, sizeof want, "%d\n", i);
		if (run(t, cmd, 0, &out, &eo, &st, &err) == 0 && strcmp(out.buf, want) == 0 && st == 0)
			ok++;
	}
	CHECK_INT(ok, 20);
	/* both streams large at once: no deadlock, nothing lost */
	CHECK_INT(run(t, "head -c 300000 /dev/zero | tr '\\0' b >&2; head -c 500000 /dev/zero | tr '\\0' a",
		      0, &out, &eo, &st, &err), 0);
	CHECK_INT(out.len, 500000);
	CHECK_INT(eo.len, 300000);
	CHECK(out.len == 500000 && out.buf[0] == 'a' && out.buf[499999] == 'a');
	/* killed by a signal */
	CHECK_INT(run(t, "kill -TERM $$", 0, &out, &eo, &st, &err), 0);
	CHECK_INT(st, 128 + 15);
	/* a slow command times out; the session survives */
	int64_t t0 = now_ms();
	CHECK_INT(run(t, "sleep 5", 300, &out, &eo, &st, &err), -1);
	CHECK_INT(err.code, VD_ETIMEOUT);
	CHECK(now_ms() - t0 < 2500);
	CHECK(transport_is_connected(t));
	CHECK_INT(run(t, "echo again", 0, &out, &eo, &st, &err), 0);
	CHECK_STR(out.buf, "again\n");
	transport_close(&t);
	CHECK(t == NULL);
	sb_free(&out);
	sb_free(&eo);
}

static void test_unknown_and_accept_new(void)
{
	char *kh = path_in_dir("new/known_hosts"), *newdir = path_in_dir("new"), fp[128], msg[1200];
	struct transport_params p = params(kh);
	struct vd_err err = { 0 };
	struct transport *t;
	struct stat sbuf;
	server_fingerprint(fp, sizeof fp);
	CHECK(strncmp(fp, "SHA256:", 7) == 0);
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK(strstr(err.msg, "ssh-ed25519") != NULL);
	CHECK(strstr(err.msg, fp) != NULL);
	CHECK(strstr(err.msg, "sshtest") != NULL);
	CHECK(strstr(err.msg, "not known") != NULL);
	/* a missing file is said to be missing, not taken as empty in silence */
	snprintf(msg, sizeof msg, "known_hosts file %s does not exist", kh);
	CHECK(strstr(err.msg, msg) != NULL);
	CHECK(strcmp(err.host, "sshtest") == 0);
	CHECK(stat(newdir, &sbuf) != 0);      /* nothing recorded, nothing created */
	transport_close(&t);
	/* an empty file: the key is simply not in it */
	sh("mkdir -p '%s' && : > '%s'", newdir, kh);
	err_clear(&err);
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t == NULL && strstr(err.msg, "not known") && !strstr(err.msg, "does not exist"));
	sh("rm -r '%s'%s", newdir, "");

	p.accept_new_hostkeys = 1;
	err_clear(&err);
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (!t)
		fprintf(stderr, "accept-new: %s\n", err.msg);
	transport_close(&t);
	CHECK(stat(kh, &sbuf) == 0 && (sbuf.st_mode & 0777) == 0600);
	CHECK(stat(newdir, &sbuf) == 0 && (sbuf.st_mode & 0777) == 0700);   /* made as ssh makes ~/.ssh */
	/* the recorded line is what ssh-keygen would match */
	snprintf(msg, sizeof msg, "ssh-keygen -F '[127.0.0.1]:%d' -f '%s' | grep -q ssh-ed25519", port, kh);
	CHECK_INT(system(msg), 0);
	/* now strict mode accepts it, and nothing more is appended */
	p.accept_new_hostkeys = 0;
	err_clear(&err);
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	transport_close(&t);
	size_t len = 0;
	char *text = check_slurp(kh, &len);
	int lines = 0;
	for (size_t i = 0; text && i < len; i++)
		lines += text[i] == '\n';
	CHECK_INT(lines, 1);
	free(text);
}

static void test_changed_and_hashed(void)
{
	char *changed = path_in_dir("changed_kh"), *hashed = path_in_dir("hashed_kh"), fp[128];
	struct transport_params p = params(changed);
	struct vd_err err = { 0 };
	struct transport *t;
	size_t before = 0, after = 0;
	char *text;
	/* the user key pretends to be the recorded host key: a changed key */
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "printf '[127.0.0.1]:%d %%s\\n' \"$(cut -d' ' -f1,2 '%s.pub')\" > '%s'",
		 port, env_key, changed);
	CHECK_INT(system(cmd), 0);
	server_fingerprint(fp, sizeof fp);
	free(check_slurp(changed, &before));
	p.accept_new_hostkeys = 1;           /* never learns a changed key */
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK(strstr(err.msg, "CHANGED") != NULL);
	CHECK(strstr(err.msg, fp) != NULL);
	CHECK(strstr(err.msg, "ssh-ed25519") != NULL);
	CHECK(strstr(err.msg, "line 1") != NULL);
	text = check_slurp(changed, &after);
	CHECK_INT(after, before);
	free(text);
	transport_close(&t);

	/* hashed entry, as ssh-keygen -H writes it */
	sh("cp '%s' '%s'", env_kh, hashed);
	sh("ssh-keygen -q -H -f '%s' >/dev/null 2>&1 && ! grep -q 127.0.0.1 '%s'", hashed, hashed);
	p = params(hashed);
	err_clear(&err);
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (!t)
		fprintf(stderr, "hashed: %s\n", err.msg);
	transport_close(&t);
}

static void test_auth(void)
{
	struct transport_params p = params(env_kh);
	struct vd_err err = { 0 };
	struct transport *t;
	char *saved = getenv("SSH_AUTH_SOCK") ? strdup(getenv("SSH_AUTH_SOCK")) : NULL;
	unsetenv("SSH_AUTH_SOCK");
	/* a key that is not authorized */
	p.identity = env_hostpub[0] ? path_in_dir("host_ed25519") : NULL;
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, VD_ESSH);
	CHECK(strstr(err.msg, "authentication") != NULL);
	transport_close(&t);
	/* a missing key file */
	p.identity = path_in_dir("no_such_key");
	err_clear(&err);
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, VD_ESSH);
	transport_close(&t);
	/* the agent alone */
	if (env_agent[0]) {
		setenv("SSH_AUTH_SOCK", env_agent, 1);
		p.identity = NULL;
		err_clear(&err);
		t = transport_open(&transport_ssh, &p, &err);
		CHECK(t != NULL);
		if (!t)
			fprintf(stderr, "agent: %s\n", err.msg);
		transport_close(&t);
		/* agent first, then a good file after an agent with no useful key */
		unsetenv("SSH_AUTH_SOCK");
	} else {
		SKIP("ssh-agent auth: ssh-agent or ssh-add missing (openssh-client)");
	}
	if (saved) {
		setenv("SSH_AUTH_SOCK", saved, 1);
		free(saved);
	}
	/* out of descriptors once the socket is made: said as such, not as a
	 * key file that is missing */
	p = params(env_kh);
	int lowest = dup(0);
	close(lowest);
	struct rlimit was, tight;
	getrlimit(RLIMIT_NOFILE, &was);
	tight = was;
	tight.rlim_cur = (rlim_t)lowest + 1;
	setrlimit(RLIMIT_NOFILE, &tight);
	err_clear(&err);
	t = transport_open(&transport_ssh, &p, &err);
	setrlimit(RLIMIT_NOFILE, &was);
	CHECK(t == NULL);
	CHECK(strstr(err.msg, "cannot open key file") != NULL);
	CHECK(strstr(err.msg, "Too many open files") != NULL);
	transport_close(&t);
}

/* A port where nothing listens. */
static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), p;
	bind(fd, (struct sockaddr *)&a, sizeof a);
	getsockname(fd, (struct sockaddr *)&a, &l);
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

/* A socket that listens but never accepts nor speaks. */
static int silent_listener(int backlog, int *port_out)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bind(fd, (struct sockaddr *)&a, sizeof a);
	listen(fd, backlog);
	getsockname(fd, (struct sockaddr *)&a, &l);
	*port_out = ntohs(a.sin_port);
	return fd;
}

static void test_unreachable(void)
{
	struct transport_params p = params(env_kh[0] ? env_kh : "/nonexistent");
	struct vd_err err = { 0 };
	struct transport *t;
	int64_t t0;
	int lfd, fillers[8], nfill = 0;
	if (!p.user)
		p.user = "nobody";
	p.port = closed_port();
	t0 = now_ms();
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, VD_EUNREACH);
	CHECK(strstr(err.msg, "refused") != NULL);
	CHECK(now_ms() - t0 < 1000);

	/* TCP accepted, no banner ever: the handshake times out at io timeout */
	lfd = silent_listener(16, &p.port);
	p.io_timeout_ms = 600;
	err_clear(&err);
	t0 = now_ms();
	t = transport_open(&transport_ssh, &p, &err);
	int64_t took = now_ms() - t0;
	CHECK(t == NULL);
	CHECK_INT(err.code, VD_EUNREACH);
	CHECK(strstr(err.msg, "handshake") != NULL && strstr(err.msg, "timed out") != NULL);
	CHECK(took >= 550 && took < 1500);
	close(lfd);

	/* a full accept queue drops SYNs: the connect itself times out */
	lfd = silent_listener(0, &p.port);
	for (; nfill < 4; nfill++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p.port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		fillers[nfill] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fillers[nfill], (struct sockaddr *)&a, sizeof a);
	}
	usleep(50000);
	p.connect_timeout_ms = 400;
	p.io_timeout_ms = 400;
	err_clear(&err);
	t0 = now_ms();
	t = transport_open(&transport_ssh, &p, &err);
	took = now_ms() - t0;
	CHECK(t == NULL);
	CHECK_INT(err.code, VD_EUNREACH);
	CHECK(strstr(err.msg, "timed out") != NULL);
	CHECK(took >= 350 && took < 1200);
	if (!strstr(err.msg, "connect to"))
		printf("note: kernel accepted the SYN; timed out in the handshake instead\n");
	for (int i = 0; i < nfill; i++)
		close(fillers[i]);
	close(lfd);
}

/* Writes the cancel eventfd 200 ms after the thread starts. */
static void *cancel_later(void *v)
{
	usleep(200000);
	eventfd_write(*(int *)v, 1);
	return NULL;
}

/* Starts a thread that cancels p's waits in 200 ms; cancel_join ends it. */
static void cancel_soon(struct transport_params *p, pthread_t *th)
{
	p->cancel_fd = eventfd(0, EFD_CLOEXEC);
	pthread_create(th, NULL, cancel_later, &p->cancel_fd);
}

static void cancel_join(struct transport_params *p, pthread_t th)
{
	pthread_join(th, NULL);
	close(p->cancel_fd);
	p->cancel_fd = -1;
}

/* The cancel fd ends a wait at once, however long its own timeout: a
 * connect whose SYN is dropped, a silent handshake, a command that never
 * finishes and a poll reply cut half-way. */
static void test_cancel(void)
{
	struct transport_params p = params(env_kh);
	struct vd_err err = { 0 };
	struct strbuf out;
	pthread_t th;
	int st, fillers[4], ssh_port = p.port;
	int64_t t0;
	sb_init(&out);
	p.connect_timeout_ms = p.io_timeout_ms = 10000;

	int lfd = silent_listener(0, &p.port);
	for (int i = 0; i < 4; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p.port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fillers[i], (struct sockaddr *)&a, sizeof a);
	}
	usleep(50000);
	cancel_soon(&p, &th);
	t0 = now_ms();
	CHECK(transport_open(&transport_ssh, &p, &err) == NULL);
	CHECK(now_ms() - t0 < 1500);
	CHECK_INT(err.code, VD_EUNREACH);
	cancel_join(&p, th);
	for (int i = 0; i < 4; i++)
		close(fillers[i]);
	close(lfd);

	lfd = silent_listener(16, &p.port);
	cancel_soon(&p, &th);
	err_clear(&err);
	t0 = now_ms();
	CHECK(transport_open(&transport_ssh, &p, &err) == NULL);
	CHECK(now_ms() - t0 < 1500);
	CHECK(strstr(err.msg, "handshake") != NULL);
	cancel_join(&p, th);
	close(lfd);

	p.port = ssh_port;
	p.cancel_fd = eventfd(0, EFD_CLOEXEC);
	struct transport *t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (t) {
		pthread_create(&th, NULL, cancel_later, &p.cancel_fd);
		t0 = now_ms();
		CHECK_INT(run(t, "echo started; sleep 8", 0, &out, &out, &st, &err), -1);
		CHECK(now_ms() - t0 < 1500);
		pthread_join(th, NULL);
		transport_close(&t);
	}
	close(p.cancel_fd);

	/* A half-read poll reply: a VM's pid file is a FIFO nobody writes (the
	 * script reads pid files with the shell's read builtin), so the poll
	 * prints its first sections and then waits for ever. */
	char root[] = "/tmp/vdeck-half-XXXXXX";
	CHECK(mkdtemp(root) != NULL);
	char path[256];
	snprintf(path, sizeof path, "%s/run", root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/run/libvirt", root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/run/libvirt/qemu", root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/run/libvirt/qemu/vm1.pid", root);
	CHECK(mkfifo(path, 0644) == 0);
	chmod(root, 0755);
	p.sysroot = root;
	p.cancel_fd = eventfd(0, EFD_CLOEXEC);
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (t) {
		pthread_create(&th, NULL, cancel_later, &p.cancel_fd);
		sb_reset(&out);
		t0 = now_ms();
		CHECK_INT(transport_poll(t, 0, 0, 0, &out, &err), -1);
		CHECK(now_ms() - t0 < 1500);
		pthread_join(th, NULL);
		t0 = now_ms();
		transport_close(&t);
		CHECK(now_ms() - t0 < 500);
	}
	close(p.cancel_fd);
	p.sysroot = NULL;
	/* The host's shell still waits in the FIFO's open: a writer that comes
	 * and goes lets it read end-of-file, go on and end on its closed
	 * channel, instead of outliving the test. */
	int w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (w >= 0)
		close(w);
	unlink(path);
	static const char *const dirs[] = { "run/libvirt/qemu", "run/libvirt", "run" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", root, dirs[i]);
		rmdir(path);
	}
	rmdir(root);
	sb_free(&out);
}

/* The server side of a live session dies: exec fails, is_connected drops. */
static void test_server_dies(void)
{
	struct transport_params p = params(env_kh);
	struct vd_err err = { 0 };
	struct strbuf out;
	int st;
	char cmd[600];
	struct transport *t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (!t)
		return;
	sb_init(&out);
	CHECK_INT(run(t, "echo up", 0, &out, &out, &st, &err), 0);
	/* this connection's sshd processes (monitor and network child) are the
	 * children and grandchildren of the listener,
	 * itself the child of the harness's `timeout`: signal them by pid.
	 * Stopped, the server is silent: a command times out and the probe
	 * finds no answer, so the session is declared dead. */
	const char *kids = "m=$(ps -o pid= --ppid $(cat '%1$s/harness.pid')); "
			   "for c in $(ps -o pid= --ppid $m); do "
			   "kill -%2$s $(ps -o pid= --ppid $c) $c 2>/dev/null || true; done";
	snprintf(cmd, sizeof cmd, kids, env_dir, "STOP");
	CHECK_INT(system(cmd), 0);
	int64_t t1 = now_ms();
	CHECK_INT(run(t, "echo frozen", 300, &out, &out, &st, &err), -1);
	CHECK_INT(err.code, VD_EUNREACH);
	CHECK(!transport_is_connected(t));
	CHECK(now_ms() - t1 < 2000);
	transport_close(&t);
	snprintf(cmd, sizeof cmd, kids, env_dir, "CONT");
	CHECK_INT(system(cmd), 0);
	/* a fresh session, then its server processes are killed */
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_INT(run(t, "echo up", 0, &out, &out, &st, &err), 0);
	snprintf(cmd, sizeof cmd, kids, env_dir, "KILL");
	CHECK_INT(system(cmd), 0);
	usleep(100000);
	int64_t t0 = now_ms();
	CHECK_INT(run(t, "echo down", 0, &out, &out, &st, &err), -1);
	CHECK(err.code == VD_EUNREACH || err.code == VD_ESSH);
	CHECK(!transport_is_connected(t));
	CHECK(now_ms() - t0 < 1000);
	CHECK_INT(run(t, "echo still", 0, &out, &out, &st, &err), -1);
	CHECK_INT(err.code, VD_EUNREACH);
	transport_close(&t);
	/* reopening works */
	t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (t)
		CHECK_INT(run(t, "echo back", 0, &out, &out, &st, &err), 0);
	transport_close(&t);
	sb_free(&out);
}

struct worker_arg {
	int ok;
	size_t out_len;
};

static void *worker(void *v)
{
	struct worker_arg *a = v;
	struct transport_params p = params(env_kh);
	struct vd_err err = { 0 };
	struct strbuf out;
	int st;
	struct transport *t = transport_open(&transport_ssh, &p, &err);
	sb_init(&out);
	for (int i = 0; t && i < 5; i++)
		if (transport_exec(t, "echo w", 0, 0, &out, NULL, &st, &err) == 0 && st == 0)
			a->ok++;
	a->out_len = out.len;   /* checked by the main thread: CHECK is not thread-safe */
	transport_close(&t);
	sb_free(&out);
	return NULL;
}

static void test_threads(void)
{
	pthread_t th[6];
	struct worker_arg args[6] = { { 0 } };
	int total = 0;
	for (int i = 0; i < 6; i++)
		pthread_create(&th[i], NULL, worker, &args[i]);
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		total += args[i].ok;
		CHECK_INT(args[i].out_len, 10);
	}
	CHECK_INT(total, 30);
}

static void test_local_and_none(void)
{
	struct vd_err err = { 0 };
	struct strbuf out, eo;
	int st = -5;
	struct transport *t = transport_open(&transport_local, NULL, &err);
	sb_init(&out);
	sb_init(&eo);
	CHECK(t != NULL && transport_is_connected(t));
	CHECK_INT(run(t, "echo out; echo err >&2; exit 3", 1000, &out, &eo, &st, &err), 0);
	CHECK_STR(out.buf, "out\n");
	CHECK_STR(eo.buf, "err\n");
	CHECK_INT(st, 3);
	CHECK_INT(run(t, "head -c 300000 /dev/zero >&2; head -c 400000 /dev/zero", 5000,
		      &out, &eo, &st, &err), 0);
	CHECK_INT(out.len, 400000);
	CHECK_INT(eo.len, 300000);
	/* the output cap, both streams together: exactly the cap is fine, one
	 * byte more stops the command; a flood is cut off, killed, reported */
	sb_reset(&out);
	sb_reset(&eo);
	CHECK_INT(transport_exec(t, "head -c 60000 /dev/zero; head -c 5536 /dev/zero >&2", 5000, 65536,
				 &out, &eo, &st, &err), 0);
	CHECK_INT(out.len + eo.len, 65536);
	sb_reset(&out);
	sb_reset(&eo);
	CHECK_INT(transport_exec(t, "head -c 60000 /dev/zero; head -c 5537 /dev/zero >&2", 5000, 65536,
				 &out, &eo, &st, &err), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	sb_reset(&out);
	err_clear(&err);
	int64_t t1 = now_ms();
	CHECK_INT(transport_exec(t, "yes", 5000, 100000, &out, NULL, &st, &err), -1);
	CHECK(now_ms() - t1 < 2000);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK_INT(out.len, 100000);
	CHECK(strstr(err.msg, "100000 bytes") != NULL && strstr(err.msg, "cap") != NULL);
	CHECK_INT(run(t, "kill -KILL $$", 1000, &out, &eo, &st, &err), 0);
	CHECK_INT(st, 128 + 9);
	CHECK_INT(run(t, "exit 0", 0, &out, &eo, &st, &err), 0);      /* no timeout */
	CHECK_INT(st, 0);
	/* timeout kills the whole process group, background children included */
	char *pidfile = "build/test-local-exec.pid";
	char cmd[200];
	snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > %s; echo started; wait", pidfile);
	int64_t t0 = now_ms();
	CHECK_INT(run(t, cmd, 300, &out, &eo, &st, &err), -1);
	CHECK_INT(err.code, VD_ETIMEOUT);
	CHECK(now_ms() - t0 < 1500);
	CHECK_STR(out.buf, "started\n");
	char *pid = check_slurp(pidfile, NULL), stat_path[64], *stat_text;
	usleep(50000);
	CHECK(pid && atoi(pid) > 0);
	/* gone, or a zombie waiting for PID 1 to reap it */
	snprintf(stat_path, sizeof stat_path, "/proc/%d/stat", pid ? atoi(pid) : 0);
	stat_text = check_slurp(stat_path, NULL);
	CHECK(!stat_text || strstr(stat_text, ") Z ") != NULL);
	free(stat_text);
	free(pid);
	unlink(pidfile);
	/* a background child holding stdout open past the shell's exit */
	t0 = now_ms();
	CHECK_INT(run(t, "sleep 30 &", 300, &out, &eo, &st, &err), -1);
	CHECK_INT(err.code, VD_ETIMEOUT);
	CHECK(now_ms() - t0 < 1500);
	transport_close(&t);

	err_clear(&err);
	t = transport_open(&transport_none, NULL, &err);
	CHECK(t != NULL);
	CHECK_INT(run(t, "true", 0, &out, &eo, &st, &err), -1);
	CHECK_INT(err.code, VD_EUNSUPPORTED);
	CHECK_STR(err.msg, "host has no shell transport (transport = none)");
	CHECK_INT(transport_poll(t, 0, 0, 0, &out, &err), -1);
	CHECK_INT(err.code, VD_EUNSUPPORTED);
	transport_close(&t);
	/* bad ssh parameters */
	struct transport_params bad = { .host_name = "x", .address = "", .cancel_fd = -1 };
	err_clear(&err);
	CHECK(transport_open(&transport_ssh, &bad, &err) == NULL);
	CHECK_INT(err.code, VD_EINVAL);
	sb_free(&out);
	sb_free(&eo);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_local_and_none();
	int up = sshd_up();
	if (up != 0) {
		if (up > 0) {
			SKIP("SSH transport: sshd cannot run here (tests/lib/sshd.sh says why)");
		} else {
			CHECK(!"tests/lib/sshd.sh start failed (run from the repository root)");
		}
		env_dir[0] = '\0';
	} else {
		test_exec_basics();
		test_unknown_and_accept_new();
		test_changed_and_hashed();
		test_auth();
		test_threads();
		test_unreachable();
		test_cancel();
		test_server_dies();
		sshd_down();
	}
	return check_summary();
}
