/* interrupts.c — /proc/interrupts into per-interrupt totals, and the
 * rule that ties an interrupt's name to a NIC (see interrupts.h). */
#include "metrics/interrupts.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The action names start after the controller columns: the text after the
 * last run of two or more blanks (the kernel pads the chip and hwirq
 * columns).  A shared line lists "a, b": the first is kept. */
static void action_name(char *rest, char *out, size_t len)
{
	text_rtrim(rest);
	char *name = rest, *p = rest;
	while ((p = strstr(p, "  "))) {
		while (*p == ' ')
			p++;
		if (*p)
			name = p;
	}
	/* a single-blank line ("PCI-MSI 524289-edge ens1f0-TxRx-0"): its last word */
	if (name == rest) {
		char *sp = strrchr(rest, ' ');
		name = sp ? sp + 1 : rest;
	}
	size_t n = strcspn(name, ",");
	snprintf(out, len, "%.*s", (int)(n < len - 1 ? n : len - 1), name);
	text_rtrim(out);
}

int interrupts_parse(const char *buf, size_t len, struct irq_list *out, struct vd_err *err)
{
	memset(out, 0, sizeof *out);
	char *text = text_dup(buf, len), *cur = text, *line;
	size_t cap = 0;
	int header = 0;
	while ((line = text_next_line(&cur))) {
		char *p = text_skip_ws(line);
		if (text_prefix(p, "CPU")) {
			header = 1;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			continue;   /* NMI, LOC, ERR, MIS ... */
		uint64_t irq;
		if (text_u64(&p, &irq) < 0 || *p != ':' || irq > 0xffffffu)
			continue;
		p++;
		uint64_t sum = 0, v;
		int cpus = 0;
		for (;;) {
			char *q = text_skip_ws(p);
			if (!isdigit((unsigned char)*q) || text_u64(&q, &v) < 0 || (*q && *q != ' ' && *q != '\t'))
				break;
			sum = sum + v < sum ? UINT64_MAX : sum + v;
			cpus++;
			p = q;
		}
		if (!cpus || out->n >= IRQ_MAX_LINES)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->lines = x_realloc(out->lines, cap * sizeof *out->lines);
		}
		struct irq_line *l = &out->lines[out->n++];
		l->irq = (unsigned)irq;
		l->count = sum;
		action_name(p, l->name, sizeof l->name);
	}
	x_free(&text);
	if (!header && !out->n)
		return err_set(err, VD_EINVAL, "not /proc/interrupts");
	return 0;
}

void irq_list_free(struct irq_list *l)
{
	free(l->lines);
	memset(l, 0, sizeof *l);
}

/* name has word at its start or after a '-', followed by '-' or its end. */
static int has_word(const char *name, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = name; (p = strstr(p, word)); p++) {
		int starts = p == name || p[-1] == '-';
		int ends = p[n] == '-' || p[n] == '\0';
		if (starts && ends)
			return 1;
	}
	return 0;
}

int interrupts_nic_match(const char *name, const char *nic, const char *device)
{
	if (!name[0] || !nic[0])
		return 0;
	if (has_word(name, nic))
		return 1;
	if (!device || !device[0])
		return 0;
	size_t dl = strlen(device);
	/* virtio0-input.0 / virtio0-output.0 (not virtio0-config) */
	if (!strncmp(device, "virtio", 6) && !strncmp(name, device, dl) && name[dl] == '-')
		return !strncmp(name + dl + 1, "input", 5) || !strncmp(name + dl + 1, "output", 6) ||
		       !strncmp(name + dl + 1, "virtqueues", 10);
	/* mlx5_comp3@pci:0000:3b:00.0 */
	const char *at = strstr(name, "@pci:");
	return at && !strcmp(at + 5, device);
}

void interrupts_queue_label(const char *name, const char *nic, const char *device, char *out, size_t len)
{
	size_t dl = device ? strlen(device) : 0;
	const char *at = strstr(name, "@pci:");
	if (dl && !strncmp(device, "virtio", 6) && !strncmp(name, device, dl) && name[dl] == '-') {
		snprintf(out, len, "%s", name + dl + 1);   /* virtio0-input.0 */
		return;
	}
	if (at) {   /* mlx5_comp3@pci:0000:3b:00.0 */
		const char *us = memchr(name, '_', (size_t)(at - name));
		const char *from = us ? us + 1 : name;
		snprintf(out, len, "%.*s", (int)(at - from), from);
		return;
	}
	size_t n = strlen(nic);
	for (const char *p = name; nic[0] && (p = strstr(p, nic)); p++) {
		if (p != name && p[-1] != '-')
			continue;
		if (p[n] == '\0') {
			snprintf(out, len, "misc");
			return;
		}
		if (p[n] == '-') {   /* i40e-ens1f0-TxRx-3 */
			snprintf(out, len, "%s", p + n + 1);
			return;
		}
	}
	snprintf(out, len, "%s", name);
}
