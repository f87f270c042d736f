/* runbook_info.h — runbook metadata (name, description, declared params)
 * for the TUI's Runbooks view, read without a fleet: each file is loaded
 * in a private Lua state where vdeck.runbook{} just returns its table. */
#ifndef VD_RUNBOOK_INFO_H
#define VD_RUNBOOK_INFO_H

#include <stddef.h>

#include "core/err.h"

struct runbook_param {
	char *name, *type, *description;
	char *def;             /* default as text, NULL when none */
	char **values;         /* enum values, NULL-terminated; NULL otherwise */
	char *min, *max;       /* bounds as text, NULL when none */
	int   required;
};

struct runbook_info {
	char *name, *description, *path;
	char *error;           /* set when the file failed to load */
	int   mutating;        /* declared `readonly = true` → 0; default 1 */
	struct runbook_param *params;
	size_t nparams;
};

/* Every *.lua in the runbook search path (user dir, then data dir); a name
 * found twice keeps the first.  Sorted by name. */
size_t runbook_info_list(struct runbook_info **out);
void runbook_info_free(struct runbook_info *rb, size_t n);
/* Whether text is a valid value of the param (type, enum values, bounds;
 * the same parser as `--exec NAME k=v`), naming the param when not.
 * Hosts and domains are looked up only when the runbook starts. */
int  runbook_param_check(const struct runbook_param *rp, const char *text, struct vd_err *err);

#endif
