/* domain.c — domain names and lifetime helpers. */
#include "model/domain.h"

const char *dom_state_name(enum dom_state s)
{
	static const char *const names[] = {
		"nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended",
	};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

void domain_free(struct domain *d)
{
	dom_info_free(&d->info);
}
