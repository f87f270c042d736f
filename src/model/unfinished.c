/* unfinished.c — the list of unfinished operations and where their
 * domains stand now, looked up in the model (no host is asked). */
#include "model/unfinished.h"
#include "model/cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A host whose domain list is current: it answered libvirt and is not down. */
static int reachable(const struct host *h)
{
	return h->libvirt_polls > 0 && (h->state == HOST_UP || h->state == HOST_DEGRADED);
}

void unfinished_now(const struct cluster *c, const struct unfinished_op *u, struct unfinished_now *now)
{
	memset(now, 0, sizeof *now);
	now->host_state = "not in the inventory";
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host *h = &c->hosts[i];
		if (u->host && !strcmp(h->cfg->name, u->host)) {
			now->host_state = host_state_name(h->state);
			now->known = reachable(h);
		}
	}
	if (!u->domain)
		return;
	/* A name may exist on two hosts (a migration that left a defined copy
	 * behind): the running one is where the VM is. */
	int running = 0;
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host *h = &c->hosts[i];
		if (!reachable(h))
			continue;
		for (size_t j = 0; j < h->ndoms; j++) {
			const struct domain *d = &h->doms[j];
			if (strcmp(d->info.name, u->domain) || (now->dom_host && (running || d->state != DOM_RUNNING)))
				continue;
			now->dom_host = h->cfg->name;
			now->dom_state = dom_state_name(d->state);
			running = d->state == DOM_RUNNING;
			now->known = 1;
		}
	}
}

void unfinished_now_text(const struct unfinished_now *now, const struct unfinished_op *u, char *buf, size_t len)
{
	if (!u->domain)
		snprintf(buf, len, "host %s is %s", u->host ? u->host : "?", now->host_state);
	else if (now->dom_host)
		snprintf(buf, len, "%s on %s", now->dom_state, now->dom_host);
	else if (now->known)
		snprintf(buf, len, "not on any host that answered");
	else
		snprintf(buf, len, "unknown: host %s is %s", u->host ? u->host : "?", now->host_state);
}

void unfinished_list_free(struct unfinished_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct unfinished_op *u = &l->items[i];
		free(u->id);
		free(u->time);
		free(u->user);
		free(u->sudo_user);
		free(u->host);
		free(u->domain);
		free(u->operation);
		free(u->args_json);
	}
	free(l->items);
	free(l->path);
	free(l->error);
	memset(l, 0, sizeof *l);
}
