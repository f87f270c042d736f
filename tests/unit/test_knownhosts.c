/* test_knownhosts.c — the known_hosts matcher and its hashing, on fixture
 * text (keys and hashed lines made by ssh-keygen, so OpenSSH is the oracle). */
#include "check.h"

#include "conn/knownhosts.h"
#include "conn/ssh_crypto.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIIpXdbUJTqVdTE2x3HAJXm/9Ow0Ot9xwLwpwSUbZ0/xd"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIAlZlvsVUcgynTEgOwaJsDicWvbAK4i8F2M8BBatIm/8"
#define K3 "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIQBeFf8oUryKBZ4AsqgD7FIYkQvLeR4" \
	   "IxgzTGkrnRrlgXmoKoiVxJe8jVBcF8pQCerrU3wwj3lEN4k8XzdnHU4="
/* ssh-keygen -H of "example.org" and "[example.org]:2222", both with K1 */
#define H22   "|1|n86FuFnmon65mYb3j9yipY0usQo=|T7x7tnGaV8V358pkw1Nu+RmhHFw="
#define H2222 "|1|b87oOOrv0sYjR2b+nPl14Jm+d34=|b+6yiqZle+cPxTgj8BKOXO9jfKk="

static unsigned char k1[128], k2[128], k3[256];
static size_t k1n, k2n, k3n;

static size_t decode(const char *b64, unsigned char *out, size_t cap)
{
	long n = ssh_b64_decode(b64, strlen(b64), out, cap);
	CHECK(n > 0);
	return n > 0 ? (size_t)n : 0;
}

static enum kh_status status(const char *text, const char *host, int port,
			     const unsigned char *blob, size_t len, int *line)
{
	struct kh_result r;
	CHECK_INT(knownhosts_check(text, strlen(text), host, port, blob, len, &r), 0);
	if (line)
		*line = r.line;
	return r.status;
}

static void hex(const unsigned char *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_crypto(void)
{
	unsigned char d[SHA1_LEN], key[20], back[64];
	char h[41], b64[64];
	ssh_sha1("abc", 3, d);
	hex(d, SHA1_LEN, h);
	CHECK_STR(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	ssh_sha1("", 0, d);
	hex(d, SHA1_LEN, h);
	CHECK_STR(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	/* 56 bytes: the padding spills into a second block */
	ssh_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	hex(d, SHA1_LEN, h);
	CHECK_STR(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	memset(key, 0x0b, sizeof key);                      /* RFC 2202 case 1 */
	ssh_hmac_sha1(key, 20, "Hi There", 8, d);
	hex(d, SHA1_LEN, h);
	CHECK_STR(h, "b617318655057264e28bc0b6fb378c8ef146be00");
	ssh_hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, d);   /* case 2 */
	hex(d, SHA1_LEN, h);
	CHECK_STR(h, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	CHECK_INT(ssh_b64_encode((const unsigned char *)"ab", 2, b64, sizeof b64, 1), 4);
	CHECK_STR(b64, "YWI=");
	CHECK_INT(ssh_b64_encode((const unsigned char *)"ab", 2, b64, sizeof b64, 0), 3);
	CHECK_STR(b64, "YWI");
	CHECK_INT(ssh_b64_decode("YWI=", 4, back, sizeof back), 2);
	CHECK_INT(ssh_b64_decode("YWI", 3, back, sizeof back), 2);
	CHECK_INT(ssh_b64_decode("Y", 1, back, sizeof back), -1);
	CHECK_INT(ssh_b64_decode("YW=I", 4, back, sizeof back), -1);
	CHECK_INT(ssh_b64_decode("YW I", 4, back, sizeof back), -1);
	CHECK_INT(ssh_b64_decode("YWJjZA==", 8, back, 3), -1);   /* overflow */
	CHECK_INT(ssh_b64_encode(back, 30, b64, 8, 1), -1);
}

static void test_blob_and_format(void)
{
	char type[72], fp[64];
	unsigned char zero[32] = { 0 };
	struct strbuf sb;
	CHECK_INT(knownhosts_blob_type(k1, k1n, type, sizeof type), 0);
	CHECK_STR(type, "ssh-ed25519");
	CHECK_INT(knownhosts_blob_type(k3, k3n, type, sizeof type), 0);
	CHECK_STR(type, "ecdsa-sha2-nistp256");
	CHECK_INT(knownhosts_blob_type(k1, 3, type, sizeof type), -1);
	CHECK_INT(knownhosts_blob_type(k1, 10, type, sizeof type), -1);  /* truncated name */
	CHECK_INT(knownhosts_blob_type(k1, k1n, type, 5), -1);
	knownhosts_lookup_name("Host.Example", 22, type, sizeof type);
	CHECK_STR(type, "host.example");
	knownhosts_lookup_name("10.0.0.1", 2222, type, sizeof type);
	CHECK_STR(type, "[10.0.0.1]:2222");
	sb_init(&sb);
	knownhosts_format_line("127.0.0.1", 4022, k1, k1n, &sb);
	CHECK_STR(sb.buf, "[127.0.0.1]:4022 ssh-ed25519 " K1 "\n");
	sb_reset(&sb);
	knownhosts_format_line("gpu01", 22, k3, k3n, &sb);
	CHECK_STR(sb.buf, "gpu01 ecdsa-sha2-nistp256 " K3 "\n");
	sb_free(&sb);
	knownhosts_fingerprint(zero, fp, sizeof fp);
	CHECK_STR(fp, "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
}

static void test_plain(void)
{
	const char *kh =
		"# comment line\n"
		"\n"
		"   other.example ssh-ed25519 " K2 "\n"
		"a.example,10.0.0.7,B.EXAMPLE ssh-ed25519 " K1 " a comment\r\n"
		"[10.0.0.7]:2222 ssh-ed25519 " K2 "\n"
		"bad line without key\n"
		"garbage.example ssh-ed25519 !!!notbase64!!!\n"
		"*.wild.example,!evil.wild.example ssh-ed25519 " K1 "\n"
		"node?.rack ssh-ed25519 " K1 "\n"
		"ecd.example ecdsa-sha2-nistp256 " K3 "\n"
		"last.example ssh-ed25519 " K1;   /* no final newline */
	int line = 0;
	CHECK_INT(status(kh, "a.example", 22, k1, k1n, &line), KH_OK);
	CHECK_INT(line, 4);
	CHECK_INT(status(kh, "10.0.0.7", 22, k1, k1n, NULL), KH_OK);
	CHECK_INT(status(kh, "b.example", 0, k1, k1n, NULL), KH_OK);     /* case-insensitive */
	CHECK_INT(status(kh, "a.example", 22, k2, k2n, &line), KH_CHANGED);
	CHECK_INT(line, 4);
	CHECK_INT(status(kh, "10.0.0.7", 2222, k2, k2n, NULL), KH_OK);   /* [host]:port */
	CHECK_INT(status(kh, "10.0.0.7", 2222, k1, k1n, NULL), KH_CHANGED);
	CHECK_INT(status(kh, "10.0.0.7", 2223, k1, k1n, NULL), KH_UNKNOWN);
	CHECK_INT(status(kh, "a.example", 2222, k1, k1n, NULL), KH_UNKNOWN);
	CHECK_INT(status(kh, "nobody.example", 22, k1, k1n, &line), KH_UNKNOWN);
	CHECK_INT(line, 0);
	CHECK_INT(status(kh, "x.wild.example", 22, k1, k1n, NULL), KH_OK);
	CHECK_INT(status(kh, "evil.wild.example", 22, k1, k1n, NULL), KH_UNKNOWN);
	CHECK_INT(status(kh, "wild.example", 22, k1, k1n, NULL), KH_UNKNOWN);
	CHECK_INT(status(kh, "node7.rack", 22, k1, k1n, NULL), KH_OK);
	CHECK_INT(status(kh, "node17.rack", 22, k1, k1n, NULL), KH_UNKNOWN);
	CHECK_INT(status(kh, "last.example", 22, k1, k1n, NULL), KH_OK);
	CHECK_INT(status(kh, "garbage.example", 22, k1, k1n, NULL), KH_UNKNOWN);
	/* a host known only with another key type: unknown, other types noted */
	struct kh_result r;
	knownhosts_check(kh, strlen(kh), "ecd.example", 22, k1, k1n, &r);
	CHECK_INT(r.status, KH_UNKNOWN);
	CHECK_INT(r.other_types, 1);
	CHECK_INT(status(kh, "ecd.example", 22, k3, k3n, NULL), KH_OK);
	/* several entries: any equal key wins over a different one */
	const char *two = "h ssh-ed25519 " K2 "\nh ssh-ed25519 " K1 "\n";
	CHECK_INT(status(two, "h", 22, k1, k1n, &line), KH_OK);
	CHECK_INT(line, 2);
}

static void test_hashed_and_markers(void)
{
	const char *kh =
		H22 " ssh-ed25519 " K1 "\n"
		H2222 " ssh-ed25519 " K1 "\n"
		"|1|bad|hash ssh-ed25519 " K1 "\n"
		"|2|n86FuFnmon65mYb3j9yipY0usQo=|T7x7tnGaV8V358pkw1Nu+RmhHFw= ssh-ed25519 " K2 "\n";
	CHECK_INT(status(kh, "example.org", 22, k1, k1n, NULL), KH_OK);
	CHECK_INT(status(kh, "EXAMPLE.org", 22, k1, k1n, NULL), KH_OK);
	CHECK_INT(status(kh, "example.org", 22, k2, k2n, NULL), KH_CHANGED);
	CHECK_INT(status(kh, "example.org", 2222, k1, k1n, NULL), KH_OK);
	CHECK_INT(status(kh, "example.org", 2223, k1, k1n, NULL), KH_UNKNOWN);
	CHECK_INT(status(kh, "example.com", 22, k1, k1n, NULL), KH_UNKNOWN);

	const char *marks =
		"@cert-authority *.example ssh-ed25519 " K2 "\n"
		"@revoked * ssh-ed25519 " K2 "\n"
		"@bogus a.example ssh-ed25519 " K2 "\n"
		"@revoked\n"
		"a.example ssh-ed25519 " K1 "\n";
	int line = 0;
	CHECK_INT(status(marks, "a.example", 22, k1, k1n, NULL), KH_OK);
	/* the CA line is not a host key: K2 is revoked, not "changed" or OK */
	CHECK_INT(status(marks, "a.example", 22, k2, k2n, &line), KH_REVOKED);
	CHECK_INT(line, 2);
	CHECK_INT(status(marks, "b.example", 22, k2, k2n, NULL), KH_REVOKED);
	CHECK_INT(status(marks, "b.example", 22, k1, k1n, NULL), KH_UNKNOWN);
	const char *ca_only = "@cert-authority a.example ssh-ed25519 " K2 "\n";
	CHECK_INT(status(ca_only, "a.example", 22, k2, k2n, NULL), KH_UNKNOWN);
	CHECK_INT(status(ca_only, "a.example", 22, k1, k1n, NULL), KH_UNKNOWN);
}

static void test_types(void)
{
	const char *kh = "h ecdsa-sha2-nistp256 " K3 "\n@revoked h ssh-ed25519 " K1 "\n"
			 "h ssh-ed25519 " K2 "\nh ssh-ed25519 " K2 "\nother ssh-rsa " K1 "\n";
	struct strbuf sb;
	sb_init(&sb);
	knownhosts_host_types(kh, strlen(kh), "h", 22, &sb);
	CHECK_STR(sb.buf, "ecdsa-sha2-nistp256,ssh-ed25519");
	sb_reset(&sb);
	knownhosts_host_types(kh, strlen(kh), "nobody", 22, &sb);
	CHECK_STR(sb.buf, "");
	sb_free(&sb);
}

static void test_glob(void)
{
	CHECK(knownhosts_glob("abc", 3, "a*c", 3));
	CHECK(knownhosts_glob("ac", 2, "a*c", 3));
	CHECK(!knownhosts_glob("ab", 2, "a*c", 3));
	CHECK(knownhosts_glob("", 0, "*", 1));
	CHECK(!knownhosts_glob("", 0, "?", 1));
	CHECK(knownhosts_glob("aXbXc", 5, "*b*c", 4));
	/* pathological pattern stays linear-ish and correct */
	char s[4001], p[400];
	memset(s, 'a', 4000); s[4000] = 0;
	for (int i = 0; i < 199; i++) { p[2 * i] = '*'; p[2 * i + 1] = 'a'; }
	p[398] = 'b'; p[399] = 0;
	CHECK(!knownhosts_glob(s, 4000, p, 399));
}

static void test_hostile(void)
{
	/* random bytes and truncations must not crash or match */
	unsigned seed = 12345;
	char buf[2048];
	const char *base = "a.example ssh-ed25519 " K1 "\n" H22 " ssh-ed25519 " K1 "\n";
	size_t blen = strlen(base);
	for (size_t cut = 0; cut <= blen; cut++) {
		struct kh_result r;
		knownhosts_check(base, cut, "b.example", 22, k1, k1n, &r);
		CHECK(r.status == KH_UNKNOWN);
	}
	int bad = 0;
	for (int round = 0; round < 300; round++) {
		struct kh_result r;
		size_t n = (size_t)(seed % sizeof buf);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)(seed >> 16);
		}
		knownhosts_check(buf, n, "a.example", 2222, k1, k1n, &r);
		bad += r.status == KH_OK;
	}
	CHECK_INT(bad, 0);
	struct kh_result r;
	CHECK_INT(knownhosts_check(base, blen, "a", 22, (const unsigned char *)"\0\0\0\xff", 4, &r), -1);
	CHECK_INT(knownhosts_check(NULL, 0, "a", 22, k1, k1n, &r), 0);
	CHECK_INT(r.status, KH_UNKNOWN);
}

int main(void)
{
	k1n = decode(K1, k1, sizeof k1);
	k2n = decode(K2, k2, sizeof k2);
	k3n = decode(K3, k3, sizeof k3);
	CHECK_INT(k1n, 51);
	test_crypto();
	test_blob_and_format();
	test_plain();
	test_hashed_and_markers();
	test_types();
	test_glob();
	test_hostile();
	return check_summary();
}
