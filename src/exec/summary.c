/* summary.c — the cluster summary and the --check table (hosts, then the
 * operations the audit trail shows unfinished).
 *
 * Kernel releases, versions and errors come from the hosts, the unfinished
 * operations from a file: the tables show them through sb_append_safe, the
 * JSON lines escaped and exact.  --check gives each source's age
 * (host_state.c), a "*" when it is stale. */
#include "core/timeutil.h"
#include "exec/summary.h"
#include "exec/switch_check.h"
#include "core/safe_text.h"
#include "core/strbuf.h"
#include "core/units.h"
#include "metrics/host_metrics.h"
#include "model/libvirt_route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s with its control characters made visible, in sb (reused per field). */
static const char *safe(struct strbuf *sb, const char *s)
{
	sb_reset(sb);
	sb_append_safe(sb, s, strlen(s), 0);
	return sb->buf;
}

static unsigned running(const struct host *h)
{
	unsigned n = 0;
	for (size_t i = 0; i < h->ndoms; i++)
		n += h->doms[i].state == DOM_RUNNING;
	return n;
}

void summary_print(FILE *out, const struct cluster *c)
{
	size_t up = 0, vms = 0, run = 0;
	struct strbuf name, note;
	sb_init(&name);
	sb_init(&note);
	fprintf(out, "%-12s %-10s %5s %8s %6s %6s  %s\n", "HOST", "STATE", "CPUS", "MEMORY", "VMS", "RUN", "NOTE");
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host *h = &c->hosts[i];
		char mem[16];
		up += h->state == HOST_UP;
		vms += h->ndoms;
		run += running(h);
		const char *why = h->libvirt_error ? h->libvirt_error : h->shell_error ? h->shell_error : "";
		fprintf(out, "%-12s %-10s %5u %8s %6zu %6u  %.60s\n", safe(&name, h->cfg->name),
			host_state_name(h->state), h->cpus, size_format(h->memory, mem, sizeof mem), h->ndoms,
			running(h), safe(&note, why));
	}
	fprintf(out, "%zu hosts (%zu up), %zu VMs (%zu running)\n", c->nhosts, up, vms, run);
	sb_free(&name);
	sb_free(&note);
}

/* The host's alerts as "N" and the worst one, for --check. */
static size_t alerts_of(const struct host *h, char *worst, size_t len)
{
	struct host_alert *a = NULL;
	size_t n = h->metrics ? host_metrics_alerts(h->metrics, &a) : 0, w = 0;
	for (size_t i = 1; i < n; i++)
		if (a[i].severity > a[w].severity)
			w = i;
	snprintf(worst, len, "%s", n ? a[w].message : "");
	free(a);
	return n;
}

static void json_str(struct strbuf *sb, const char *k, const char *v)
{
	sb_appendf(sb, "%s\"%s\":", sb->buf[sb->len - 1] != '{' ? "," : "", k);
	if (v)
		sb_append_json(sb, v);
	else
		sb_append(sb, "null");
}

/* The unfinished operations as one JSON line. */
static void unfinished_json(FILE *out, const struct cluster *c)
{
	const struct unfinished_list *l = &c->unfinished;
	struct strbuf sb;
	sb_init(&sb);
	sb_appendc(&sb, '{');
	json_str(&sb, "audit", l->path);
	json_str(&sb, "audit_error", l->error);
	sb_appendf(&sb, ",\"unfinished_dropped\":%zu,\"unfinished\":[", l->dropped);
	for (size_t i = 0; i < l->n; i++) {
		const struct unfinished_op *u = &l->items[i];
		struct unfinished_now now;
		char text[200];
		unfinished_now(c, u, &now);
		unfinished_now_text(&now, u, text, sizeof text);
		sb_append(&sb, i ? ",{" : "{");
		json_str(&sb, "id", u->id);
		json_str(&sb, "time", u->time);
		json_str(&sb, "user", u->user);
		json_str(&sb, "sudo_user", u->sudo_user);
		sb_appendf(&sb, ",\"pid\":%ld,\"running\":%s", u->pid, u->running ? "true" : "false");
		json_str(&sb, "host", u->host);
		json_str(&sb, "domain", u->domain);
		json_str(&sb, "operation", u->operation);
		/* checked to be one JSON object when it was read */
		sb_appendf(&sb, ",\"arguments\":%s,\"now\":{", u->args_json ? u->args_json : "{}");
		json_str(&sb, "host_state", now.host_state);
		json_str(&sb, "domain_host", now.dom_host);
		json_str(&sb, "domain_state", now.dom_state);
		json_str(&sb, "text", text);
		sb_append(&sb, "}}");
	}
	sb_append(&sb, "]}");
	fprintf(out, "%s\n", sb.buf);
	sb_free(&sb);
}

/* label, then v made harmless ("?" when absent). */
static void put(struct strbuf *sb, const char *label, const char *v)
{
	sb_append(sb, label);
	if (!v)
		v = "?";
	sb_append_safe(sb, v, strlen(v), 0);
}

/* One line per unfinished operation, after the host table. */
static void unfinished_text(FILE *out, const struct cluster *c)
{
	const struct unfinished_list *l = &c->unfinished;
	struct strbuf sb;
	sb_init(&sb);
	if (l->error) {
		put(&sb, "audit trail ", l->path);
		put(&sb, ": cannot read it: ", l->error);
		fprintf(out, "\n%s\n", sb.buf);
		sb_free(&sb);
		return;
	}
	if (!l->n)
		return;
	sb_appendf(&sb, "\n%zu operation%s started and never recorded as ended (", l->n + l->dropped,
		   l->n + l->dropped == 1 ? "" : "s");
	put(&sb, "", l->path);
	sb_append(&sb, "):\n");
	if (l->dropped)
		sb_appendf(&sb, "(the %zu oldest are not listed)\n", l->dropped);
	for (size_t i = 0; i < l->n; i++) {
		const struct unfinished_op *u = &l->items[i];
		struct unfinished_now now;
		char text[200];
		unfinished_now(c, u, &now);
		unfinished_now_text(&now, u, text, sizeof text);
		put(&sb, "UNFINISHED ", u->time);
		put(&sb, "  ", u->operation);
		put(&sb, " ", u->host);
		if (u->domain)
			put(&sb, "/", u->domain);
		put(&sb, " ", u->args_json);
		put(&sb, "  by ", u->user);
		if (u->sudo_user) {
			put(&sb, " (sudo from ", u->sudo_user);
			sb_appendc(&sb, ')');
		}
		put(&sb, "  id ", u->id);
		if (u->running)
			sb_appendf(&sb, "  (vdeck pid %ld still runs it)", u->pid);
		put(&sb, "  now: ", text);
		sb_appendc(&sb, '\n');
	}
	fputs(sb.buf, out);
	sb_free(&sb);
}

/* "12.3", "12.3*" when stale, "-" when the source never answered or the
 * host does not use it. */
static const char *age_cell(const struct cluster *c, const struct host *h, enum host_source s, double now,
			    char *buf, size_t len)
{
	double age = host_source_age(h, s, now);
	if (age < 0)
		return "-";
	snprintf(buf, len, "%.1f%s", age, host_source_stale(c, h, s, now) ? "*" : "");
	return buf;
}

/* ,"age":{"libvirt":0.412,"shell":14.035},"stale":["shell"] */
static void ages_json(struct strbuf *sb, const struct cluster *c, const struct host *h, double now)
{
	sb_append(sb, ",\"age\":{");
	const char *sep = "";
	for (int i = 0; i < HOST_NSRC; i++) {
		double age = host_source_age(h, (enum host_source)i, now);
		if (age >= 0) {
			sb_appendf(sb, "%s\"%s\":%.3f", sep, host_source_name((enum host_source)i), age);
			sep = ",";
		}
	}
	sb_append(sb, "},\"stale\":[");
	sep = "";
	for (int i = 0; i < HOST_NSRC; i++)
		if (host_source_stale(c, h, (enum host_source)i, now)) {
			sb_appendf(sb, "%s\"%s\"", sep, host_source_name((enum host_source)i));
			sep = ",";
		}
	sb_append(sb, "]");
}

int check_print(FILE *out, const struct cluster *c, int json)
{
	int down = 0;
	double now = now_mono_s();
	struct strbuf f[4];   /* name, libvirt version, kernel, error: as shown */
	for (int i = 0; i < 4; i++)
		sb_init(&f[i]);
	if (!json)
		fprintf(out, "%-12s %-10s %8s %-10s %-24s %6s %7s %7s %-6s %s\n", "HOST", "STATE", "RTT_MS", "LIBVIRT",
			"KERNEL", "ALERTS", "LV_AGE", "SH_AGE", "LV_VIA", "ERROR");
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host *h = &c->hosts[i];
		down |= h->state == HOST_DOWN;
		const char *error = h->libvirt_error ? h->libvirt_error : h->shell_error ? h->shell_error : "";
		const char *kernel = h->metrics && h->metrics->kernel[0] ? h->metrics->kernel : "";
		char worst[256];
		size_t nalerts = alerts_of(h, worst, sizeof worst);
		if (json) {
			struct strbuf sb;
			sb_init(&sb);
			sb_append(&sb, "{\"host\":");
			sb_append_json(&sb, h->cfg->name);
			sb_append(&sb, ",\"state\":");
			sb_append_json(&sb, host_state_name(h->state));
			sb_appendf(&sb, ",\"rtt_ms\":%.1f,\"libvirt\":", h->rtt_ms);
			sb_append_json(&sb, h->libvirt_version);
			sb_append(&sb, ",\"kernel\":");
			sb_append_json(&sb, kernel);
			sb_append(&sb, ",\"error\":");
			sb_append_json(&sb, error);
			sb_appendf(&sb, ",\"alerts\":%zu,\"alert\":", nalerts);
			sb_append_json(&sb, worst);
			ages_json(&sb, c, h, now);
			sb_append(&sb, ",\"libvirt_via\":");
			sb_append_json(&sb, libvirt_via_name(h->cfg->libvirt_via));
			sb_append(&sb, "}");
			fprintf(out, "%s\n", sb.buf);
			sb_free(&sb);
		} else {
			char lv[24], sh[24];
			fprintf(out, "%-12s %-10s %8.1f %-10s %-24s %6zu %7s %7s %-6s %.70s\n", safe(&f[0], h->cfg->name),
				host_state_name(h->state), h->rtt_ms,
				safe(&f[1], h->libvirt_version[0] ? h->libvirt_version : "-"),
				safe(&f[2], kernel[0] ? kernel : "-"), nalerts,
				age_cell(c, h, HOST_SRC_LIBVIRT, now, lv, sizeof lv),
				age_cell(c, h, HOST_SRC_SHELL, now, sh, sizeof sh), libvirt_via_name(h->cfg->libvirt_via),
				safe(&f[3], error[0] ? error : worst));
		}
	}
	for (int i = 0; i < 4; i++)
		sb_free(&f[i]);
	switch_check_print(out, c, json);
	if (json)
		unfinished_json(out, c);
	else
		unfinished_text(out, c);
	return down ? 3 : 0;
}
