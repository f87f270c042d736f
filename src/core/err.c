/* err.c — filling and formatting struct vd_err. */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

void err_clear(struct vd_err *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

int err_setv(struct vd_err *e, enum vd_errcode code, const char *fmt, va_list ap)
{
	if (!e)
		return -1;
	e->code = code;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return -1;
}

int err_set(struct vd_err *e, enum vd_errcode code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_setv(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

static void copy_field(char *dst, size_t len, const char *src)
{
	if (src)
		snprintf(dst, len, "%s", src);
}

void err_where(struct vd_err *e, const char *op, const char *host, const char *domain)
{
	if (!e)
		return;
	copy_field(e->op, sizeof e->op, op);
	copy_field(e->host, sizeof e->host, host);
	copy_field(e->domain, sizeof e->domain, domain);
}

const char *err_format(const struct vd_err *e, char *buf, unsigned len)
{
	char where[200] = "";
	if (e->host[0] && e->domain[0])
		snprintf(where, sizeof where, "%s/%s: ", e->host, e->domain);
	else if (e->host[0])
		snprintf(where, sizeof where, "%s: ", e->host);
	else if (e->domain[0])
		snprintf(where, sizeof where, "%s: ", e->domain);
	snprintf(buf, len, "%s%s%s%s", e->op[0] ? e->op : "", e->op[0] ? ": " : "", where, e->msg);
	return buf;
}

const char *err_code_name(enum vd_errcode code)
{
	static const char *const names[] = {
		[VD_OK] = "ok", [VD_EINVAL] = "invalid", [VD_ENOTFOUND] = "not-found",
		[VD_ECONFIG] = "config", [VD_EUNREACH] = "unreachable", [VD_ELIBVIRT] = "libvirt",
		[VD_ESSH] = "ssh", [VD_ETIMEOUT] = "timeout", [VD_EIO] = "io",
		[VD_EUNSUPPORTED] = "unsupported", [VD_ESTALE] = "stale", [VD_EREFUSED] = "refused",
		[VD_ELOCKED] = "locked", [VD_EUSAGE] = "usage",
	};
	if ((unsigned)code < sizeof names / sizeof names[0] && names[code])
		return names[code];
	return "error";
}
