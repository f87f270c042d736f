/* demo_fs.c — directory creation and atomic small-file writes for the
 * demo tree (a reader polling the tree never sees half a file). */
#include "demo/demo_priv.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int demo_mkdirs(const char *path, struct vd_err *err)
{
	char *p = x_strdup(path);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rc = err_set(err, VD_EIO, "mkdir %s: %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	x_free(&p);
	return rc;
}

int demo_write(const char *path, const char *data, size_t len, bool atomic, struct vd_err *err)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, atomic ? "%s.tmp" : "%s", path) >= sizeof tmp)
		return err_set(err, VD_EIO, "path too long: %s", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(err, VD_EIO, "create %s: %s", tmp, strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			unlink(tmp);
			return err_set(err, VD_EIO, "write %s: %s", tmp, strerror(e));
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 || (atomic && rename(tmp, path) < 0)) {
		int e = errno;
		unlink(tmp);
		return err_set(err, VD_EIO, "write %s: %s", path, strerror(e));
	}
	return 0;
}

int demo_writef(const char *root, const char *rel, bool atomic, struct vd_err *err,
		const char *fmt, ...)
{
	char path[4096];
	char small[512];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", root, rel) >= sizeof path)
		return err_set(err, VD_EIO, "path too long: %s/%s", root, rel);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(err, VD_EIO, "format for %s", path);
	if ((size_t)n < sizeof small)
		return demo_write(path, small, (size_t)n, atomic, err);
	char *big = x_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int rc = demo_write(path, big, (size_t)n, atomic, err);
	x_free(&big);
	return rc;
}
