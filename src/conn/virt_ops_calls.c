/* virt_ops_calls.c — the one table of libvirt calls a request makes: for each,
 * libvirt's function name and the flags it passes, each with the request bit
 * that selects it.  vop_describe prints from it and the runners pass what
 * vop_flags() returns, so dry-run and the real call cannot drift apart.
 *
 * A flag's name is its constant spelled by the preprocessor (#flag), so the
 * printed name and the value sent come from one token. */
#include "conn/virt_ops.h"

#include <libvirt/libvirt.h>

#define WHEN(bit, flag) { (bit), (flag), #flag }
#define ALWAYS(flag)    { 0, (flag), #flag }
#define AFFECT          WHEN(VOPF_LIVE, VIR_DOMAIN_AFFECT_LIVE), WHEN(VOPF_CONFIG, VIR_DOMAIN_AFFECT_CONFIG)
/* libvirt's test driver takes vCPU pins only as "current" (0): the
 * placement calls pass it when the operator named neither. */
#define AFFECT_CURRENT  AFFECT, WHEN(VOPF_CURRENT, VIR_DOMAIN_AFFECT_CURRENT)

const struct vop_api_row vop_apis[VOPA_COUNT] = {
	[VOPA_SET_VCPUS]      = { VOP_SET_VCPUS, "virDomainSetVcpusFlags", .flags = { AFFECT } },
	[VOPA_SET_MEMORY]     = { VOP_SET_MEMORY, "virDomainSetMemoryFlags", .flags = { AFFECT } },
	[VOPA_ATTACH_DEVICE]  = { VOP_ATTACH_DEVICE, "virDomainAttachDeviceFlags", .flags = { AFFECT } },
	[VOPA_DETACH_DEVICE]  = { VOP_DETACH_DEVICE, "virDomainDetachDeviceFlags", .flags = { AFFECT } },
	[VOPA_BLOCK_RESIZE]   = { VOP_BLOCK_RESIZE, "virDomainBlockResize",
				  .flags = { ALWAYS(VIR_DOMAIN_BLOCK_RESIZE_BYTES) } },
	[VOPA_SNAPSHOT_CREATE] = { VOP_SNAPSHOT_CREATE, "virDomainSnapshotCreateXML",
				   .flags = { WHEN(VOPF_DISK_ONLY, VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY),
					      WHEN(VOPF_ATOMIC, VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC) } },
	[VOPA_SNAPSHOT_REVERT] = { VOP_SNAPSHOT_REVERT, "virDomainRevertToSnapshot",
				   .flags = { WHEN(VOPF_START, VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING) } },
	[VOPA_SNAPSHOT_DELETE] = { VOP_SNAPSHOT_DELETE, "virDomainSnapshotDelete",
				   .flags = { WHEN(VOPF_CHILDREN, VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN) } },
	[VOPA_SNAPSHOT_LIST]  = { VOP_SNAPSHOT_LIST, "virDomainListAllSnapshots", .flags = { { 0 } } },
	[VOPA_BLOCK_INFO]     = { VOP_BLOCK_INFO, "virDomainGetBlockInfo", .flags = { { 0 } } },
	/* The commit job pivots at the end, so the commit is always an active one. */
	[VOPA_BLOCK_COMMIT]   = { VOP_BLOCK_COMMIT, "virDomainBlockCommit",
				  .flags = { ALWAYS(VIR_DOMAIN_BLOCK_COMMIT_ACTIVE) } },
	[VOPA_BLOCK_PIVOT]    = { VOP_BLOCK_COMMIT, "virDomainBlockJobAbort",
				  .flags = { ALWAYS(VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) } },
	[VOPA_BLOCK_CANCEL]   = { VOP_BLOCK_COMMIT, "virDomainBlockJobAbort", .on_abort = 1, .flags = { { 0 } } },
	/* After the pivot: the merged snapshots' metadata (their files are gone). */
	[VOPA_SNAPSHOT_FORGET] = { VOP_BLOCK_COMMIT, "virDomainSnapshotDelete",
				   .flags = { ALWAYS(VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY) } },
	[VOPA_MIGRATE]        = { VOP_MIGRATE, "virDomainMigrate3",
				  .flags = { WHEN(VOPF_MIG_LIVE, VIR_MIGRATE_LIVE),
					     WHEN(VOPF_MIG_PERSIST, VIR_MIGRATE_PERSIST_DEST),
					     WHEN(VOPF_MIG_UNDEFINE, VIR_MIGRATE_UNDEFINE_SOURCE),
					     WHEN(VOPF_MIG_UNSAFE, VIR_MIGRATE_UNSAFE) } },
	[VOPA_NODEDEV_DEFINE] = { VOP_NODEDEV_CREATE, "virNodeDeviceDefineXML", .flags = { { 0 } } },
	[VOPA_NODEDEV_CREATE] = { VOP_NODEDEV_CREATE, "virNodeDeviceCreateXML", .flags = { { 0 } } },
	[VOPA_UPDATE_DEVICE]  = { VOP_UPDATE_DEVICE, "virDomainUpdateDeviceFlags", .flags = { AFFECT } },
	[VOPA_PIN_VCPU]       = { VOP_PIN_VCPUS, "virDomainPinVcpuFlags", .flags = { AFFECT_CURRENT } },
	[VOPA_PIN_EMULATOR]   = { VOP_PIN_EMULATOR, "virDomainPinEmulator", .flags = { AFFECT_CURRENT } },
	[VOPA_SET_NUMA]       = { VOP_SET_NUMATUNE, "virDomainSetNumaParameters", .flags = { AFFECT_CURRENT } },
	/* After virNetworkDefineXML, which already holds the change for the next start. */
	[VOPA_NET_UPDATE]     = { VOP_NET_DEFINE, "virNetworkUpdate",
				  .flags = { ALWAYS(VIR_NETWORK_UPDATE_AFFECT_LIVE) } },
};

unsigned vop_flags(enum vop_api api, const struct vop_request *r, struct strbuf *names)
{
	unsigned flags = 0;
	int any = 0;
	for (const struct vop_flag_row *f = vop_apis[api].flags; f->name; f++) {
		if (f->when && !(r->flags & f->when))
			continue;
		flags |= f->value;
		if (names)
			sb_appendf(names, "%s%s", any ? "|" : "", f->name);
		any = 1;
	}
	if (names && !any)
		sb_append(names, "0");
	return flags;
}
