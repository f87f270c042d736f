/* test_nic_update.c — d:set_coalesce's update XML: each NIC of a live
 * domain dump (tests/fixtures/ops/coalesce/domain-live.xml: bridge, network
 * with a <coalesce> already, OVS virtualport with a VLAN, multiqueue
 * driver, direct) taken whole from the dump with only <coalesce> changed
 * (golden files written by hand); the operation sends exactly that for
 * bridge, network, OVS and multiqueue NICs and refuses macvtap, which
 * libvirt does not coalesce. */
#include "check.h"

#include "metrics/domxml.h"
#include "model/cluster.h"
#include "ops/op_impl.h"
#include "ops/optable.h"
#include "ops/xml_nic_update.h"

#include <stdlib.h>
#include <string.h>

#define FIX "tests/fixtures/ops/coalesce/"

static const char *const golden[] = { "bridge", "network", "ovs", "multiqueue", "direct" };

/* d:set_coalesce mac= rx_frames=32 (live): validate, then build into *xml. */
static int set_coalesce(const struct host *h, const struct domain *d, const char *mac, char **xml,
			struct vd_err *err)
{
	const struct op_def *def = NULL;
	for (size_t i = 0; i < optable_count(); i++)
		if (!strcmp(optable_at(i)->name, "set_coalesce") && optable_at(i)->target == OP_DOMAIN)
			def = optable_at(i);
	CHECK(def != NULL);
	struct op_args args;
	memset(&args, 0, sizeof args);
	const char *kv[][2] = { { "mac", mac }, { "rx_frames", "32" }, { "live", "true" } };
	for (size_t i = 0; i < 3; i++) {
		int ai = op_arg_index(def, kv[i][0]);
		CHECK(ai >= 0);
		CHECK_INT(op_value_parse(&def->args[ai], kv[i][1], &args.v[ai], err), 0);
	}
	CHECK_INT(op_args_finish(def, &args, err), 0);
	struct strbuf notes;
	sb_init(&notes);
	struct op_ctx ctx = { .def = def, .args = &args, .host = h, .dom = d, .notes = &notes };
	err_clear(err);
	int rc = def->validate(&ctx, err);
	if (rc == 0) {
		struct vop_request req;
		memset(&req, 0, sizeof req);
		rc = def->build(&ctx, &req, err);
		CHECK_INT(req.kind, VOP_UPDATE_DEVICE);
		*xml = req.xml;
		req.xml = NULL;
		vop_request_free(&req);
	}
	sb_free(&notes);
	op_args_free(&args);
	return rc;
}

int main(void)
{
	size_t len = 0;
	char *text = check_slurp(FIX "domain-live.xml", &len);
	struct domain d;
	memset(&d, 0, sizeof d);
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(domxml_parse(text ? text : "", len, &d.info, &e), 0);
	free(text);
	d.state = DOM_RUNNING;
	CHECK_INT(d.info.nnics, 5);
	CHECK(d.info.nnics == 5 && d.info.nics[2].mode == NIC_MODE_OVS && d.info.nics[3].queues == 4);

	/* the pure function: the element as dumped, only <coalesce> new */
	for (size_t i = 0; i < d.info.nnics && i < 5; i++) {
		struct strbuf sb;
		sb_init(&sb);
		CHECK_INT(xml_nic_set_coalesce(d.info.nics[i].xml, 32, &sb, &e), 0);
		char path[128];
		snprintf(path, sizeof path, FIX "%s.xml", golden[i]);
		check_golden(path, sb.buf ? sb.buf : "");
		sb_free(&sb);
	}
	struct strbuf sb;
	sb_init(&sb);
	CHECK_INT(xml_nic_set_coalesce(NULL, 32, &sb, &e), -1);
	CHECK_STR(e.msg, "the NIC's XML is unknown (no <interface> from libvirt)");
	CHECK_INT(xml_nic_set_coalesce("<disk type='file'/>", 32, &sb, &e), -1);
	CHECK_STR(e.msg, "the NIC's XML is not an <interface> element");
	CHECK_INT(xml_nic_set_coalesce("<interface type='bridge'>", 32, &sb, &e), -1);
	/* an element written on one line gets <coalesce> as its last child */
	CHECK_INT(xml_nic_set_coalesce("<interface type='bridge'><source bridge='br0'/></interface>", 0, &sb, &e), 0);
	CHECK_STR(sb.buf, "<interface type=\"bridge\"><source bridge=\"br0\"/>"
		  "<coalesce><rx><frames max=\"0\"/></rx></coalesce></interface>\n");
	sb_free(&sb);

	/* the operation sends it: bridge, network, OVS and multiqueue */
	struct host_config cfg = { .name = "hv1" };
	struct host h;
	memset(&h, 0, sizeof h);
	h.cfg = &cfg;
	for (size_t i = 0; i < 4; i++) {
		char *xml = NULL, path[128];
		CHECK_INT(set_coalesce(&h, &d, d.info.nics[i].mac, &xml, &e), 0);
		snprintf(path, sizeof path, FIX "%s.xml", golden[i]);
		check_golden(path, xml ? xml : "");
		free(xml);
	}
	char *xml = NULL;
	CHECK_INT(set_coalesce(&h, &d, "52:54:00:c0:a1:05", &xml, &e), -1);
	CHECK_STR(e.msg, "NIC 52:54:00:c0:a1:05 is direct: libvirt coalesces the tap of a bridge, network or OVS NIC only");
	CHECK(xml == NULL);
	dom_info_free(&d.info);
	return check_summary();
}
