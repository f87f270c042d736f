/* host_devices.c — routes the GPU (sysfs mdev) and LUN records of a poll
 * bundle to their parsers (metrics/gpu.c, metrics/lun.c). */
#include "metrics/host_metrics.h"

#include "core/err.h"
#include "metrics/text.h"

#include <string.h>

int host_devices_route(struct host_metrics *m, const char *path, const char *data, size_t n,
		       struct vd_err *e)
{
	if (text_prefix(path, "/sys/class/mdev_bus/"))
		return gpu_sysfs_file(&m->gpus, path + 20, data, n, e);
	if (!strcmp(path, "!mdevs"))
		return gpu_sysfs_mdevs(&m->gpus, data, n, e);
	if (!strcmp(path, "!luns"))
		return lun_parse_links(&m->luns, data, n, e);
	if (text_prefix(path, "/sys/block/"))
		return lun_sysfs_file(&m->luns, path + 11, data, n, e);
	return 1;
}

void host_devices_finish(struct host_metrics *m)
{
	lun_list_finish(&m->luns);
	gpu_inv_sort(&m->gpus);
}

void host_devices_free(struct host_metrics *m)
{
	gpu_inv_free(&m->gpus);
	lun_list_free(&m->luns);
}
