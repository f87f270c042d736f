/* ssh_auth.c — public-key authentication: ssh-agent first, then the file.
 *
 * Each attempt runs in libssh2's non-blocking mode under one deadline (the
 * io timeout).  The private key file is tried with its ".pub" beside it
 * when present, else libssh2 derives the public key from the private one.
 * Passphrase-protected files are not supported (use the agent). */
#include "conn/ssh_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "core/xalloc.h"

enum { AUTH_OK, AUTH_NO, AUTH_TIMEOUT };

static int agent_auth(struct ssh_conn *c, const char *user, int64_t deadline, int *tried)
{
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	int result = AUTH_NO, rc;
	const char *sock = getenv("SSH_AUTH_SOCK");
	if (!sock || !*sock || !(agent = libssh2_agent_init(c->session)))
		return AUTH_NO;
	if (libssh2_agent_connect(agent) != 0 || libssh2_agent_list_identities(agent) != 0)
		goto out;
	while (result == AUTH_NO && libssh2_agent_get_identity(agent, &id, prev) == 0) {
		(*tried)++;
		while ((rc = libssh2_agent_userauth(agent, user, id)) == LIBSSH2_ERROR_EAGAIN)
			if (ssh_wait(c, deadline) < 0) {
				result = AUTH_TIMEOUT;
				break;
			}
		if (rc == 0)
			result = AUTH_OK;
		prev = id;
	}
	libssh2_agent_disconnect(agent);
out:
	libssh2_agent_free(agent);
	return result;
}

static int file_auth(struct ssh_conn *c, const char *user, const char *identity,
		     int64_t deadline, struct strbuf *why)
{
	char *pub = x_asprintf("%s.pub", identity);
	int rc, result, file_errno = 0;
	if (access(pub, R_OK) != 0)
		x_free(&pub);
	errno = 0;
	while ((rc = libssh2_userauth_publickey_fromfile_ex(c->session, user,
			(unsigned)strlen(user), pub, identity, NULL)) == LIBSSH2_ERROR_EAGAIN) {
		errno = 0;
		if (ssh_wait(c, deadline) < 0)
			break;
	}
	file_errno = errno;   /* libssh2 1.10 says only "unable to open the key file" */
	if (rc == 0)
		result = AUTH_OK;
	else if (rc == LIBSSH2_ERROR_EAGAIN)
		result = AUTH_TIMEOUT;
	else {
		result = AUTH_NO;
		if (rc == LIBSSH2_ERROR_FILE && (file_errno == EMFILE || file_errno == ENFILE))
			sb_appendf(why, "; cannot open key file %s: %s", identity, strerror(file_errno));
		else if (rc == LIBSSH2_ERROR_FILE)
			sb_appendf(why, "; cannot use key file %s (missing, unreadable, or "
				   "passphrase-protected)", identity);
		else
			sb_appendf(why, "; key %s rejected (%s)", identity, ssh_last_error(c));
	}
	x_free(&pub);
	return result;
}

int ssh_authenticate(struct ssh_conn *c, const struct transport_params *p, struct vd_err *err)
{
	int64_t deadline = now_ms() + c->io_timeout_ms;
	int tried = 0, r;
	struct strbuf why;
	sb_init(&why);
	r = agent_auth(c, p->user, deadline, &tried);
	if (r == AUTH_NO && p->identity && *p->identity)
		r = file_auth(c, p->user, p->identity, deadline, &why);
	if (r == AUTH_OK) {
		sb_free(&why);
		return 0;
	}
	if (r == AUTH_TIMEOUT)
		err_set(err, VD_EUNREACH, "SSH authentication on %s timed out after %d ms",
			p->host_name, c->io_timeout_ms);
	else
		err_set(err, VD_ESSH, "SSH authentication as %s on %s failed: agent keys tried: %d%s%s",
			p->user, p->host_name, tried, why.buf,
			p->identity && *p->identity ? "" : "; no identity file configured");
	sb_free(&why);
	return -1;
}
