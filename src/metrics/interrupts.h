/* interrupts.h — /proc/interrupts, and which NIC each queue's interrupt
 * belongs to.
 *
 * A queue is matched to a NIC by the name its driver gave the interrupt:
 *   "ens1f0-TxRx-3", "ens1f0-rx-0", "i40e-ens1f0-TxRx-3"   the NIC's name;
 *   "virtio0-input.0", "virtio0-output.0"                  the NIC's device
 *                                                          (…/virtio0);
 *   "mlx5_comp3@pci:0000:3b:00.0"                          the NIC's PCI
 *                                                          device.
 * Counts are summed over CPUs; lines that are not numbered interrupts
 * (NMI, LOC, ERR) are skipped. */
#ifndef VD_METRICS_INTERRUPTS_H
#define VD_METRICS_INTERRUPTS_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;

/* Interrupt lines past this many are left out. */
#define IRQ_MAX_LINES 16384

struct irq_line {
	unsigned irq;
	uint64_t count;          /* summed over CPUs */
	char     name[64];       /* the action ("ens1f0-TxRx-3"); the first when shared */
};

struct irq_list {
	struct irq_line *lines;
	size_t           n;
};

int  interrupts_parse(const char *buf, size_t len, struct irq_list *out, struct vd_err *err);
void irq_list_free(struct irq_list *l);
/* 1 when the interrupt named name is a queue of NIC nic, whose device link
 * ends in device ("0000:3b:00.0", "virtio0"; "" or NULL unknown). */
int  interrupts_nic_match(const char *name, const char *nic, const char *device);
/* A short name for a queue's interrupt that interrupts_nic_match tied to
 * nic, for a screen: "TxRx-3" (i40e-ens1f0-TxRx-3, ens1f0-TxRx-3),
 * "input.0" (virtio0-input.0), "comp3" (mlx5_comp3@pci:0000:3b:00.0),
 * "misc" (the NIC's own vector, named just "ens1f0"); else name itself. */
void interrupts_queue_label(const char *name, const char *nic, const char *device, char *out, size_t len);

#endif
