/* inventory.c — storage and matching of declared hosts. */
#include "model/inventory.h"
#include "core/xalloc.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

struct host_config *inventory_add(struct inventory *inv)
{
	x_grow(&inv->hosts, &inv->cap, inv->nhosts + 1, sizeof *inv->hosts);
	struct host_config *h = &inv->hosts[inv->nhosts++];
	memset(h, 0, sizeof *h);
	return h;
}

const struct host_config *inventory_find(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->nhosts; i++)
		if (!strcmp(inv->hosts[i].name, name))
			return &inv->hosts[i];
	return NULL;
}

void host_config_copy(struct host_config *dst, const struct host_config *src)
{
	*dst = *src;
	dst->name = x_strdup(src->name);
	dst->address = x_strdup(src->address);
	dst->libvirt_uri = x_strdup(src->libvirt_uri);
	dst->sysroot = x_strdup(src->sysroot);
	dst->tags = src->ntags ? x_calloc(src->ntags, sizeof *dst->tags) : NULL;
	for (size_t i = 0; i < src->ntags; i++)
		dst->tags[i] = x_strdup(src->tags[i]);
	dst->ssh.user = x_strdup(src->ssh.user);
	dst->ssh.identity = x_strdup(src->ssh.identity);
	dst->ssh.known_hosts = x_strdup(src->ssh.known_hosts);
	dst->source = x_strdup(src->source);
	dst->libvirt_socket = x_strdup(src->libvirt_socket);
	metrics_settings_copy(&dst->metrics, &src->metrics);
}

void metrics_settings_copy(struct metrics_settings *dst, const struct metrics_settings *src)
{
	*dst = *src;
	dst->url = x_strdup(src->url);
	dst->match = src->nmatch ? x_calloc(src->nmatch, sizeof *dst->match) : NULL;
	for (size_t i = 0; i < src->nmatch; i++) {
		dst->match[i].name = x_strdup(src->match[i].name);
		dst->match[i].value = x_strdup(src->match[i].value);
	}
	dst->libvirt_match = src->nlibvirt_match ? x_calloc(src->nlibvirt_match, sizeof *dst->libvirt_match) : NULL;
	for (size_t i = 0; i < src->nlibvirt_match; i++) {
		dst->libvirt_match[i].name = x_strdup(src->libvirt_match[i].name);
		dst->libvirt_match[i].value = x_strdup(src->libvirt_match[i].value);
	}
	dst->bearer_token_file = x_strdup(src->bearer_token_file);
	dst->username = x_strdup(src->username);
	dst->password_file = x_strdup(src->password_file);
	dst->ca_file = x_strdup(src->ca_file);
}

void metrics_settings_free(struct metrics_settings *m)
{
	free(m->url);
	for (size_t i = 0; i < m->nmatch; i++) {
		free(m->match[i].name);
		free(m->match[i].value);
	}
	free(m->match);
	for (size_t i = 0; i < m->nlibvirt_match; i++) {
		free(m->libvirt_match[i].name);
		free(m->libvirt_match[i].value);
	}
	free(m->libvirt_match);
	free(m->bearer_token_file);
	free(m->username);
	free(m->password_file);
	free(m->ca_file);
	memset(m, 0, sizeof *m);
}

void host_config_free(struct host_config *h)
{
	free(h->name);
	free(h->address);
	free(h->libvirt_uri);
	free(h->sysroot);
	for (size_t i = 0; i < h->ntags; i++)
		free(h->tags[i]);
	free(h->tags);
	free(h->ssh.user);
	free(h->ssh.identity);
	free(h->ssh.known_hosts);
	free(h->source);
	free(h->libvirt_socket);
	metrics_settings_free(&h->metrics);
}

void inventory_free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->nhosts; i++)
		host_config_free(&inv->hosts[i]);
	free(inv->hosts);
	free(inv->path);
	free(inv->theme);
	free(inv->audit_syslog_socket);
	for (size_t i = 0; i < inv->nkeys; i++) {
		free(inv->keys[i].action);
		free(inv->keys[i].key);
	}
	free(inv->keys);
	for (size_t i = 0; i < inv->nswitches; i++)
		switch_config_free(&inv->switches[i]);
	free(inv->switches);
	for (size_t i = 0; i < inv->nrules; i++)
		placement_rule_free(&inv->rules[i]);
	free(inv->rules);
	memset(inv, 0, sizeof *inv);
}

const struct switch_config *inventory_switch(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; name && i < inv->nswitches; i++)
		if (!strcmp(inv->switches[i].name, name))
			return &inv->switches[i];
	return NULL;
}

int switch_selects(const struct switch_config *sw, const struct host_config *h)
{
	if (sw->host_tag)
		return host_has_tag(h, sw->host_tag);
	for (size_t i = 0; i < sw->nhosts; i++)
		if (!strcmp(sw->hosts[i], h->name))
			return 1;
	return 0;
}

void switch_config_free(struct switch_config *sw)
{
	free(sw->name);
	free(sw->source);
	for (size_t i = 0; i < sw->nhosts; i++)
		free(sw->hosts[i]);
	free(sw->hosts);
	free(sw->host_tag);
	free(sw->uplink);
	free(sw->backend);
	net_def_free(&sw->net);
	memset(sw, 0, sizeof *sw);
}

void placement_rule_free(struct placement_rule *r)
{
	for (size_t i = 0; i < r->nvms; i++)
		free(r->vms[i]);
	free(r->vms);
	free(r->hosts);
	free(r->source);
	memset(r, 0, sizeof *r);
}

const char *rule_kind_name(enum rule_kind k)
{
	switch (k) {
	case RULE_KEEP_APART: return "keep_apart";
	case RULE_KEEP_TOGETHER: return "keep_together";
	case RULE_PIN_TO: return "pin_to";
	}
	return "?";
}

const char *transport_name(enum host_transport t)
{
	switch (t) {
	case HT_SSH: return "ssh";
	case HT_LOCAL: return "local";
	case HT_NONE: return "none";
	}
	return "?";
}

int host_has_tag(const struct host_config *h, const char *tag)
{
	for (size_t i = 0; i < h->ntags; i++)
		if (!strcmp(h->tags[i], tag))
			return 1;
	return 0;
}

static int match_one(const struct host_config *h, const char *pat)
{
	if (!fnmatch(pat, h->name, 0))
		return 1;
	for (size_t i = 0; i < h->ntags; i++)
		if (!fnmatch(pat, h->tags[i], 0))
			return 1;
	return 0;
}

int host_matches(const struct host_config *h, const char *patterns)
{
	if (!patterns || !*patterns)
		return 1;
	char *copy = x_strdup(patterns), *save = NULL;
	int hit = 0;
	for (char *p = strtok_r(copy, ",", &save); p && !hit; p = strtok_r(NULL, ",", &save))
		hit = match_one(h, p);
	free(copy);
	return hit;
}

size_t inventory_filter(struct inventory *inv, const char *patterns)
{
	size_t keep = 0;
	for (size_t i = 0; i < inv->nhosts; i++) {
		if (host_matches(&inv->hosts[i], patterns))
			inv->hosts[keep++] = inv->hosts[i];
		else
			host_config_free(&inv->hosts[i]);
	}
	inv->nhosts = keep;
	return keep;
}
