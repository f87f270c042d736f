/* lun.c — LUN discovery records and SAN pool volumes into struct lun_list
 * (text and libxml2 only, no I/O). */
#include "metrics/xmlnode.h"
#include "metrics/lun.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/domxml.h"
#include "metrics/text.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lun_wwn_normalise(const char *s, char *out, size_t len)
{
	out[0] = '\0';
	if (!s || len < 2)
		return;
	if (!strncmp(s, "0x", 2) || !strncmp(s, "naa.", 4) || !strncmp(s, "eui.", 4))
		s += s[1] == 'x' ? 2 : 4;
	size_t n = 0;
	while (isxdigit((unsigned char)s[n]))
		n++;
	if (n == 0 || s[n])
		return;
	/* scsi_id's page-83 form puts the NAA designator type (3) first */
	if (s[0] == '3' && (n == 17 || n == 33))
		s++, n--;
	if (n >= len)
		return;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
}

static struct lun *by_dev(struct lun_list *l, const char *dev)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].dev, dev))
			return &l->v[i];
	return NULL;
}

static struct lun *add(struct lun_list *l)
{
	x_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
	struct lun *u = &l->v[l->n++];
	memset(u, 0, sizeof *u);
	u->lun = -1;
	return u;
}

static struct lun *dev_get(struct lun_list *l, const char *dev)
{
	struct lun *u = by_dev(l, dev);
	if (!u) {
		u = add(l);
		text_copy(u->dev, sizeof u->dev, dev);
		u->lun = -2;   /* not named by a link yet (see lun_list_finish) */
	}
	return u;
}

static int valid_dev(const char *d)
{
	if (!*d || strlen(d) >= 32)
		return 0;
	for (; *d; d++)
		if (!isalnum((unsigned char)*d) && *d != '-' && *d != '_' && *d != ':')
			return 0;
	return 1;
}

/* Parses an iSCSI or FC by-path name into u; 0 when it is one. */
static int by_path_name(const char *name, struct lun *u)
{
	const char *lunp = strstr(name, "-lun-");
	if (!lunp || strstr(lunp, "-part"))
		return -1;
	const char *last;
	while ((last = strstr(lunp + 1, "-lun-")))
		lunp = last;
	char *end;
	long n = strtol(lunp + 5, &end, 10);
	if (end == lunp + 5 || *end || n < 0 || n > 65535)
		return -1;
	const char *is = strstr(name, "-iscsi-");
	if (is && is < lunp && !strncmp(name, "ip-", 3)) {
		size_t plen = (size_t)(is - (name + 3)), qlen = (size_t)(lunp - (is + 7));
		if (plen >= sizeof u->portal || qlen >= sizeof u->iqn || !qlen)
			return -1;
		memcpy(u->portal, name + 3, plen);
		u->portal[plen] = '\0';
		memcpy(u->iqn, is + 7, qlen);
		u->iqn[qlen] = '\0';
		text_copy(u->transport, sizeof u->transport, "iscsi");
	} else if (strstr(name, "-fc-") && strstr(name, "-fc-") < lunp) {
		text_copy(u->transport, sizeof u->transport, "fc");
	} else {
		return -1;
	}
	u->lun = (int)n;
	return 0;
}

int lun_parse_links(struct lun_list *l, const char *data, size_t n, struct vd_err *err)
{
	char *buf = text_dup(data, n), *cur = buf, *line;
	int bad = 0;
	while ((line = text_next_line(&cur))) {
		line = text_skip_ws(line);
		if (!*line)
			continue;
		char *sp = strchr(line, ' ');
		if (!sp) {
			bad++;
			continue;
		}
		*sp = '\0';
		char *target = text_rtrim(text_skip_ws(sp + 1));
		const char *dev = strrchr(target, '/');
		dev = dev ? dev + 1 : target;
		const char *base = strrchr(line, '/');
		base = base ? base + 1 : line;
		if (!valid_dev(dev) || strstr(base, "-part") || strlen(line) >= sizeof l->v[0].path) {
			bad += !valid_dev(dev);
			continue;
		}
		struct lun tmp;
		memset(&tmp, 0, sizeof tmp);
		if (text_prefix(line, "/dev/disk/by-path/") && by_path_name(base, &tmp) == 0) {
			struct lun *u = dev_get(l, dev);
			text_copy(u->path, sizeof u->path, line);
			text_copy(u->transport, sizeof u->transport, tmp.transport);
			text_copy(u->portal, sizeof u->portal, tmp.portal);
			text_copy(u->iqn, sizeof u->iqn, tmp.iqn);
			u->lun = tmp.lun;
		} else if (text_prefix(line, "/dev/disk/by-id/wwn-") && !strchr(line + 16, '/')) {
			/* the link's own name, not a deeper path that merely starts so */
			char w[80];
			lun_wwn_normalise(line + 20, w, sizeof w);
			if (!w[0] || strlen(line) >= sizeof tmp.by_id)
				continue;
			struct lun *u = dev_get(l, dev);
			text_copy(u->by_id, sizeof u->by_id, line);
			text_copy(u->wwn, sizeof u->wwn, w);
			if (u->lun == -2)
				u->lun = -1;
		}
	}
	x_free(&buf);
	return bad ? err_set(err, VD_EINVAL, "%d malformed LUN link line(s)", bad) : 0;
}

int lun_sysfs_file(struct lun_list *l, const char *rel, const char *data, size_t n, struct vd_err *err)
{
	char dev[32];
	const char *slash = strchr(rel, '/');
	if (!slash || (size_t)(slash - rel) >= sizeof dev)
		return 0;
	memcpy(dev, rel, (size_t)(slash - rel));
	dev[slash - rel] = '\0';
	if (!valid_dev(dev))
		return 0;
	const char *file = slash + 1;
	char *v = text_dup(data, n);
	v[strcspn(v, "\n")] = '\0';
	text_rtrim(v);
	char *val = text_skip_ws(v);
	int rc = 0;
	struct lun *u = dev_get(l, dev);
	if (!strcmp(file, "size")) {
		uint64_t s;
		if (text_u64_full(val, &s) == 0)
			u->size = text_mul_sat(s, 512);
		else
			rc = err_set(err, VD_EINVAL, "bad block size '%.20s'", val);
	} else if (!strcmp(file, "device/vendor")) {
		text_copy(u->vendor, sizeof u->vendor, val);
	} else if (!strcmp(file, "device/model")) {
		text_copy(u->model, sizeof u->model, val);
	} else if (!strcmp(file, "device/wwid")) {
		char w[80];
		lun_wwn_normalise(val, w, sizeof w);
		if (w[0] && !u->wwn[0])
			text_copy(u->wwn, sizeof u->wwn, w);
	}
	x_free(&v);
	return rc;
}

/* A listing order that does not depend on the order records arrived in:
 * LUNs a by-path link names (SAN) first, then by-id only, each by path. */
static int lun_order(const void *a, const void *b)
{
	const struct lun *x = a, *y = b;
	int xs = !text_prefix(x->path, "/dev/disk/by-path/"), ys = !text_prefix(y->path, "/dev/disk/by-path/");
	return xs != ys ? xs - ys : strcmp(x->path, y->path);
}

void lun_list_finish(struct lun_list *l)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct lun *u = &l->v[i];
		if (!u->path[0] && !u->by_id[0] && !u->pool[0])
			continue;   /* a block device no LUN link named */
		if (u->lun == -2)
			u->lun = -1;
		if (!u->path[0])
			text_copy(u->path, sizeof u->path, u->by_id);
		if (!u->transport[0])
			text_copy(u->transport, sizeof u->transport, "scsi");
		l->v[k++] = *u;
	}
	l->n = k;
	if (k > 1)
		qsort(l->v, k, sizeof *l->v, lun_order);
}

/* ---- libvirt pools -------------------------------------------------- */

static xmlDoc *parse(const char *xml, size_t len)
{
	if (!xml || len > 16u << 20)
		return NULL;
	return xmlReadMemory(xml, (int)len, "pool.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static const char *const san_types[] = { "iscsi", "iscsi-direct", "scsi", "mpath", NULL };

static int san_type(const char *t)
{
	for (size_t i = 0; san_types[i]; i++)
		if (!strcmp(t, san_types[i]))
			return 1;
	return 0;
}

int lun_pool_is_san(const char *pool_xml, size_t len)
{
	xmlDoc *doc = parse(pool_xml, len);
	if (!doc)
		return 0;
	char type[32];
	const xmlNode *root = xmlDocGetRootElement(doc);
	xml_attr(xml_is(root, "pool") ? root : NULL, "type", type, sizeof type);
	xmlFreeDoc(doc);
	return san_type(type);
}

int lun_pool_volume_add(struct lun_list *l, const char *pool_xml, size_t plen,
			const char *vol_xml, size_t vlen, struct vd_err *err)
{
	xmlDoc *pd = parse(pool_xml, plen), *vd = parse(vol_xml, vlen);
	int rc = 0;
	const xmlNode *p = pd ? xmlDocGetRootElement(pd) : NULL, *v = vd ? xmlDocGetRootElement(vd) : NULL;
	char type[32];
	xml_attr(xml_is(p, "pool") ? p : NULL, "type", type, sizeof type);
	if (!xml_is(p, "pool") || !xml_is(v, "volume")) {
		rc = err_set(err, VD_EINVAL, "pool or volume XML does not parse");
		goto out;
	}
	if (!san_type(type))
		goto out;
	struct lun *u = add(l);
	text_copy(u->transport, sizeof u->transport, type);
	xml_text(xml_child(p, "name"), u->pool, sizeof u->pool);
	xml_text(xml_child(v, "name"), u->volume, sizeof u->volume);
	xml_text(xml_child(xml_child(v, "target"), "path"), u->path, sizeof u->path);
	char key[128], cap[32], unit[16];
	xml_text(xml_child(v, "key"), key, sizeof key);
	lun_wwn_normalise(key, u->wwn, sizeof u->wwn);
	xml_text(xml_child(v, "capacity"), cap, sizeof cap);
	xml_attr(xml_child(v, "capacity"), "unit", unit, sizeof unit);
	uint64_t c;
	if (text_u64_full(cap, &c) == 0)
		u->size = (!unit[0] || !strcmp(unit, "bytes") || !strcmp(unit, "B")) ? c : 0;
	const xmlNode *src = xml_child(p, "source");
	if (!strcmp(type, "iscsi") || !strcmp(type, "iscsi-direct")) {
		char host[64], port[16];
		xml_attr(xml_child(src, "host"), "name", host, sizeof host);
		xml_attr(xml_child(src, "host"), "port", port, sizeof port);
		if (host[0])
			snprintf(u->portal, sizeof u->portal, "%.40s:%s", host, port[0] ? port : "3260");
		xml_attr(xml_child(src, "device"), "path", u->iqn, sizeof u->iqn);
		/* volumes are named unit:0:0:<lun> */
		const char *colon = strrchr(u->volume, ':');
		char *end;
		long n = colon ? strtol(colon + 1, &end, 10) : -1;
		if (colon && end != colon + 1 && !*end && n >= 0 && n < 65536)
			u->lun = (int)n;
	}
	const char *slash = strrchr(u->path, '/');
	if (slash && text_prefix(u->path, "/dev/") && !strchr(u->path + 5, '/'))
		text_copy(u->dev, sizeof u->dev, slash + 1);
out:
	if (pd)
		xmlFreeDoc(pd);
	if (vd)
		xmlFreeDoc(vd);
	return rc;
}

/* ---- lists ---------------------------------------------------------- */

const struct lun *lun_find(const struct lun_list *l, const char *what)
{
	if (!what || !*what)
		return NULL;
	char w[80];
	lun_wwn_normalise(what, w, sizeof w);
	for (size_t i = 0; i < l->n; i++) {
		const struct lun *u = &l->v[i];
		char pv[200];
		snprintf(pv, sizeof pv, "%s/%s", u->pool, u->volume);
		if (!strcmp(u->path, what) || (u->by_id[0] && !strcmp(u->by_id, what)) ||
		    (u->dev[0] && text_prefix(what, "/dev/") && !strcmp(what + 5, u->dev)) ||
		    (w[0] && u->wwn[0] && !strcmp(w, u->wwn)) || (u->pool[0] && !strcmp(pv, what)))
			return u;
	}
	return NULL;
}

const struct lun *lun_find_iscsi(const struct lun_list *l, const char *iqn, int lun)
{
	for (size_t i = 0; iqn && i < l->n; i++)
		if (l->v[i].iqn[0] && !strcmp(l->v[i].iqn, iqn) && l->v[i].lun == lun)
			return &l->v[i];
	return NULL;
}

const struct lun *lun_for_disk(const struct lun_list *l, const struct dom_disk *d)
{
	if (!d->source)
		return NULL;
	if (!strcmp(d->type, "block") || !strcmp(d->type, "volume"))
		return lun_find(l, d->source);
	if (!strcmp(d->type, "network") && text_prefix(d->source, "iscsi:")) {
		const char *name = d->source + 6, *slash = strrchr(name, '/');
		char iqn[224];
		if (!slash || (size_t)(slash - name) >= sizeof iqn)
			return NULL;
		memcpy(iqn, name, (size_t)(slash - name));
		iqn[slash - name] = '\0';
		return lun_find_iscsi(l, iqn, atoi(slash + 1));
	}
	return NULL;
}

void lun_list_merge(struct lun_list *dst, const struct lun_list *src)
{
	size_t n0 = dst->n;
	for (size_t i = 0; i < src->n; i++) {
		const struct lun *s = &src->v[i];
		struct lun *d = NULL;
		for (size_t k = 0; k < n0 && !d; k++) {
			struct lun *c = &dst->v[k];
			if ((s->path[0] && (!strcmp(c->path, s->path) || !strcmp(c->by_id, s->path))) ||
			    (s->wwn[0] && !strcmp(c->wwn, s->wwn)) || (s->dev[0] && !strcmp(c->dev, s->dev)))
				d = c;
		}
		if (!d) {
			d = add(dst);
			*d = *s;
			continue;
		}
		if (!d->pool[0]) {
			text_copy(d->pool, sizeof d->pool, s->pool);
			text_copy(d->volume, sizeof d->volume, s->volume);
		}
		if (!d->wwn[0])
			text_copy(d->wwn, sizeof d->wwn, s->wwn);
		if (!d->size)
			d->size = s->size;
	}
}

void lun_list_copy(struct lun_list *dst, const struct lun_list *src)
{
	memset(dst, 0, sizeof *dst);
	if (!src->n)
		return;
	dst->v = x_calloc(src->n, sizeof *dst->v);
	memcpy(dst->v, src->v, src->n * sizeof *dst->v);
	dst->n = dst->cap = src->n;
}

void lun_list_free(struct lun_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}
