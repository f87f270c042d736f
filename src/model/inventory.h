/* inventory.h — the cluster as the operator declared it.
 *
 * Filled by the Lua inventory loader (lua/inventory_load.c), by main.c
 * (the local host alone), or by a platform that simulates hosts; read by
 * everything else.  Plain data, no behaviour. */
#ifndef VD_INVENTORY_H
#define VD_INVENTORY_H

#include <stddef.h>

#include "metrics/netxml.h"
#include "metrics/prom.h"

enum host_transport { HT_SSH, HT_LOCAL, HT_NONE };

/* How libvirt reaches the host (model/libvirt_route.h): the URI as written,
 * or through vdeck's own SSH session.  AUTO only while loading. */
enum libvirt_via { LV_VIA_URI, LV_VIA_TUNNEL, LV_VIA_AUTO };
/* Who makes a poll's statistics call where libvirt goes through the
 * tunnel: vdeck itself on a channel of the session (conn/virt_rpc.c), or
 * libvirt's client.  AUTO: vdeck, where the daemon's domains are the same
 * for every connection (model/libvirt_route.h). */
enum libvirt_stats { LV_STATS_AUTO, LV_STATS_VDECK, LV_STATS_LIBVIRT };

struct ssh_settings {
	char *user;
	int   port;
	char *identity;
	char *known_hosts;
};

/* Where a host's metrics come from: its own files over its shell
 * transport, or a Prometheus server that scrapes its node_exporter. */
enum metrics_source { MS_SHELL, MS_PROMETHEUS };

/* metrics = { source = "prometheus", url =, match = {..}, ... } */
struct metrics_settings {
	enum metrics_source source;
	char  *url;                /* Prometheus base URL, e.g. http://prom:9090 */
	struct prom_label *match; /* name = "value" matchers selecting this host's series; sorted by name */
	size_t nmatch;
	char  *bearer_token_file;  /* Authorization: Bearer <file's first line> */
	char  *username;           /* basic auth, with password_file */
	char  *password_file;
	char  *ca_file;            /* PEM bundle to verify the server with */
	int    insecure;           /* 1: do not verify the server's certificate */
	int    match_declared;     /* while loading: the declaration had its own match */
	struct prom_label *libvirt_match; /* the host's libvirt exporter series; none: no per-VM figures */
	size_t nlibvirt_match;
};

struct host_config {
	char  *name;
	char  *address;
	char  *libvirt_uri;
	char  *sysroot;         /* prefix for /proc and /sys; NULL = "/" */
	enum host_transport transport;
	char **tags;
	size_t ntags;
	struct ssh_settings ssh;
	int    interval_ms;
	char  *source;          /* "FILE:LINE" where declared, for messages */
	enum libvirt_via libvirt_via;
	enum libvirt_stats libvirt_stats;
	char  *libvirt_socket;  /* the host's daemon socket for the tunnel; NULL: from the URI */
	struct metrics_settings metrics;
};

/* A TUI key remapping declared in the inventory: action = "key". */
struct key_pair {
	char *action;
	char *key;
};

/* switch { ... }: one libvirt network defined alike on many hosts
 * (lua/inventory_switch.c).  net is the network every selected host
 * should have, named after the switch; its uuid stays empty. */
struct switch_config {
	char  *name;
	char  *source;          /* "FILE:LINE" where declared */
	char **hosts;           /* hosts = { "h1", ... }: these names */
	size_t nhosts;
	char  *host_tag;        /* hosts = { tag = "x" }: the hosts with this tag */
	char  *uplink;          /* the host bridge the network forwards to */
	char  *backend;         /* "ovs" | "bridge" */
	struct net_def net;
};

/* A placement rule (inventory `rule { ... }` or a planner's rules = {}):
 * VM names are globs; pin_to's hosts are --hosts style patterns (names,
 * globs, tags). */
enum rule_kind { RULE_KEEP_APART, RULE_KEEP_TOGETHER, RULE_PIN_TO };

struct placement_rule {
	enum rule_kind kind;
	char **vms;
	size_t nvms;
	char  *hosts;           /* pin_to only: comma-separated patterns */
	char  *source;          /* "FILE:LINE" where declared, NULL for a call's rule */
};

struct inventory {
	struct host_config *hosts;
	size_t nhosts, cap;
	char  *path;            /* file it came from; NULL when not read from a file */
	char  *theme;
	struct key_pair *keys;  /* defaults { keys = { quit = "x" } } */
	size_t nkeys;
	int    interval_ms;     /* default poll interval */
	int    connect_timeout_ms;
	int    audit_syslog;          /* defaults { audit = { syslog = true } } */
	char  *audit_syslog_socket;   /* NULL: /dev/log */
	struct placement_rule *rules;
	size_t nrules;
	struct switch_config *switches;
	size_t nswitches;
};

struct host_config *inventory_add(struct inventory *inv);
const struct host_config *inventory_find(const struct inventory *inv, const char *name);
void inventory_free(struct inventory *inv);
/* A deep copy, for a reader that may outlive the inventory; free the
 * copy's contents with host_config_free (h itself is not freed). */
void host_config_copy(struct host_config *dst, const struct host_config *src);
void host_config_free(struct host_config *h);
void placement_rule_free(struct placement_rule *r);
const char *rule_kind_name(enum rule_kind k);
void metrics_settings_copy(struct metrics_settings *dst, const struct metrics_settings *src);
void metrics_settings_free(struct metrics_settings *m);
const char *transport_name(enum host_transport t);
int  host_has_tag(const struct host_config *h, const char *tag);
const struct switch_config *inventory_switch(const struct inventory *inv, const char *name);
/* 1 when the switch is to be defined on host h. */
int  switch_selects(const struct switch_config *sw, const struct host_config *h);
void switch_config_free(struct switch_config *sw);
/* --hosts: comma-separated globs matched against names and tags. */
int  host_matches(const struct host_config *h, const char *patterns);
/* Drops hosts that do not match; returns how many remain. */
size_t inventory_filter(struct inventory *inv, const char *patterns);

#endif
