/* err.h — the one error record every layer fills and only the top prints.
 *
 * Functions return 0/-1 (or NULL) and, on failure, fill a struct vd_err
 * passed by the caller.  The record names what failed (operation, host,
 * domain) so that the message a user finally sees says where and why. */
#ifndef VD_ERR_H
#define VD_ERR_H

#include <stdarg.h>

enum vd_errcode {
	VD_OK = 0,
	VD_EINVAL,      /* bad argument or input: nothing was changed */
	VD_ENOTFOUND,   /* no such host, domain, snapshot, file */
	VD_ECONFIG,     /* inventory or option error */
	VD_EUNREACH,    /* host could not be reached */
	VD_ELIBVIRT,    /* libvirt refused or failed */
	VD_ESSH,        /* SSH transport or remote command failed */
	VD_ETIMEOUT,    /* did not finish in time */
	VD_EIO,         /* local file or system call */
	VD_EUNSUPPORTED,/* the driver or host cannot do this */
	VD_ESTALE,      /* handle to an object that no longer exists */
	VD_EREFUSED,    /* refused on purpose: unsafe combination */
	VD_ELOCKED,     /* another run holds the lock */
	VD_EUSAGE,      /* bad parameters from the command line (exit 2) */
};

struct vd_err {
	enum vd_errcode code;
	int             sys_code;  /* libvirt error code or errno, 0 if none */
	char            op[48];
	char            host[64];
	char            domain[128];
	char            msg[768];
};

void        err_clear(struct vd_err *e);
/* Sets code and message; keeps op/host/domain already set. Returns -1. */
int         err_set(struct vd_err *e, enum vd_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int         err_setv(struct vd_err *e, enum vd_errcode code, const char *fmt, va_list ap);
/* Names where the error happened; NULL leaves a field as it is. */
void        err_where(struct vd_err *e, const char *op, const char *host, const char *domain);
/* "op: host/domain: message" into buf. */
const char *err_format(const struct vd_err *e, char *buf, unsigned len);
const char *err_code_name(enum vd_errcode code);

#endif
