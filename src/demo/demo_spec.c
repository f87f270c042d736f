/* demo_spec.c — "HOSTSxVMS[:skewed]" parsing and the host names of the demo cluster. */
#include "demo/demo.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_num(const char *s, const char **end, unsigned long *out)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *e;
	unsigned long v = strtoul(s, &e, 10);
	if (errno || e - s > 9)
		return -1;
	*out = v;
	*end = e;
	return 0;
}

int demo_parse_spec(const char *text, struct demo_spec *out, struct vd_err *err)
{
	out->hosts = DEMO_DEFAULT_HOSTS;
	out->vms = DEMO_DEFAULT_VMS;
	out->seed = 0;
	out->skewed = 0;
	if (!text || !*text)
		return 0;
	unsigned long hosts, vms;
	const char *p = text;
	if (parse_num(p, &p, &hosts) < 0 || (*p != 'x' && *p != 'X') ||
	    parse_num(p + 1, &p, &vms) < 0 || (*p != '\0' && strcmp(p, ":skewed")))
		return err_set(err, VD_EINVAL,
			       "demo size \"%s\": expected HOSTSxVMS[:skewed], e.g. 8x120 or 128x3000:skewed", text);
	out->skewed = *p != '\0';
	if (hosts < 1 || hosts > DEMO_MAX_HOSTS)
		return err_set(err, VD_EINVAL, "demo size \"%s\": hosts must be 1..%u, not %lu",
			       text, DEMO_MAX_HOSTS, hosts);
	if (vms > DEMO_MAX_VMS)
		return err_set(err, VD_EINVAL, "demo size \"%s\": VMs must be 0..%u, not %lu",
			       text, DEMO_MAX_VMS, vms);
	out->hosts = (unsigned)hosts;
	out->vms = (unsigned)vms;
	return 0;
}

const char *demo_host_name(unsigned index, unsigned hosts, char *buf, size_t len)
{
	snprintf(buf, len, hosts >= 100 ? "cna%03u" : "cna%02u", index + 1);
	return buf;
}
