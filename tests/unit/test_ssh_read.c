/* test_ssh_read.c — reading a host's output over SSH, against a private
 * OpenSSH sshd (tests/lib/sshd.sh): the read helper drains what libssh2
 * already holds, stops at its byte cap and at its deadline while a host
 * floods; commands and polls on a host whose forced command is `yes` fail
 * naming the cap; the poll shell's replies stay paired with their requests
 * even when a host's files hold text that looks like an end marker; a
 * fresh poll reads again what plain polls repeat.
 *
 * Must run from the repository root (as tests/run-all.sh does). */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn/ssh_conn.h"
#include "core/timeutil.h"
#include "sshd_env.h"
#include "thread_wakes.h"

/* A command started on a new channel of c; NULL on failure. */
static LIBSSH2_CHANNEL *start(struct ssh_conn *c, const char *cmd)
{
	int64_t deadline = now_ms() + 5000;
	LIBSSH2_CHANNEL *ch;
	while (!(ch = libssh2_channel_open_session(c->session)))
		if (libssh2_session_last_errno(c->session) != LIBSSH2_ERROR_EAGAIN || ssh_wait(c, deadline) < 0)
			return NULL;
	int rc;
	while ((rc = libssh2_channel_exec(ch, cmd)) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline) < 0)
			return NULL;
	return rc ? NULL : ch;
}

/* libssh2 sends and receives through these hooks.  Once armed, the
 * receive that follows the first one to find nothing is held back 900 ms,
 * as when the console is preempted between its read of stdout and its
 * read of stderr while the host's last packet arrives: the read of stderr
 * then moves that packet into libssh2's queue (issue 11 #16). */
static enum { HOOK_OFF, HOOK_AFTER_SEND, HOOK_ARMED, HOOK_HOLD } hook;

static LIBSSH2_RECV_FUNC(held_recv)
{
	(void)abstract;
	if (hook == HOOK_HOLD) {
		usleep(900000);
		hook = HOOK_OFF;
	}
	ssize_t n = recv(socket, buffer, length, flags);
	if (n >= 0)
		return n;
	int e = errno;
	if (hook == HOOK_ARMED && (e == EAGAIN || e == EWOULDBLOCK))
		hook = HOOK_HOLD;
	return -e;
}

static LIBSSH2_SEND_FUNC(watched_send)
{
	(void)abstract;
	ssize_t n = send(socket, buffer, length, flags);
	if (n < 0)
		return -errno;
	if (hook == HOOK_AFTER_SEND)
		hook = HOOK_ARMED;
	return n;
}

/* Arms the hold at once, or (after_send) once something was sent. */
static void hold_next_recv(struct ssh_conn *c, int after_send)
{
	libssh2_session_callback_set(c->session, LIBSSH2_CALLBACK_RECV, (void *)held_recv);
	libssh2_session_callback_set(c->session, LIBSSH2_CALLBACK_SEND, (void *)watched_send);
	hook = after_send ? HOOK_AFTER_SEND : HOOK_ARMED;
}

static size_t queued(LIBSSH2_CHANNEL *ch)
{
	unsigned long avail = 0;
	libssh2_channel_window_read_ex(ch, &avail, NULL);
	return avail;
}

/* Drains and waits until the reader stops for another reason than
 * "drained", or the channel ends. */
static enum ssh_read_rc read_until_stop(struct ssh_conn *c, struct ssh_reader *rd)
{
	for (;;) {
		enum ssh_read_rc rc = ssh_read_drain(rd);
		if (rc != SSH_READ_DRAINED || libssh2_channel_eof(rd->ch) || ssh_wait(c, rd->deadline) < 0)
			return rc;
	}
}

static void test_reader(void)
{
	struct transport_params p = params(env_kh);
	struct vd_err err = { 0 };
	struct strbuf out, eo;
	sb_init(&out);
	sb_init(&eo);
	struct ssh_conn *c = ssh_conn_open(&p, &err);
	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "open: %s\n", err.msg);
		return;
	}

	/* The premise: a read of stderr takes stdout's packets off the socket
	 * into libssh2's queue, where a wait on the socket cannot see them. */
	LIBSSH2_CHANNEL *ch = start(c, "printf hello; sleep 3");
	CHECK(ch != NULL);
	usleep(300000);
	char b[64];
	CHECK_INT(libssh2_channel_read_ex(ch, SSH_EXTENDED_DATA_STDERR, b, sizeof b), LIBSSH2_ERROR_EAGAIN);
	CHECK_INT(queued(ch), 5);
	ssh_channel_finish_or_park(c, ch, now_ms() + 1000);

	/* The race: stdout finds nothing, the host's output arrives.  The
	 * drain makes no second read of the socket for stderr (nothing is
	 * queued for the channel: the hold stays armed), so nothing can land
	 * in libssh2's queue behind the caller's back: the output is on the
	 * socket, and the caller's wait wakes for it at once. */
	ch = start(c, "sleep 0.3; printf hello; sleep 3");
	CHECK(ch != NULL);
	struct ssh_reader rd = { .conn = c, .ch = ch, .out = &out, .err = &eo, .max_bytes = 1 << 20,
				 .deadline = now_ms() + 5000 };
	hold_next_recv(c, 0);
	CHECK_INT(ssh_read_drain(&rd), SSH_READ_DRAINED);
	CHECK_INT(hook, HOOK_HOLD);   /* one read of the socket, no more */
	CHECK_INT(queued(ch), 0);
	hook = HOOK_OFF;
	int64_t t0 = now_ms();
	while (!(out.buf && strstr(out.buf, "hello")) && now_ms() - t0 < 2500 && ssh_wait(c, now_ms() + 2500) == 0)
		CHECK_INT(ssh_read_drain(&rd), SSH_READ_DRAINED);
	CHECK_STR(out.buf, "hello");
	CHECK(now_ms() - t0 < 1000);   /* printed 0.3 s in: not a deadline's wait */
	CHECK_INT(queued(ch), 0);
	ssh_channel_finish_or_park(c, ch, now_ms() + 1000);

	/* The cap: both streams together, at most max_bytes kept. */
	sb_reset(&out);
	ch = start(c, "yes");
	rd = (struct ssh_reader){ .conn = c, .ch = ch, .out = &out, .max_bytes = 100000, .deadline = now_ms() + 5000 };
	CHECK_INT(read_until_stop(c, &rd), SSH_READ_OVER_CAP);
	CHECK_INT(out.len, 100000);
	CHECK_INT(rd.total, 100000);
	ssh_channel_finish_or_park(c, ch, now_ms() + 1000);
	sb_reset(&eo);
	ch = start(c, "head -c 70000 /dev/zero >&2");
	rd = (struct ssh_reader){ .conn = c, .ch = ch, .out = &out, .err = &eo, .max_bytes = 65536,
				  .deadline = now_ms() + 5000 };
	CHECK_INT(read_until_stop(c, &rd), SSH_READ_OVER_CAP);
	CHECK_INT(eo.len, 65536);
	ssh_channel_finish_or_park(c, ch, now_ms() + 1000);
	ch = start(c, "head -c 65536 /dev/zero >&2");
	rd = (struct ssh_reader){ .conn = c, .ch = ch, .err = &eo, .max_bytes = 65536, .deadline = now_ms() + 5000 };
	CHECK_INT(read_until_stop(c, &rd), SSH_READ_DRAINED);
	CHECK(libssh2_channel_eof(ch));
	CHECK_INT(rd.total, 65536);
	ssh_channel_finish_or_park(c, ch, now_ms() + 1000);

	/* The deadline, checked while data keeps coming (a flood under the cap
	 * never lets the reader reach a wait): with the deadline past, a reader
	 * that finds data reads one chunk and stops. */
	ch = start(c, "yes");
	rd = (struct ssh_reader){ .conn = c, .ch = ch, .max_bytes = (size_t)1 << 40, .deadline = now_ms() + 5000 };
	while (!rd.total && ssh_read_drain(&rd) == SSH_READ_DRAINED && ssh_wait(c, rd.deadline) == 0)
		;
	CHECK(rd.total > 0);
	enum ssh_read_rc late = SSH_READ_DRAINED;
	for (int i = 0; i < 20 && late == SSH_READ_DRAINED; i++) {
		usleep(100000);   /* the flood piles up in the socket meanwhile */
		size_t before = rd.total;
		rd.deadline = now_ms();
		late = ssh_read_drain(&rd);
		CHECK(rd.total - before <= 16384);
	}
	CHECK_INT(late, SSH_READ_LATE);
	ssh_channel_finish_or_park(c, ch, now_ms() + 1000);
	ssh_conn_close(&c);
	sb_free(&out);
	sb_free(&eo);
}

/* The same race on the poll shell: the reply comes while stderr is read.
 * It must be taken at once, not after the whole timeout (3 s here; 10 s
 * by default, the stalls issue 11 #16 saw). */
static void test_poll_race(void)
{
	struct transport_params p = params(env_kh);
	p.keepalive_s = 0;   /* no keepalive reply to arrive first */
	p.io_timeout_ms = 3000;
	struct vd_err err = { 0 };
	struct strbuf out;
	sb_init(&out);
	struct ssh_conn *c = ssh_conn_open(&p, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	const char *fn = "slowpoll() { sleep 0.3; printf 'payload\\n'; }\n";
	CHECK_INT(ssh_conn_poll(c, fn, "slowpoll", 0, 1 << 20, &out, &err), 0);   /* starts the shell */
	for (int i = 0; i < 3; i++) {
		sb_reset(&out);
		hold_next_recv(c, 1);   /* after the request line went out */
		int64_t t0 = now_ms();
		CHECK_INT(ssh_conn_poll(c, fn, "slowpoll", 0, 1 << 20, &out, &err), 0);
		CHECK(now_ms() - t0 < 2000);
		CHECK_INT(hook, HOOK_OFF);
		CHECK_STR(out.buf, "payload\n");
	}
	ssh_conn_close(&c);
	sb_free(&out);
}

/* A command's output that the tunnel's bytes bring in: ssh_wait moves the
 * tunnel's links, which reads the socket, and the command's output lands
 * in libssh2's queue.  The caller must read it at once, not sleep on an
 * empty socket until the next packet (polls over a tunnelled session
 * waited for libvirtd's keepalive, 5 s, in a third of 128-host cycles). */
static void test_tunnel_read(void)
{
	char dir[300], remote[360];
	snprintf(dir, sizeof dir, "%s/daemon", env_dir);
	snprintf(remote, sizeof remote, "%s/sock", dir);
	mkdir(dir, 0777);
	chmod(dir, 0777);   /* sshd's user connects to it */
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	CHECK(strlen(remote) < sizeof sa.sun_path);
	memcpy(sa.sun_path, remote, strlen(remote) < sizeof sa.sun_path ? strlen(remote) : sizeof sa.sun_path - 1);
	unlink(remote);
	CHECK_INT(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	chmod(remote, 0777);
	CHECK_INT(listen(lfd, 4), 0);   /* a daemon that never answers: the link stays quiet */

	struct transport_params p = params(env_kh);
	p.keepalive_s = 0;
	struct vd_err err = { 0 };
	struct ssh_conn *c = ssh_conn_open(&p, &err);
	CHECK(c != NULL);
	if (!c) {
		close(lfd);
		return;
	}
	const char *remotes[] = { remote }, *local = NULL;
	ssh_conn_lock(c);
	int offered = ssh_tunnel_offer(c, remotes, 1, &local, &err);
	ssh_conn_unlock(c);
	CHECK_INT(offered, 0);
	int cfd = socket(AF_UNIX, SOCK_STREAM, 0);   /* libvirt's end of a link */
	struct sockaddr_un la = { .sun_family = AF_UNIX };
	if (local && strlen(local) < sizeof la.sun_path)
		memcpy(la.sun_path, local, strlen(local));
	CHECK_INT(local ? connect(cfd, (struct sockaddr *)&la, sizeof la) : -1, 0);
	usleep(300000);   /* the pump takes the link */

	/* A call that leaves the tunnel nothing to do does not wake its pump
	 * (each call did: a pass of the pump per host per poll). */
	long before = thread_wakes("vdeck-tunnel");
	for (int i = 0; i < 50; i++) {
		ssh_conn_lock(c);
		ssh_conn_unlock(c);
		usleep(2000);   /* time for a woken pump to run */
	}
	long after = thread_wakes("vdeck-tunnel");
	CHECK(before >= 0 && after - before < 10);

	struct strbuf out;
	sb_init(&out);
	ssh_conn_lock(c);
	LIBSSH2_CHANNEL *ch = start(c, "sleep 0.3; printf hello; sleep 5");
	CHECK(ch != NULL);
	if (ch) {
		struct ssh_reader rd = { .conn = c, .ch = ch, .out = &out, .max_bytes = 1 << 20,
					 .deadline = now_ms() + 5000 };
		CHECK_INT(ssh_read_drain(&rd), SSH_READ_DRAINED);
		usleep(800000);   /* "hello" waits on the socket; the pump waits for the lock */
		int64_t t0 = now_ms();
		CHECK_INT(ssh_wait(c, t0 + 3000), 0);
		CHECK(now_ms() - t0 < 1000);
		CHECK_INT(ssh_read_drain(&rd), SSH_READ_DRAINED);
		CHECK_STR(out.buf, "hello");
		ssh_channel_finish_or_park(c, ch, now_ms() + 1000);
	}
	ssh_conn_unlock(c);
	close(cfd);
	ssh_conn_close(&c);
	close(lfd);
	unlink(remote);
	sb_free(&out);
}

/* A host whose every command is `yes` (authorized_keys command="yes"). */
static void test_flooding_host(void)
{
	char cmd[1400], key[400];
	snprintf(key, sizeof key, "%s/flood_key", env_dir);
	snprintf(cmd, sizeof cmd, "ssh-keygen -q -t ed25519 -N '' -f '%s' && "
		 "printf 'command=\"yes\" %%s\\n' \"$(cat '%s.pub')\" >> '%s/authorized_keys'", key, key, env_dir);
	CHECK_INT(system(cmd), 0);
	struct transport_params p = params(env_kh);
	p.identity = key;
	struct vd_err err = { 0 };
	struct strbuf out;
	sb_init(&out);
	int st;
	struct transport *t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "open: %s\n", err.msg);
		return;
	}
	for (int i = 0; i < 2; i++) {   /* each poll starts a new shell, and is cut off again */
		err_clear(&err);
		int64_t t0 = now_ms();
		CHECK_INT(transport_poll(t, 0, 0, 1 << 20, &out, &err), -1);
		CHECK(now_ms() - t0 < 3000);
		CHECK_INT(err.code, VD_EREFUSED);
		CHECK(strstr(err.msg, "sshtest") && strstr(err.msg, "1048576 bytes") && strstr(err.msg, "one poll"));
		CHECK_INT(out.len, 0);
		CHECK(transport_is_connected(t));
	}
	err_clear(&err);
	CHECK_INT(transport_exec(t, "echo hi", 5000, 1 << 20, &out, NULL, &st, &err), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK(strstr(err.msg, "sshtest") && strstr(err.msg, "1048576 bytes") && strstr(err.msg, "one command"));
	CHECK_INT(out.len, 1 << 20);
	CHECK(transport_is_connected(t));
	/* under a cap it does not reach in time, the deadline ends the flood */
	sb_reset(&out);
	err_clear(&err);
	int64_t t0 = now_ms();
	CHECK_INT(transport_exec(t, "echo hi", 300, 256u << 20, &out, NULL, &st, &err), -1);
	CHECK(now_ms() - t0 < 3000);
	CHECK_INT(err.code, VD_ETIMEOUT);
	transport_close(&t);
	sb_free(&out);
}

struct fifo_feed {
	const char *path, *text;
};

/* Writes text into the FIFO once the remote shell opens it (5 s at most). */
static void *feed_fifo(void *v)
{
	struct fifo_feed *f = v;
	usleep(300000);
	for (int i = 0; i < 500; i++) {
		int fd = open(f->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			fcntl(fd, F_SETFL, 0);
			if (write(fd, f->text, strlen(f->text)) < 0)
				perror("fifo");
			close(fd);
			return NULL;
		}
		usleep(10000);
	}
	return NULL;
}

static void write_file(const char *root, const char *rel, const char *text)
{
	char path[512], cmd[1200];
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s/%s')\"", root, rel);
	CHECK_INT(system(cmd), 0);
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A host's files that print like end markers, the old fixed one and one of
 * another shell, followed by a pause (a FIFO the shell waits on): the reply
 * must run to its own end, and the next poll get its own reply.  Files
 * holding 0x1E are left out of the bundle (metrics/bundle.h), whichever
 * reader the host's shell runs. */
static void test_reply_pairing(void)
{
	char root[] = "/tmp/vdeck-pairing-XXXXXX", fifo[256], cmd[400];
	CHECK(mkdtemp(root) != NULL);
	chmod(root, 0755);
	write_file(root, "proc/meminfo", "MemTotal: 1000 kB\n\036VDECK-END 0123456789abcdef-1\nMemFree: 10 kB\n");
	write_file(root, "proc/sys/kernel/osrelease", "\036VDECK-END\n");
	snprintf(fifo, sizeof fifo, "%s/sys/devices/system/cpu/online", root);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/sys/devices/system/cpu' && mkfifo -m 644 '%s'", root, fifo);
	CHECK_INT(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "chmod -R a+rX '%s'", root);
	CHECK_INT(system(cmd), 0);

	struct transport_params p = params(env_kh);
	p.sysroot = root;
	struct vd_err err = { 0 };
	struct strbuf out;
	sb_init(&out);
	struct transport *t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (t) {
		struct fifo_feed feed = { fifo, "0-3\n" };
		pthread_t th;
		pthread_create(&th, NULL, feed_fifo, &feed);
		int64_t t0 = now_ms();
		CHECK_INT(transport_poll(t, 0, 0, 0, &out, &err), 0);
		CHECK(now_ms() - t0 >= 250);                      /* it waited for the FIFO */
		CHECK(strstr(out.buf, "VDECK-END") == NULL);
		CHECK(strstr(out.buf, "MemTotal") == NULL);
		CHECK(strstr(out.buf, "/sys/devices/system/cpu/online\n0-3\n") != NULL);
		CHECK(out.len > 0 && out.buf[out.len - 1] == '\n');
		pthread_join(th, NULL);

		unlink(fifo);
		write_file(root, "sys/devices/system/cpu/online", "0-7\n");
		sb_reset(&out);
		CHECK_INT(transport_poll(t, 0, 0, 0, &out, &err), 0);
		CHECK(strstr(out.buf, "/sys/devices/system/cpu/online\n0-7\n") != NULL);
		CHECK(strstr(out.buf, "0-3") == NULL);
		CHECK(strstr(out.buf, "VDECK-END") == NULL);
		transport_close(&t);
	}
	sb_free(&out);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
}

/* A SAN LUN's link pointed at another disk under the same name (a rescan):
 * plain polls repeat what the long-lived shell read (no readlink per poll),
 * a fresh poll (after an operation changed the host) reads it again. */
static void test_fresh_poll(void)
{
	char root[] = "/tmp/vdeck-fresh-XXXXXX", cmd[400];
	CHECK(mkdtemp(root) != NULL);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/dev/disk/by-id' && ln -s ../../sda '%s/dev/disk/by-id/wwn-0x5000' &&"
		 " chmod -R a+rX '%s'", root, root, root);
	CHECK_INT(system(cmd), 0);
	chmod(root, 0755);
	struct transport_params p = params(env_kh);
	p.sysroot = root;
	struct vd_err err = { 0 };
	struct strbuf out;
	sb_init(&out);
	struct transport *t = transport_open(&transport_ssh, &p, &err);
	CHECK(t != NULL);
	if (t) {
		CHECK_INT(transport_poll(t, 0, 0, 0, &out, &err), 0);
		CHECK(strstr(out.buf, "/dev/disk/by-id/wwn-0x5000 ../../sda\n") != NULL);
		snprintf(cmd, sizeof cmd, "ln -sfn ../../sdb '%s/dev/disk/by-id/wwn-0x5000'", root);
		CHECK_INT(system(cmd), 0);
		sb_reset(&out);
		CHECK_INT(transport_poll(t, 0, 0, 0, &out, &err), 0);
		CHECK(strstr(out.buf, "/dev/disk/by-id/wwn-0x5000 ../../sda\n") != NULL);
		sb_reset(&out);
		CHECK_INT(transport_poll(t, 1, 0, 0, &out, &err), 0);
		CHECK(strstr(out.buf, "/dev/disk/by-id/wwn-0x5000 ../../sdb\n") != NULL);
		transport_close(&t);
	}
	sb_free(&out);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	int up = sshd_up();
	if (up > 0) {
		printf("SKIP sshd cannot run here: SSH read tests skipped\n");
		printf("%d passed, %d failed, 1 skipped\n", check_passed, check_failed);
		return 0;
	}
	CHECK_INT(up, 0);
	if (up == 0) {
		test_reader();
		test_poll_race();
		test_tunnel_read();
		test_flooding_host();
		test_reply_pairing();
		test_fresh_poll();
		sshd_down();
	}
	return check_summary();
}
