/* switch_check.c — --check's table of switches: converged, missing,
 * drifted (which fields) or unknown, per host (model/switch_state.h).
 * Names and reasons may quote a host: shown through sb_append_safe. */
#include "exec/switch_check.h"
#include "core/safe_text.h"
#include "core/strbuf.h"
#include "model/switch_state.h"

#include <stdlib.h>
#include <string.h>

static void safe_put(struct strbuf *sb, const char *s)
{
	sb_append_safe(sb, s, strlen(s), 0);
}

void switch_check_print(FILE *out, const struct cluster *c, int json)
{
	const struct inventory *inv = c->inv;
	if (!inv || !inv->nswitches)
		return;
	struct strbuf sb;
	sb_init(&sb);
	if (!json)
		sb_appendf(&sb, "\n%-12s %-12s %-10s %-24s %s\n", "SWITCH", "HOST", "STATE", "DRIFT", "WHY");
	for (size_t i = 0; i < inv->nswitches; i++) {
		const struct switch_config *sw = &inv->switches[i];
		struct switch_host_status *st;
		size_t n = switch_status(c, sw, &st);
		if (json) {
			sb_append(&sb, "{\"switch\":");
			sb_append_json(&sb, sw->name);
			sb_append(&sb, ",\"hosts\":[");
		}
		for (size_t k = 0; k < n; k++) {
			char fields[128];
			switch_fields_text(st[k].fields, fields, sizeof fields);
			const char *host = c->hosts[st[k].host].cfg->name;
			if (json) {
				sb_append(&sb, k ? ",{\"host\":" : "{\"host\":");
				sb_append_json(&sb, host);
				sb_append(&sb, ",\"state\":");
				sb_append_json(&sb, switch_state_name(st[k].state));
				sb_append(&sb, ",\"fields\":[");
				for (unsigned bit = 1, any = 0; bit <= NETD_AUTOSTART; bit <<= 1)
					if (st[k].fields & bit) {
						sb_append(&sb, any++ ? "," : "");
						sb_append_json(&sb, net_drift_name(bit));
					}
				sb_append(&sb, "],\"why\":");
				sb_append_json(&sb, st[k].why);
				sb_append(&sb, "}");
				continue;
			}
			struct strbuf a, b;
			sb_init(&a);
			sb_init(&b);
			safe_put(&a, sw->name);
			safe_put(&b, host);
			sb_appendf(&sb, "%-12s %-12s %-10s %-24s ", a.buf, b.buf, switch_state_name(st[k].state),
				   fields[0] ? fields : "-");
			sb_free(&a);
			sb_free(&b);
			if (st[k].state != SWS_CONVERGED)
				safe_put(&sb, st[k].why);
			sb_appendc(&sb, '\n');
		}
		if (json)
			sb_append(&sb, "]}\n");
		free(st);
	}
	fputs(sb.buf, out);
	sb_free(&sb);
}
