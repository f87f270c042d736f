/* xml_nic_update.h — the XML of a VM NIC update (virDomainUpdateDeviceFlags),
 * made from the NIC's <interface> element as libvirt dumped it. */
#ifndef VD_OPS_XML_NIC_UPDATE_H
#define VD_OPS_XML_NIC_UPDATE_H

#include "core/err.h"
#include "core/strbuf.h"

/* iface with its <coalesce> replaced by <coalesce><rx><frames max=N/>
 * (added when absent), everything else kept as it is, into out.  Fails when
 * iface is not one well-formed <interface> element. */
int xml_nic_set_coalesce(const char *iface, long long rx_frames, struct strbuf *out, struct vd_err *err);

#endif
