/* ssh_crypto.h — the little hashing and base64 that known_hosts needs.
 *
 * Hashed known_hosts entries are "|1|base64(salt)|base64(HMAC-SHA1(salt,
 * name))"; OpenSSH fingerprints are "SHA256:" + unpadded base64.  These are
 * self-contained (no libcrypto link) and pure. */
#ifndef VD_SSH_CRYPTO_H
#define VD_SSH_CRYPTO_H

#include <stddef.h>

#define SHA1_LEN 20

void ssh_sha1(const void *data, size_t len, unsigned char out[SHA1_LEN]);
void ssh_hmac_sha1(const void *key, size_t keylen, const void *msg, size_t msglen,
		   unsigned char out[SHA1_LEN]);
/* Decodes standard base64 (padding optional, no whitespace inside) into out
 * (cap bytes).  Returns the decoded length, or -1 on bad input or overflow. */
long ssh_b64_decode(const char *in, size_t inlen, unsigned char *out, size_t cap);
/* Encodes into out (NUL-terminated); pad != 0 adds '='.  Returns the length,
 * or -1 when cap is too small. */
long ssh_b64_encode(const unsigned char *in, size_t inlen, char *out, size_t cap, int pad);

#endif
