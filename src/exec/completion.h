/* completion.h — shell completion for vdeck's command line.
 *
 * The command line is one table (struct cli_option, in main.c) that drives
 * getopt, and here the bash and zsh completion scripts.  What changes
 * without reinstalling vdeck — runbooks and their declared parameters,
 * the inventory's hosts, themes — is not baked into the scripts: they ask
 * the vdeck being completed at TAB time (`vdeck --complete KIND ...`,
 * completion_words), so a runbook dropped into ~/.config/vdeck/runbooks or
 * a host added to the inventory completes at once. */
#ifndef VD_COMPLETION_H
#define VD_COMPLETION_H

#include <stdio.h>

#include "core/err.h"
#include "model/inventory.h"

/* What an option's argument is, for completion. */
enum cli_arg {
	CA_NONE,      /* the option takes no argument */
	CA_TEXT,      /* free text: nothing to complete */
	CA_FILE,
	CA_DIR,
	CA_EXEC,      /* a runbook name, or a script path */
	CA_HOSTS,     /* host names and tags (globs) */
	CA_THEME,
	CA_SHELL,     /* bash | zsh */
};

struct cli_option {
	const char  *name;      /* long name; NULL for a short-only option */
	int          val;       /* the short letter, or a code >= 256 */
	int          has_arg;   /* getopt's no_argument, required_argument, optional_argument */
	enum cli_arg arg;
	const char  *help;      /* one line; NULL: hidden from completion */
	int          inventory; /* chooses the inventory: passed on to --complete */
};

/* The completion script for shell ("bash" or "zsh") built from opts. */
int completion_script(FILE *out, const char *shell, const struct cli_option *opts, size_t n,
		      struct vd_err *err);

/* `vdeck --complete KIND [ARG...]`: one candidate per line.
 *   runbooks                 runbook names
 *   params RUNBOOK           its declared parameters, as "name="
 *   values RUNBOOK PARAM     the values of an enum, boolean or host parameter
 *   hosts                    the inventory's host names
 *   host-patterns            host names and tags (for --hosts)
 *   themes                   theme names
 * inv may be NULL (no inventory could be read: no hosts). */
int completion_words(FILE *out, int argc, char **argv, const struct inventory *inv, struct vd_err *err);

#endif
