/* virt_devices.c — the libvirt half of the GPU and LUN inventory: node
 * devices with the mdev_types or mdev capability, and the volumes of
 * storage pools of SAN types (iscsi, iscsi-direct, scsi, mpath).  Runs on
 * the host's worker with the other slow facts, every 30 s and after a change
 * (conn/virt.c keeps the result). */
#include "conn/virt.h"
#include "core/log.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

static void read_nodedevs(virConnectPtr conn, struct gpu_inv *gpus)
{
	virNodeDevicePtr *devs = NULL;
	int n = virConnectListAllNodeDevices(conn, &devs, VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES |
					     VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV);
	for (int i = 0; i < n; i++) {
		char *xml = virNodeDeviceGetXMLDesc(devs[i], 0);
		struct vd_err e;
		err_clear(&e);
		if (xml && gpu_nodedev_add(gpus, xml, strlen(xml), &e) < 0)
			log_debug("node device %s: %s", virNodeDeviceGetName(devs[i]), e.msg);
		free(xml);
		virNodeDeviceFree(devs[i]);
	}
	free(devs);
	virResetLastError();
	gpu_inv_sort(gpus);
}

static void read_san_pools(virConnectPtr conn, struct lun_list *luns)
{
	virStoragePoolPtr *pools = NULL;
	int np = virConnectListAllStoragePools(conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE |
					       VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI |
					       VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT |
					       VIR_CONNECT_LIST_STORAGE_POOLS_SCSI | VIR_CONNECT_LIST_STORAGE_POOLS_MPATH);
	for (int p = 0; p < np; p++) {
		char *pxml = virStoragePoolGetXMLDesc(pools[p], 0);
		if (pxml && lun_pool_is_san(pxml, strlen(pxml))) {
			virStorageVolPtr *vols = NULL;
			int nv = virStoragePoolListAllVolumes(pools[p], &vols, 0);
			for (int v = 0; v < nv; v++) {
				char *vxml = virStorageVolGetXMLDesc(vols[v], 0);
				struct vd_err e;
				err_clear(&e);
				if (vxml && lun_pool_volume_add(luns, pxml, strlen(pxml), vxml, strlen(vxml), &e) < 0)
					log_debug("pool volume: %s", e.msg);
				free(vxml);
				virStorageVolFree(vols[v]);
			}
			free(vols);
		}
		free(pxml);
		virStoragePoolFree(pools[p]);
	}
	free(pools);
	virResetLastError();
}

void virt_read_devices(void *conn, struct gpu_inv *gpus, struct lun_list *luns)
{
	gpu_inv_free(gpus);
	lun_list_free(luns);
	read_nodedevs(conn, gpus);
	read_san_pools(conn, luns);
}
