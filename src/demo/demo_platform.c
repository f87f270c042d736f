/* demo_platform.c — the demo's tree, its inventory and its transport class.
 *
 * A demo host is read like a local host with a sysroot; what a real kernel
 * does between two reads (counters growing) the transport does at the
 * start of each poll, by rewriting the host's counter files for "now". */
#include "demo/demo_platform.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct demo {
	struct demo_spec       spec;
	char                  *dir;
	double                 started;   /* t = 0 of the counters */
	struct transport_class cls;       /* ctx: this demo */
};

/* One open transport to a demo host. */
struct demo_conn {
	const struct demo *demo;
	unsigned           index;
	struct transport  *local;         /* this machine, reading the host's tree */
};

static char *host_root(const struct demo *d, unsigned index)
{
	char name[32];
	demo_host_name(index, d->spec.hosts, name, sizeof name);
	return x_asprintf("%s/hosts/%s/root", d->dir, name);
}

static int conn_open(const struct transport_class *cls, const struct transport_params *p, void **state,
		     struct vd_err *err)
{
	const struct demo *d = cls->ctx;
	const char *host = p && p->host_name ? p->host_name : "";
	unsigned i;
	char name[32];
	for (i = 0; i < d->spec.hosts; i++)
		if (!strcmp(demo_host_name(i, d->spec.hosts, name, sizeof name), host))
			break;
	if (i == d->spec.hosts)
		return err_set(err, VD_EUNREACH, "\"%s\" is not a host of the demo cluster", host);
	char *root = host_root(d, i);
	struct transport_params lp = { .host_name = host, .sysroot = root };
	struct transport *local = transport_open(&transport_local, &lp, err);
	free(root);
	if (!local)
		return -1;
	struct demo_conn *c = x_calloc(1, sizeof *c);
	c->demo = d;
	c->index = i;
	c->local = local;
	*state = c;
	return 0;
}

static int conn_exec(void *state, const char *cmd, int timeout_ms, size_t max_bytes, struct strbuf *out,
		     struct strbuf *errout, int *exit_status, struct vd_err *err)
{
	struct demo_conn *c = state;
	return transport_exec(c->local, cmd, timeout_ms, max_bytes, out, errout, exit_status, err);
}

static int conn_poll(void *state, int fresh, int timeout_ms, size_t max_bytes, struct strbuf *out,
		     struct vd_err *err)
{
	struct demo_conn *c = state;
	const struct demo *d = c->demo;
	if (demo_tick(d->dir, c->index, &d->spec, now_mono_s() - d->started, err) < 0)
		return -1;
	return transport_poll(c->local, fresh, timeout_ms, max_bytes, out, err);
}

static void conn_close(void *state)
{
	struct demo_conn *c = state;
	transport_close(&c->local);
	free(c);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

struct demo *demo_new(const struct demo_spec *spec, struct vd_err *err)
{
	/* ~21,000 small files at 128x3000: a tmpfs makes that 30x faster than ext4. */
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char *dir = x_asprintf("%s/vdeck-demo-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		err_set(err, VD_EIO, "cannot create a demo directory %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	struct demo *d = x_calloc(1, sizeof *d);
	d->spec = *spec;
	d->dir = dir;
	d->cls = (struct transport_class){
		.ctx = d, .open = conn_open, .exec = conn_exec, .poll = conn_poll, .close = conn_close,
	};
	if (demo_generate(dir, spec, err) < 0) {
		demo_free(&d);
		return NULL;
	}
	d->started = now_mono_s();
	return d;
}

void demo_inventory(const struct demo *d, struct inventory *inv)
{
	memset(inv, 0, sizeof *inv);
	inv->interval_ms = 1000;
	for (unsigned i = 0; i < d->spec.hosts; i++) {
		char name[32];
		demo_host_name(i, d->spec.hosts, name, sizeof name);
		struct host_config *h = inventory_add(inv);
		h->name = x_strdup(name);
		h->libvirt_uri = x_asprintf("test://%s/hosts/%s.xml", d->dir, name);
		h->sysroot = host_root(d, i);
		h->transport = HT_LOCAL;
		h->tags = x_calloc(2, sizeof *h->tags);
		h->tags[h->ntags++] = x_asprintf("rack%u", i % 4);
		h->tags[h->ntags++] = x_strdup("demo");
		h->interval_ms = inv->interval_ms;
		h->source = x_strdup("--demo");
	}
}

const struct transport_class *demo_transport(const struct demo *d)
{
	return &d->cls;
}

void demo_remove_files(struct demo *d)
{
	if (d && !getenv("VDECK_KEEP_DEMO"))
		nftw(d->dir, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

void demo_free(struct demo **pd)
{
	struct demo *d = *pd;
	if (!d)
		return;
	demo_remove_files(d);
	free(d->dir);
	x_free(pd);
}
