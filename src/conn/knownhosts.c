/* knownhosts.c — matching a host key against OpenSSH known_hosts text.
 *
 * Follows sshd's own rules (hostfile.c, match.c): the first field may be a
 * marker, then a host pattern list or a hashed name, the key type and the
 * base64 key; anything after is a comment.  Lines that do not parse are
 * skipped, as OpenSSH does, so one bad line never hides the others. */
#include "conn/knownhosts.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "conn/ssh_crypto.h"
#include "core/xalloc.h"

#define KEY_MAX 16384   /* decoded key blob; RSA-16384 is ~2 KiB */

enum marker { MARK_NONE, MARK_REVOKED, MARK_CA, MARK_OTHER };

struct kh_line {
	enum marker  marker;
	const char  *hosts;
	size_t       hosts_len;
	const char  *key64;
	size_t       key64_len;
};

void knownhosts_lookup_name(const char *host, int port, char *out, size_t cap)
{
	if (!cap)
		return;
	if (port <= 0 || port == 22)
		snprintf(out, cap, "%s", host ? host : "");
	else
		snprintf(out, cap, "[%s]:%d", host ? host : "", port);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

int knownhosts_glob(const char *s, size_t slen, const char *pat, size_t plen)
{
	size_t si = 0, pi = 0, star = (size_t)-1, mark = 0;
	while (si < slen) {
		if (pi < plen && (pat[pi] == '?' || tolower((unsigned char)pat[pi]) ==
				  tolower((unsigned char)s[si]))) {
			si++; pi++;
		} else if (pi < plen && pat[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return 0;
		}
	}
	while (pi < plen && pat[pi] == '*')
		pi++;
	return pi == plen;
}

/* Splits the next whitespace-separated field from [*p, end). */
static int next_field(const char **p, const char *end, const char **f, size_t *flen)
{
	const char *s = *p;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end)
		return 0;
	*f = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*flen = (size_t)(s - *f);
	*p = s;
	return 1;
}

static int parse_line(const char *s, const char *end, struct kh_line *l)
{
	const char *f, *type;
	size_t flen, type_len;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end || *s == '#')
		return 0;
	if (!next_field(&s, end, &f, &flen))
		return 0;
	l->marker = MARK_NONE;
	if (f[0] == '@') {
		if (flen == 8 && memcmp(f, "@revoked", 8) == 0)
			l->marker = MARK_REVOKED;
		else if (flen == 15 && memcmp(f, "@cert-authority", 15) == 0)
			l->marker = MARK_CA;
		else
			l->marker = MARK_OTHER;
		if (!next_field(&s, end, &f, &flen))
			return 0;
	}
	l->hosts = f;
	l->hosts_len = flen;
	if (!next_field(&s, end, &type, &type_len))
		return 0;
	if (!next_field(&s, end, &l->key64, &l->key64_len))
		return 0;
	return 1;
}

static int match_hashed(const char *name, const char *h, size_t hlen)
{
	unsigned char salt[256], want[64], got[SHA1_LEN];
	const char *bar;
	long saltlen, wantlen;
	if (hlen < 3 || memcmp(h, "|1|", 3) != 0)
		return 0;
	h += 3; hlen -= 3;
	bar = memchr(h, '|', hlen);
	if (!bar)
		return 0;
	saltlen = ssh_b64_decode(h, (size_t)(bar - h), salt, sizeof salt);
	wantlen = ssh_b64_decode(bar + 1, hlen - (size_t)(bar + 1 - h), want, sizeof want);
	if (saltlen <= 0 || wantlen != SHA1_LEN)
		return 0;
	ssh_hmac_sha1(salt, (size_t)saltlen, name, strlen(name), got);
	return memcmp(got, want, SHA1_LEN) == 0;
}

/* OpenSSH match_hostname: a negated pattern that matches vetoes the line. */
static int match_hosts(const char *name, const char *list, size_t len)
{
	size_t nlen = strlen(name);
	int hit = 0;
	if (len && list[0] == '|')
		return match_hashed(name, list, len);
	while (len) {
		const char *comma = memchr(list, ',', len);
		size_t plen = comma ? (size_t)(comma - list) : len;
		int neg = plen && list[0] == '!';
		if (knownhosts_glob(name, nlen, list + neg, plen - (size_t)neg)) {
			if (neg)
				return 0;
			hit = 1;
		}
		if (!comma)
			break;
		len -= plen + 1;
		list = comma + 1;
	}
	return hit;
}

/* Reads the type string a key blob starts with; its length or -1. */
static long blob_type(const unsigned char *blob, size_t len, const unsigned char **type)
{
	unsigned long n;
	if (len < 4)
		return -1;
	n = (unsigned long)blob[0] << 24 | (unsigned long)blob[1] << 16 |
	    (unsigned long)blob[2] << 8 | blob[3];
	if (n == 0 || n > 64 || n > len - 4)
		return -1;
	*type = blob + 4;
	return (long)n;
}

int knownhosts_blob_type(const unsigned char *blob, size_t len, char *out, size_t cap)
{
	const unsigned char *t = NULL;
	long n = blob_type(blob, len, &t);
	if (n < 0 || (size_t)n + 1 > cap)
		return -1;
	memcpy(out, t, (size_t)n);
	out[n] = '\0';
	return 0;
}

/* Calls fn for every parsed entry whose host patterns match name. */
static void each_entry(const char *buf, size_t len, const char *name,
		       void (*fn)(const struct kh_line *, const unsigned char *key, long keylen,
				  int lineno, void *ctx), void *ctx)
{
	unsigned char *key = x_malloc(KEY_MAX);
	const char *p = buf, *end = buf + len;
	int lineno = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		struct kh_line l;
		lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		if (parse_line(p, le, &l) && l.marker != MARK_OTHER &&
		    (match_hosts(name, l.hosts, l.hosts_len))) {
			long keylen = ssh_b64_decode(l.key64, l.key64_len, key, KEY_MAX);
			const unsigned char *t = NULL;
			if (keylen > 0 && blob_type(key, (size_t)keylen, &t) > 0)
				fn(&l, key, keylen, lineno, ctx);
		}
		p = eol ? eol + 1 : end;
	}
	x_free(&key);
}

struct check_ctx {
	const unsigned char *blob;
	size_t bloblen;
	const unsigned char *type;
	long typelen;
	int ok_line, changed_line, revoked_line, other;
};

static void check_one(const struct kh_line *l, const unsigned char *key, long keylen,
		      int lineno, void *vctx)
{
	struct check_ctx *c = vctx;
	const unsigned char *t = NULL;
	long tl = blob_type(key, (size_t)keylen, &t);
	int same_key = (size_t)keylen == c->bloblen && memcmp(key, c->blob, c->bloblen) == 0;
	if (l->marker == MARK_CA)
		return;
	if (l->marker == MARK_REVOKED) {
		if (same_key && !c->revoked_line)
			c->revoked_line = lineno;
		return;
	}
	if (tl != c->typelen || memcmp(t, c->type, (size_t)tl) != 0)
		c->other++;
	else if (same_key) {
		if (!c->ok_line)
			c->ok_line = lineno;
	} else if (!c->changed_line) {
		c->changed_line = lineno;
	}
}

int knownhosts_check(const char *buf, size_t len, const char *host, int port,
		     const unsigned char *blob, size_t bloblen, struct kh_result *res)
{
	char name[512];
	struct check_ctx c = { .blob = blob, .bloblen = bloblen };
	memset(res, 0, sizeof *res);
	res->status = KH_UNKNOWN;
	c.typelen = blob_type(blob, bloblen, &c.type);
	if (c.typelen < 0)
		return -1;
	knownhosts_lookup_name(host, port, name, sizeof name);
	if (buf)
		each_entry(buf, len, name, check_one, &c);
	res->other_types = c.other;
	if (c.revoked_line) {
		res->status = KH_REVOKED;
		res->line = c.revoked_line;
	} else if (c.ok_line) {
		res->status = KH_OK;
		res->line = c.ok_line;
	} else if (c.changed_line) {
		res->status = KH_CHANGED;
		res->line = c.changed_line;
	}
	return 0;
}

static void collect_type(const struct kh_line *l, const unsigned char *key, long keylen,
			 int lineno, void *vctx)
{
	struct strbuf *out = vctx;
	const unsigned char *t = NULL;
	long tl = blob_type(key, (size_t)keylen, &t);
	char type[72];
	const char *p;
	if (l->marker != MARK_NONE || tl <= 0 || (size_t)tl >= sizeof type)
		return;
	memcpy(type, t, (size_t)tl);
	type[tl] = '\0';
	/* a key type is a name: one holding a NUL byte (a hostile file) is
	 * shorter than its length says (found by fuzz_knownhosts) */
	if (strlen(type) != (size_t)tl)
		return;
	for (p = out->buf; (p = strstr(p, type)); p += tl)   /* already listed? */
		if ((p == out->buf || p[-1] == ',') && (p[tl] == ',' || p[tl] == '\0'))
			return;
	if (out->len + (size_t)tl + 1 > KH_TYPES_MAX)
		return;
	if (out->len)
		sb_appendc(out, ',');
	sb_append(out, type);
}

void knownhosts_host_types(const char *buf, size_t len, const char *host, int port,
			   struct strbuf *out)
{
	char name[512];
	knownhosts_lookup_name(host, port, name, sizeof name);
	if (buf)
		each_entry(buf, len, name, collect_type, out);
}

void knownhosts_format_line(const char *host, int port, const unsigned char *blob,
			    size_t len, struct strbuf *out)
{
	char name[512], type[72];
	size_t cap = (len + 2) / 3 * 4 + 1;
	char *b64 = x_malloc(cap);
	knownhosts_lookup_name(host, port, name, sizeof name);
	if (knownhosts_blob_type(blob, len, type, sizeof type) < 0)
		snprintf(type, sizeof type, "unknown");
	ssh_b64_encode(blob, len, b64, cap, 1);
	sb_appendf(out, "%s %s %s\n", name, type, b64);
	x_free(&b64);
}

void knownhosts_fingerprint(const unsigned char digest[32], char *out, size_t cap)
{
	char b64[48];
	ssh_b64_encode(digest, 32, b64, sizeof b64, 0);
	snprintf(out, cap, "SHA256:%s", b64);
}
