/* ssh_hostkey.c — strict host-key checking for the SSH transport.
 *
 * The file is read here and judged by the pure matcher in knownhosts.c.
 * An unknown key is refused (saying so when the file does not exist)
 * unless accept_new_hostkeys, in which case it is appended (file created
 * 0600, missing directories 0700); a changed, revoked, or type-switched key
 * is always refused, loudly, with the fingerprint the operator can compare
 * with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the host. */
#include "conn/ssh_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/knownhosts.h"
#include "core/paths.h"
#include "core/xalloc.h"

#define KNOWN_HOSTS_MAX (64u << 20)

int ssh_known_hosts_read(const char *path, struct strbuf *out, struct vd_err *err)
{
	size_t n;
	FILE *f;
	if (!path || !*path)
		return 0;
	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, VD_EIO, "cannot read known_hosts %s: %s", path, strerror(errno));
	}
	/* into out directly: this runs on each host's worker thread, whose
	 * stack pages stay resident once touched */
	while (out->len < KNOWN_HOSTS_MAX && (n = fread(sb_room(out, 4096), 1, 4096, f)) > 0)
		sb_commit(out, n);
	if (ferror(f)) {
		fclose(f);
		return err_set(err, VD_EIO, "cannot read known_hosts %s", path);
	}
	fclose(f);
	return 0;
}

/* libssh2's host-key method names for a key type found in known_hosts. */
static const char *methods_for(const char *type)
{
	if (strcmp(type, "ssh-rsa") == 0)
		return "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
	return type;
}

static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

void ssh_hostkey_prefer(struct ssh_conn *c, const struct strbuf *known,
			const struct transport_params *p)
{
	struct strbuf types, pref;
	const char **algs = NULL;
	int n;
	sb_init(&types);
	sb_init(&pref);
	knownhosts_host_types(known->buf, known->len, p->address, p->port, &types);
	if (!types.len)
		goto out;
	for (char *save = NULL, *tok = strtok_r(types.buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (pref.len)
			sb_appendc(&pref, ',');
		sb_append(&pref, methods_for(tok));
	}
	n = libssh2_session_supported_algs(c->session, LIBSSH2_METHOD_HOSTKEY, &algs);
	for (int i = 0; i < n; i++)
		if (!listed(pref.buf, algs[i]))
			sb_appendf(&pref, ",%s", algs[i]);
	if (n > 0)
		libssh2_free(c->session, (void *)algs);
	libssh2_session_method_pref(c->session, LIBSSH2_METHOD_HOSTKEY, pref.buf);
out:
	sb_free(&types);
	sb_free(&pref);
}

static int record_key(const struct transport_params *p, const struct strbuf *known,
		      const unsigned char *blob, size_t len, struct vd_err *err)
{
	struct strbuf line;
	int fd, rc = 0;
	sb_init(&line);
	if (known->len && known->buf[known->len - 1] != '\n')
		sb_appendc(&line, '\n');
	knownhosts_format_line(p->address, p->port, blob, len, &line);
	/* A first run creates ~/.ssh as ssh(1) would: private. */
	char *dir = x_strdup(p->known_hosts);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		path_mkdirs(dir);
	}
	free(dir);
	fd = open(p->known_hosts, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line.buf, line.len) != (ssize_t)line.len)
		rc = err_set(err, VD_EIO, "cannot record the host key of %s in %s: %s",
			     p->host_name, p->known_hosts, strerror(errno));
	if (fd >= 0)
		close(fd);
	sb_free(&line);
	return rc;
}

int ssh_hostkey_verify(struct ssh_conn *c, const struct strbuf *known,
		       const struct transport_params *p, struct vd_err *err)
{
	size_t len = 0;
	int ktype;
	const unsigned char *blob = (const unsigned char *)libssh2_session_hostkey(c->session, &len, &ktype);
	const unsigned char *sha = (const unsigned char *)libssh2_hostkey_hash(c->session,
								LIBSSH2_HOSTKEY_HASH_SHA256);
	char type[72] = "unknown", fp[64] = "SHA256:?", name[300];
	const char *kh = p->known_hosts ? p->known_hosts : "(no known_hosts file)";
	struct kh_result r;
	if (!blob || knownhosts_blob_type(blob, len, type, sizeof type) < 0)
		return err_set(err, VD_ESSH, "%s sent no usable host key", p->host_name);
	if (sha)
		knownhosts_fingerprint(sha, fp, sizeof fp);
	knownhosts_lookup_name(p->address, p->port, name, sizeof name);
	knownhosts_check(known->buf, known->len, p->address, p->port, blob, len, &r);
	switch (r.status) {
	case KH_OK:
		return 0;
	case KH_REVOKED:
		return err_set(err, VD_EREFUSED,
			       "host key of %s (%s) is REVOKED: %s %s is marked @revoked in %s line %d; "
			       "refusing to connect", p->host_name, name, type, fp, kh, r.line);
	case KH_CHANGED:
		return err_set(err, VD_EREFUSED,
			       "WARNING: HOST KEY OF %s (%s) HAS CHANGED: the server offers %s %s, "
			       "but %s line %d records a different %s key. Someone could be "
			       "intercepting the connection (man-in-the-middle), or the host was "
			       "reinstalled. Refusing to connect; if the change is expected, remove "
			       "the old entry (ssh-keygen -R '%s' -f %s).", p->host_name, name, type,
			       fp, kh, r.line, type, name, kh);
	case KH_UNKNOWN:
		break;
	}
	if (r.other_types)
		return err_set(err, VD_EREFUSED,
			       "WARNING: host key of %s (%s) is of another type than recorded: the "
			       "server offers %s %s, but %s holds only other key types for this "
			       "host. Refusing to connect (this is never learned automatically).",
			       p->host_name, name, type, fp, kh);
	if (!p->accept_new_hostkeys && p->known_hosts && !known->len &&
	    access(p->known_hosts, F_OK) < 0 && errno == ENOENT)
		return err_set(err, VD_EREFUSED,
			       "host key of %s (%s) is not known: the server offers %s %s, and the "
			       "known_hosts file %s does not exist; refusing to connect (verify the "
			       "fingerprint, then add it or run with --accept-new-hostkeys)",
			       p->host_name, name, type, fp, kh);
	if (!p->accept_new_hostkeys || !p->known_hosts)
		return err_set(err, VD_EREFUSED,
			       "host key of %s (%s) is not known: the server offers %s %s, which is "
			       "not in %s; refusing to connect (verify the fingerprint, then add it or "
			       "run with --accept-new-hostkeys)", p->host_name, name, type, fp, kh);
	return record_key(p, known, blob, len, err);
}
