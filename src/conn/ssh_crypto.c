/* ssh_crypto.c — SHA-1 (FIPS 180-4), HMAC-SHA1 (RFC 2104) and base64,
 * just enough to match hashed known_hosts entries and print fingerprints. */
#include "conn/ssh_crypto.h"

#include <stdint.h>
#include <string.h>

struct sha1_ctx {
	uint32_t h[5];
	uint64_t total;
	unsigned char block[64];
	size_t fill;
};

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1_ctx *c, const unsigned char *p)
{
	uint32_t w[80], a, b, d, e, f, k, t, cc;
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3]; e = c->h[4];
	for (int i = 0; i < 80; i++) {
		if (i < 20) { f = (b & cc) | (~b & d); k = 0x5a827999; }
		else if (i < 40) { f = b ^ cc ^ d; k = 0x6ed9eba1; }
		else if (i < 60) { f = (b & cc) | (b & d) | (cc & d); k = 0x8f1bbcdc; }
		else { f = b ^ cc ^ d; k = 0xca62c1d6; }
		t = rol(a, 5) + f + e + k + w[i];
		e = d; d = cc; cc = rol(b, 30); b = a; a = t;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}

static void sha1_init(struct sha1_ctx *c)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	memcpy(c->h, iv, sizeof iv);
	c->total = 0;
	c->fill = 0;
}

static void sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	c->total += len;
	while (len) {
		size_t n = 64 - c->fill;
		if (n > len)
			n = len;
		memcpy(c->block + c->fill, p, n);
		c->fill += n; p += n; len -= n;
		if (c->fill == 64) {
			sha1_block(c, c->block);
			c->fill = 0;
		}
	}
}

static void sha1_final(struct sha1_ctx *c, unsigned char out[SHA1_LEN])
{
	uint64_t bits = c->total * 8;
	unsigned char pad = 0x80, zero = 0, len[8];
	sha1_update(c, &pad, 1);
	while (c->fill != 56)
		sha1_update(c, &zero, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(c, len, 8);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

void ssh_sha1(const void *data, size_t len, unsigned char out[SHA1_LEN])
{
	struct sha1_ctx c;
	sha1_init(&c);
	sha1_update(&c, data, len);
	sha1_final(&c, out);
}

void ssh_hmac_sha1(const void *key, size_t keylen, const void *msg, size_t msglen,
		   unsigned char out[SHA1_LEN])
{
	unsigned char k[64] = { 0 }, pad[64], inner[SHA1_LEN];
	struct sha1_ctx c;
	if (keylen > 64)
		ssh_sha1(key, keylen, k);
	else if (keylen)
		memcpy(k, key, keylen);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha1_init(&c);
	sha1_update(&c, pad, 64);
	sha1_update(&c, msg, msglen);
	sha1_final(&c, inner);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha1_init(&c);
	sha1_update(&c, pad, 64);
	sha1_update(&c, inner, SHA1_LEN);
	sha1_final(&c, out);
}

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_val(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z') return ch - 'A';
	if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9') return ch - '0' + 52;
	if (ch == '+') return 62;
	if (ch == '/') return 63;
	return -1;
}

long ssh_b64_decode(const char *in, size_t inlen, unsigned char *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0, i = 0;
	for (; i < inlen && in[i] != '='; i++) {
		int v = b64_val((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= cap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	for (; i < inlen; i++)          /* only padding may follow */
		if (in[i] != '=')
			return -1;
	if (bits >= 6)                  /* a lone trailing character */
		return -1;
	return (long)n;
}

long ssh_b64_encode(const unsigned char *in, size_t inlen, char *out, size_t cap, int pad)
{
	size_t n = 0;
	for (size_t i = 0; i < inlen; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = inlen - i;
		if (left > 1) v |= (uint32_t)in[i + 1] << 8;
		if (left > 2) v |= in[i + 2];
		int chars = left >= 3 ? 4 : (int)left + 1;
		if (n + 4 + 1 > cap)
			return -1;
		for (int j = 0; j < 4; j++) {
			if (j < chars)
				out[n++] = b64_chars[(v >> (18 - 6 * j)) & 63];
			else if (pad)
				out[n++] = '=';
		}
	}
	if (n + 1 > cap)
		return -1;
	out[n] = '\0';
	return (long)n;
}
