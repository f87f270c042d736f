/* virt_rpc_wire.c — libvirt's remote protocol, the few messages vdeck
 * speaks itself: XDR in and out of buffers (see virt_rpc_wire.h). */
#include "conn/virt_rpc_wire.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

enum { TYPE_CALL = 0, TYPE_REPLY = 1 };
enum { STATUS_OK = 0, STATUS_ERROR = 1 };

#define STRING_MAX   1048576u   /* REMOTE_STRING_MAX */
#define DOMAINS_MAX  16384u     /* REMOTE_DOMAIN_LIST_MAX */
#define PARAMS_MAX   262144u    /* REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX */
#define AUTHS_MAX    20u        /* REMOTE_AUTH_TYPE_LIST_MAX */

/* ---- out ---- */

static void put_u32(struct strbuf *out, uint32_t v)
{
	char b[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v };
	sb_append_n(out, b, 4);
}

static void put_string(struct strbuf *out, const char *s)
{
	size_t n = strlen(s);
	put_u32(out, (uint32_t)n);
	sb_append_n(out, s, n);
	static const char pad[3];
	sb_append_n(out, pad, (4 - n % 4) % 4);
}

/* The header, with the length word patched by end_call. */
static size_t begin_call(struct strbuf *out, uint32_t proc, uint32_t serial)
{
	size_t at = out->len;
	put_u32(out, 0);
	put_u32(out, VIRT_RPC_PROGRAM);
	put_u32(out, VIRT_RPC_VERSION);
	put_u32(out, proc);
	put_u32(out, TYPE_CALL);
	put_u32(out, serial);
	put_u32(out, STATUS_OK);
	return at;
}

static void end_call(struct strbuf *out, size_t at)
{
	uint32_t n = (uint32_t)(out->len - at);
	unsigned char *p = (unsigned char *)out->buf + at;
	p[0] = (unsigned char)(n >> 24);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
}

void virt_rpc_call_auth_list(struct strbuf *out, uint32_t serial)
{
	end_call(out, begin_call(out, VIRT_RPC_PROC_AUTH_LIST, serial));
}

void virt_rpc_call_auth_polkit(struct strbuf *out, uint32_t serial)
{
	end_call(out, begin_call(out, VIRT_RPC_PROC_AUTH_POLKIT, serial));
}

void virt_rpc_call_open(struct strbuf *out, uint32_t serial, const char *name, int read_only)
{
	size_t at = begin_call(out, VIRT_RPC_PROC_OPEN, serial);
	put_u32(out, 1);   /* the optional name is there */
	put_string(out, name);
	put_u32(out, read_only ? VIR_CONNECT_RO : 0);
	end_call(out, at);
}

void virt_rpc_call_stats(struct strbuf *out, uint32_t serial, unsigned groups, unsigned flags)
{
	size_t at = begin_call(out, VIRT_RPC_PROC_STATS, serial);
	put_u32(out, 0);   /* no list of domains: every domain */
	put_u32(out, groups);
	put_u32(out, flags);
	end_call(out, at);
}

/* ---- in ---- */

struct xdr_in {
	const unsigned char *p, *end;
	int                  bad;
};

static uint32_t get_u32(struct xdr_in *x)
{
	if (x->bad || x->end - x->p < 4) {
		x->bad = 1;
		return 0;
	}
	const unsigned char *p = x->p;
	x->p += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_u64(struct xdr_in *x)
{
	uint64_t hi = get_u32(x);
	return hi << 32 | get_u32(x);
}

/* A string in place (not NUL-terminated), or NULL when it does not fit. */
static const char *get_string(struct xdr_in *x, size_t *len)
{
	uint32_t n = get_u32(x);
	size_t padded = (size_t)n + (4 - n % 4) % 4;
	if (x->bad || n > STRING_MAX || (size_t)(x->end - x->p) < padded) {
		x->bad = 1;
		return NULL;
	}
	const char *s = (const char *)x->p;
	x->p += padded;
	*len = n;
	return s;
}

static void get_bytes(struct xdr_in *x, unsigned char *dst, size_t n)
{
	if (x->bad || (size_t)(x->end - x->p) < n) {
		x->bad = 1;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, x->p, n);
	x->p += n;
}

/* An array's count, refused when its elements (at least min_size bytes
 * each) could not fit in what is left: no allocation beyond the input. */
static uint32_t get_count(struct xdr_in *x, uint32_t max, size_t min_size)
{
	uint32_t n = get_u32(x);
	if (!x->bad && (n > max || (size_t)n > (size_t)(x->end - x->p) / min_size))
		x->bad = 1;
	return x->bad ? 0 : n;
}

size_t virt_rpc_message_len(const unsigned char *buf, size_t have)
{
	if (have < 4)
		return 0;
	return (size_t)buf[0] << 24 | (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3];
}

/* remote_error: code, domain, message (optional string), then fields
 * vdeck does not show. */
static int error_reply(struct xdr_in *x, struct vd_err *err)
{
	int code = (int)get_u32(x);
	(void)get_u32(x);   /* the error's domain (subsystem) */
	const char *msg = NULL;
	size_t n = 0;
	if (get_u32(x))
		msg = get_string(x, &n);
	/* the daemon's text, shown as it is but for control characters */
	char text[401];
	size_t k = 0;
	for (size_t i = 0; msg && !x->bad && i < n && k < sizeof text - 1; i++)
		text[k++] = (unsigned char)msg[i] < 0x20 || msg[i] == 0x7f ? '?' : msg[i];
	text[k] = '\0';
	if (k)
		err_set(err, VD_ELIBVIRT, "%s", text);
	else
		err_set(err, VD_ELIBVIRT, "libvirt error %d (no message)", code);
	if (err)
		err->sys_code = code;
	return -1;
}

int virt_rpc_reply(const unsigned char *msg, size_t len, uint32_t proc, uint32_t serial,
		   const unsigned char **payload, size_t *plen, struct vd_err *err)
{
	struct xdr_in x = { msg, msg + len, 0 };
	uint32_t total = get_u32(&x);
	uint32_t prog = get_u32(&x), vers = get_u32(&x), p = get_u32(&x);
	uint32_t type = get_u32(&x), ser = get_u32(&x), status = get_u32(&x);
	if (x.bad || total != len)
		return err_set(err, VD_ELIBVIRT, "malformed libvirt message (%zu bytes, header says %u)", len,
			       (unsigned)total);
	if (prog != VIRT_RPC_PROGRAM || type != TYPE_REPLY || ser != serial || p != proc)
		return 1;
	if (vers != VIRT_RPC_VERSION)
		return err_set(err, VD_ELIBVIRT, "libvirt protocol version %u (vdeck speaks %u)", (unsigned)vers,
			       VIRT_RPC_VERSION);
	if (status == STATUS_ERROR)
		return error_reply(&x, err);
	if (status != STATUS_OK)
		return err_set(err, VD_ELIBVIRT, "libvirt reply with status %u", (unsigned)status);
	*payload = x.p;
	*plen = (size_t)(x.end - x.p);
	return 0;
}

int virt_rpc_auth_choice(const unsigned char *payload, size_t len, enum virt_rpc_auth *method,
			 struct vd_err *err)
{
	struct xdr_in x = { payload, payload + len, 0 };
	uint32_t n = get_count(&x, AUTHS_MAX, 4);
	int none = n == 0, polkit = 0;   /* an empty list: nothing to do */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = get_u32(&x);
		none |= t == VIRT_RPC_AUTH_NONE;
		polkit |= t == VIRT_RPC_AUTH_POLKIT;
	}
	if (x.bad)
		return err_set(err, VD_ELIBVIRT, "malformed list of libvirt authentication methods");
	if (!none && !polkit)
		return 0;
	*method = none ? VIRT_RPC_AUTH_NONE : VIRT_RPC_AUTH_POLKIT;
	return 1;
}

int virt_rpc_polkit_done(const unsigned char *payload, size_t len, struct vd_err *err)
{
	struct xdr_in x = { payload, payload + len, 0 };
	uint32_t complete = get_u32(&x);
	if (x.bad)
		return err_set(err, VD_ELIBVIRT, "malformed polkit answer");
	if (!complete)
		return err_set(err, VD_ELIBVIRT, "polkit authentication did not complete");
	return 0;
}

/* One typed parameter into p; -1 (x->bad or err set) on anything libvirt's
 * client would refuse. */
static int get_param(struct xdr_in *x, virTypedParameterPtr p, struct vd_err *err)
{
	size_t n = 0;
	const char *field = get_string(x, &n);
	int type = (int)get_u32(x);
	if (x->bad)
		return -1;
	if (n >= VIR_TYPED_PARAM_FIELD_LENGTH || memchr(field, '\0', n))
		return err_set(err, VD_ELIBVIRT, "libvirt statistics field name too long or not text");
	memcpy(p->field, field, n);
	p->field[n] = '\0';
	p->type = type;
	switch (type) {
	case VIR_TYPED_PARAM_INT: p->value.i = (int)get_u32(x); break;
	case VIR_TYPED_PARAM_UINT: p->value.ui = get_u32(x); break;
	case VIR_TYPED_PARAM_LLONG: p->value.l = (long long)get_u64(x); break;
	case VIR_TYPED_PARAM_ULLONG: p->value.ul = get_u64(x); break;
	case VIR_TYPED_PARAM_BOOLEAN: p->value.b = get_u32(x) != 0; break;
	case VIR_TYPED_PARAM_DOUBLE: {
		uint64_t bits = get_u64(x);
		memcpy(&p->value.d, &bits, sizeof p->value.d);
		break;
	}
	case VIR_TYPED_PARAM_STRING: {
		const char *s = get_string(x, &n);
		if (x->bad)
			return -1;
		p->value.s = x_strndup(s, n);
		break;
	}
	default:
		return err_set(err, VD_ELIBVIRT, "libvirt statistics parameter %s of unknown type %d", p->field, type);
	}
	return x->bad ? -1 : 0;
}

static void rec_free(struct virt_rpc_rec *r)
{
	for (int i = 0; i < r->rec.nparams; i++)
		if (r->rec.params[i].type == VIR_TYPED_PARAM_STRING)
			free(r->rec.params[i].value.s);
	free(r->rec.params);
	free(r->name);
}

void virt_rpc_recs_free(struct virt_rpc_rec **recs, size_t n)
{
	if (!*recs)
		return;
	for (size_t i = 0; i < n; i++)
		rec_free(&(*recs)[i]);
	x_free(recs);
}

int virt_rpc_decode_stats(const unsigned char *payload, size_t len, struct virt_rpc_rec **recs, size_t *n,
			  struct vd_err *err)
{
	struct xdr_in x = { payload, payload + len, 0 };
	*recs = NULL;
	*n = 0;
	/* a record is at least a name's length, the UUID, the ID and a count */
	uint32_t count = get_count(&x, DOMAINS_MAX, 4 + VIR_UUID_BUFLEN + 4 + 4);
	struct virt_rpc_rec *out = count ? x_calloc(count, sizeof *out) : NULL;
	size_t done = 0;
	int refused = 0;   /* err says why */
	for (; !x.bad && done < count; done++) {
		struct virt_rpc_rec *r = &out[done];
		size_t nlen = 0;
		const char *name = get_string(&x, &nlen);
		get_bytes(&x, r->uuid, VIR_UUID_BUFLEN);
		r->id = (int)get_u32(&x);
		/* a parameter is at least a name's length, a type and a value */
		uint32_t np = get_count(&x, PARAMS_MAX, 12);
		if (x.bad)
			break;
		r->name = x_strndup(name, nlen);
		/* zeroed: a parameter not read has no string to free */
		r->rec.params = np ? x_calloc(np, sizeof *r->rec.params) : NULL;
		r->rec.nparams = (int)np;
		for (uint32_t i = 0; i < np && !x.bad && !refused; i++)
			refused = get_param(&x, &r->rec.params[i], err) < 0 && !x.bad;
		if (refused)
			break;
	}
	if (refused || x.bad || x.p != x.end) {
		virt_rpc_recs_free(&out, count);   /* zeroed past what was read */
		if (!refused)
			err_set(err, VD_ELIBVIRT, "malformed libvirt statistics reply");
		return -1;
	}
	*recs = out;
	*n = count;
	return 0;
}
