/* paths.h — where vdeck finds and keeps its files: XDG directories, the
 * data directory (lua/, themes/) and "~" expansion. */
#ifndef VD_PATHS_H
#define VD_PATHS_H

/* Each returns a heap string the caller frees. */
char *path_expand_home(const char *path);            /* "~/x" → "$HOME/x" */
char *path_xdg(const char *kind, const char *leaf);  /* kind: "config" | "state" | "runtime" */
/* lua/ and themes/ live here: $VDECK_DATADIR, else beside the executable
 * (a build tree), else the installed share directory. */
const char *path_datadir(void);
/* mkdir -p with mode 0700 for every missing component of dir. */
int   path_mkdirs(const char *dir);

#endif
