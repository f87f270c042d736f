/* knownhosts.h — OpenSSH known_hosts matching, pure (text in, verdict out).
 *
 * Understands plain host patterns (comma lists, '*'/'?' wildcards, '!'
 * negation), hashed "|1|salt|hash" entries, "[host]:port" names for ports
 * other than 22, and the @revoked / @cert-authority markers (a revoked key
 * is refused; certificate authorities are not used and never match).  The
 * caller reads the file; nothing here opens one. */
#ifndef VD_KNOWNHOSTS_H
#define VD_KNOWNHOSTS_H

#include <stddef.h>

#include "core/strbuf.h"

enum kh_status {
	KH_OK,       /* an entry for this host holds exactly this key */
	KH_UNKNOWN,  /* no entry for this host with this key type */
	KH_CHANGED,  /* entries for this host with this key type, none equal */
	KH_REVOKED,  /* the key is marked @revoked */
};

struct kh_result {
	enum kh_status status;
	int  line;           /* 1-based line of the deciding entry, 0 if none */
	int  other_types;    /* entries for this host with another key type */
};

/* The name OpenSSH looks up: "host" on port 22 (or <= 0), else
 * "[host]:port"; lower-cased. */
void knownhosts_lookup_name(const char *host, int port, char *out, size_t cap);

/* Checks a server's public key blob (SSH wire format) for host:port against
 * the text of a known_hosts file.  Returns 0 and fills res; -1 only when
 * the blob itself is malformed. */
int knownhosts_check(const char *buf, size_t len, const char *host, int port,
		     const unsigned char *blob, size_t bloblen, struct kh_result *res);

/* Appends to out the distinct key types recorded for host:port, comma
 * separated, in file order (for the host-key algorithm preference); types
 * that would take the list past KH_TYPES_MAX bytes are left out. */
#define KH_TYPES_MAX 1024
void knownhosts_host_types(const char *buf, size_t len, const char *host, int port,
			   struct strbuf *out);

/* The key type embedded at the start of a key blob ("ssh-ed25519", ...).
 * Returns 0, or -1 for a malformed blob or a too-small out. */
int knownhosts_blob_type(const unsigned char *blob, size_t len, char *out, size_t cap);

/* One known_hosts line, newline included: "NAME TYPE BASE64\n". */
void knownhosts_format_line(const char *host, int port, const unsigned char *blob,
			    size_t len, struct strbuf *out);

/* "SHA256:" + unpadded base64 of a 32-byte digest, as ssh-keygen -l. */
void knownhosts_fingerprint(const unsigned char digest[32], char *out, size_t cap);

/* Glob match of '*' and '?' (linear time on hostile patterns). */
int knownhosts_glob(const char *s, size_t slen, const char *pat, size_t plen);

#endif
