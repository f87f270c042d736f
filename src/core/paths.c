/* paths.c — XDG locations, the data directory, home expansion. */
#include "core/paths.h"
#include "core/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VD_DATADIR
#define VD_DATADIR "/usr/local/share/vdeck"
#endif

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return h;
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_dir : "/";
}

char *path_expand_home(const char *path)
{
	if (!path)
		return NULL;
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		return x_asprintf("%s%s", home_dir(), path + 1);
	return x_strdup(path);
}

char *path_xdg(const char *kind, const char *leaf)
{
	const char *env = NULL, *fallback = NULL;
	if (!strcmp(kind, "config")) {
		env = getenv("XDG_CONFIG_HOME");
		fallback = ".config";
	} else if (!strcmp(kind, "state")) {
		env = getenv("XDG_STATE_HOME");
		fallback = ".local/state";
	} else {
		env = getenv("XDG_RUNTIME_DIR");
		fallback = ".local/state";
	}
	if (env && *env == '/')
		return x_asprintf("%s/vdeck%s%s", env, leaf ? "/" : "", leaf ? leaf : "");
	return x_asprintf("%s/%s/vdeck%s%s", home_dir(), fallback, leaf ? "/" : "", leaf ? leaf : "");
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *path_datadir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	const char *env = getenv("VDECK_DATADIR");
	if (env && *env) {
		snprintf(dir, sizeof dir, "%s", env);
		return dir;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		/* A build tree (vdeck or build/vdeck-asan), or an installed
		 * PREFIX/bin beside PREFIX/share/vdeck, wherever PREFIX is. */
		static const char *const probes[] = { "%s", "%s/..", "%s/../share/vdeck" };
		for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++) {
			char base[PATH_MAX], probe[PATH_MAX + 32];
			snprintf(base, sizeof base, probes[i], exe);
			snprintf(probe, sizeof probe, "%s/lua/runbooks", base);
			if (is_dir(probe) && realpath(base, dir))
				return dir;
		}
	}
	snprintf(dir, sizeof dir, "%s", VD_DATADIR);
	return dir;
}

int path_mkdirs(const char *dir)
{
	char *copy = x_strdup(dir);
	int rc = 0;
	for (char *p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*p = saved;
			if (!saved)
				break;
		}
	}
	free(copy);
	return rc;
}
