/* lock.h — one cron run at a time per script: an flock on a lock file
 * derived from the script's absolute path. */
#ifndef VD_LOCK_H
#define VD_LOCK_H

#include "core/err.h"

/* Returns the held fd (keep it open for the run), or -1 with VD_ELOCKED
 * when another run holds it, or another code on I/O errors. */
int run_lock_take(const char *script, struct vd_err *err);

#endif
