/* demo.c — demo_generate() and demo_tick(): where the demo cluster's files
 * go. DIR/hosts/<name>.xml is the libvirt node file, DIR/hosts/<name>/root
 * the host tree. */
#include "demo/demo_priv.h"
#include "core/xalloc.h"

#include <stdio.h>

static void root_of(const char *dir, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/hosts/%s/root", dir, name);
}

int demo_generate(const char *dir, const struct demo_spec *spec, struct vd_err *err)
{
	if (!spec->hosts || spec->hosts > DEMO_MAX_HOSTS || spec->vms > DEMO_MAX_VMS)
		return err_set(err, VD_EINVAL, "demo: %u hosts, %u VMs is out of range",
			       spec->hosts, spec->vms);
	char path[4096];
	snprintf(path, sizeof path, "%s/hosts", dir);
	if (demo_mkdirs(path, err) < 0)
		return -1;
	struct strbuf sb;
	sb_init(&sb);
	int rc = -1;
	for (unsigned i = 0; i < spec->hosts; i++) {
		struct demo_host h;
		struct demo_vm *vms = NULL;
		demo_host_build(spec, i, &h, &vms);
		sb_reset(&sb);
		demo_xml_host(spec, &h, vms, &sb);
		snprintf(path, sizeof path, "%s/hosts/%s.xml", dir, h.name);
		int bad = demo_write(path, sb.buf, sb.len, false, err) < 0;
		root_of(dir, h.name, path, sizeof path);
		bad = bad || demo_mkdirs(path, err) < 0 || demo_tree_write(path, &h, vms, err) < 0 ||
		      demo_counters_write(path, spec, &h, 0, false, err) < 0;
		x_free(&vms);
		if (bad)
			goto out;
	}
	rc = 0;
out:
	sb_free(&sb);
	return rc;
}

int demo_tick(const char *dir, unsigned index, const struct demo_spec *spec, double t,
	      struct vd_err *err)
{
	if (index >= spec->hosts)
		return err_set(err, VD_EINVAL, "demo_tick: host %u of %u", index, spec->hosts);
	struct demo_host h;
	demo_host_build(spec, index, &h, NULL);
	char root[4096];
	root_of(dir, h.name, root, sizeof root);
	return demo_counters_write(root, spec, &h, t, true, err);
}
