/* xml_gpu.h — pure builders of the XML behind vGPU and RDM operations: an
 * mdev node device, an mdev hostdev, a raw LUN disk and a virtio-scsi
 * controller.  Every value is escaped; output is byte-stable (golden files
 * in tests/fixtures/ops/). */
#ifndef VD_OPS_XML_GPU_H
#define VD_OPS_XML_GPU_H

#include "core/strbuf.h"

struct xml_mdev {
	const char *parent;   /* node device name: pci_0000_3b_00_0 */
	const char *type;     /* nvidia-63 */
	const char *uuid;
};

struct xml_lun {
	const char *path;                 /* block source, or */
	const char *pool, *volume;        /* a pool volume, or */
	const char *iscsi_host;           /* an iSCSI network source */
	unsigned    iscsi_port;           /* 0: none given */
	const char *iscsi_name;           /* IQN/LUN */
	const char *target;               /* sdX (bus scsi) */
	const char *sgio;                 /* filtered | unfiltered | NULL */
	int         shareable, readonly;
};

/* <device><parent/><capability type='mdev'><type id/><uuid/></capability></device> */
void xml_mdev_nodedev(const struct xml_mdev *m, struct strbuf *sb);
/* <hostdev mode='subsystem' type='mdev' model=MODEL><source><address uuid/></source></hostdev> */
void xml_mdev_hostdev(const char *uuid, const char *model, struct strbuf *sb);
/* <disk type='block|volume|network' device='lun'> ... </disk> */
void xml_lun_disk(const struct xml_lun *l, struct strbuf *sb);
void xml_scsi_controller(struct strbuf *sb);

#endif
