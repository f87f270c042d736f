/* poolxml.h — the directory of a libvirt storage pool that holds files.
 *
 * A pure parser over virStoragePoolGetXMLDesc: pools of type dir, fs and
 * netfs keep their volumes as files under <target><path>; that directory is
 * where operations may look for and create disk files on the host
 * (restore_to).  Other pool types (logical, iscsi, rbd, ...) hold no files. */
#ifndef VD_METRICS_POOLXML_H
#define VD_METRICS_POOLXML_H

#include <stddef.h>

/* The pool's target directory without trailing '/' ("/" stays), as a heap
 * string; NULL when the XML is no file pool or names no absolute path. */
char *pool_xml_file_dir(const char *xml, size_t len);

#endif
