/* test_bundle_wire.c — the poll script's reply cut back into a bundle
 * (metrics/bundle_wire.c): lines joined per file, numa_maps summed per VM,
 * bundle records passed on (bash's whole-file form too), and hostile replies: lines cut short, lines
 * without a NUL, paths with odd bytes or too long, a VM list past its cap,
 * numa_maps in the wrong order, 0x1E inside a file. */
#include "check.h"

#include "core/err.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "metrics/bundle.h"
#include "metrics/host_metrics.h"

#include <stdio.h>
#include <string.h>

static char *decode(const char *buf, size_t len)
{
	struct strbuf out;
	sb_init(&out);
	bundle_wire_decode(buf, len, &out);
	if (!out.buf)
		sb_append(&out, "");
	return sb_detach(&out);
}

#define WIRE(lit) lit, sizeof(lit) - 1

static void test_files_joined(void)
{
	char *b = decode(WIRE("motd\n"
			      "\036F /sys/class/net/eth0/device\n"
			      "\036P\n"
			      "\036G\n"
			      "proc/meminfo\0MemTotal: 100 kB\n"
			      "proc/meminfo\0MemFree: 10 kB\n"
			      "sys/devices/system/node/node0/cpulist\0" "0-3\n"
			      "sys/devices/system/node/node1/cpulist\0\n"
			      "/abs/path\0x\n"
			      "\036C getconf PAGESIZE\n4096\n"));
	CHECK_STR(b, "\036F /sys/class/net/eth0/device\n"
		     "\036F /proc/meminfo\nMemTotal: 100 kB\nMemFree: 10 kB\n"
		     "\036F /sys/devices/system/node/node0/cpulist\n0-3\n"
		     "\036F /sys/devices/system/node/node1/cpulist\n\n"
		     "\036F /abs/path\nx\n"
		     "\036C vm-numa\n"
		     "\036C getconf PAGESIZE\n4096\n");
	free(b);
}

static void test_vm_numa(void)
{
	char *b = decode(WIRE("\036P\n"
			      "/proc/10/numa_maps\0web 1\n"
			      "/proc/20/numa_maps\0db\n"
			      "/proc/30/numa_maps\0gone\n"
			      "\036G\n"
			      "proc/stat\0cpu 1 2 3 4\n"
			      "proc/10/numa_maps\0" "7f00 default anon=3 N0=2 N1=1 kernelpagesize_kB=4\n"
			      "proc/10/numa_maps\0" "7f10 default N1=1 kernelpagesize_kB=2048\n"
			      "proc/20/numa_maps\0" "7f00 default N0=5\n"));
	CHECK_STR(b, "\036F /proc/stat\ncpu 1 2 3 4\n"
		     "\036C vm-numa\n"
		     "web 1 N0=8192 N1=2101248\n"
		     "db N0=20480\n");
	free(b);
	/* numa_maps out of the P order: taken as plain files, not summed */
	b = decode(WIRE("\036P\n/proc/1/numa_maps\0a\n/proc/2/numa_maps\0b\n\036G\n"
			"proc/2/numa_maps\0N0=1\nproc/1/numa_maps\0N0=1\n"));
	CHECK_STR(b, "\036F /proc/1/numa_maps\nN0=1\n\036C vm-numa\nb N0=4096\n");
	free(b);
}

/* bash's form (metrics/bundle.c): a VM named by a V record, its
 * numa_maps a whole-file F record, padding in a Z record; it decodes to
 * what the grep form of the same reply decodes to. */
static void test_vm_numa_bash(void)
{
	char *b = decode(WIRE("\036P\n"
			      "\036V /proc/10/numa_maps\nweb 1\n"
			      "\036V /proc/20/numa_maps\ndb\n"
			      "\036V /proc/30/numa_maps\ngone\n"
			      "\036V /proc/40/numa_maps\nodd\nname\n"
			      "\036F /proc/stat\ncpu 1 2 3 4\n"
			      "\036F /proc/10/numa_maps\n7f00 default anon=3 N0=2 N1=1 kernelpagesize_kB=4\n"
			      "7f10 default N1=1 kernelpagesize_kB=2048\n"
			      "\036F /proc/20/numa_maps\n7f00 default N0=5\n"
			      "\036F /proc/40/numa_maps\nN0=1\n"
			      "\036G\n"
			      "\036Z      \n"));
	CHECK_STR(b, "\036F /proc/stat\ncpu 1 2 3 4\n"
		     "\036F /proc/40/numa_maps\nN0=1\n"   /* a name of two lines names no VM */
		     "\036C vm-numa\n"
		     "web 1 N0=8192 N1=2101248\n"
		     "db N0=20480\n");
	free(b);
	/* out of the V order: a plain file, as in the grep form; a V with no
	 * P before it names nothing */
	b = decode(WIRE("\036P\n\036V /proc/1/numa_maps\na\n\036V /proc/2/numa_maps\nb\n"
			"\036F /proc/2/numa_maps\nN0=1\n\036F /proc/1/numa_maps\nN0=1\n\036G\n"));
	CHECK_STR(b, "\036F /proc/1/numa_maps\nN0=1\n\036C vm-numa\nb N0=4096\n");
	free(b);
	b = decode(WIRE("\036V /proc/1/numa_maps\na\n\036F /proc/1/numa_maps\nN0=1\n"));
	CHECK_STR(b, "\036F /proc/1/numa_maps\nN0=1\n");
	free(b);
}

static void test_hostile(void)
{
	/* a line cut short (the reply ended mid-line) and a line with no NUL */
	char *b = decode(WIRE("\036G\nproc/a\0one\nno-nul-here\nproc/b\0cut"));
	CHECK_STR(b, "\036F /proc/a\none\n");
	free(b);
	/* odd bytes: 0x1E and 0xff in a path, 0x1E in a file, a path of 2000 bytes */
	struct strbuf w;
	sb_init(&w);
	sb_append(&w, "\036G\n");
	sb_append_n(&w, WIRE("sys/class/net/a\036b/mtu\0" "1500\n"));
	sb_append_n(&w, WIRE("sys/class/net/\xff\x01/mtu\0" "9000\n"));
	sb_append_n(&w, WIRE("proc/x\0bad \036 byte\n"));
	sb_append_n(&w, WIRE("proc/x\0more\n"));
	for (int i = 0; i < 2000; i++)
		sb_appendc(&w, 'p');
	sb_append_n(&w, WIRE("\0v\n"));
	sb_append_n(&w, WIRE("proc/ok\0fine\n"));
	b = decode(w.buf, w.len);
	CHECK_STR(b, "\036F /sys/class/net/\xff\x01/mtu\n9000\n\036F /proc/ok\nfine\n");
	free(b);
	sb_free(&w);
	/* the G section ends at a line that starts with 0x1E, even mid-file */
	b = decode(WIRE("\036G\nproc/a\0x\n\036F /m\n"));
	CHECK_STR(b, "\036F /proc/a\nx\n\036F /m\n");
	free(b);
	/* headers alone, empty input, NULL */
	b = decode(WIRE("\036G"));
	CHECK_STR(b, "\036G");
	free(b);
	b = decode("", 0);
	CHECK_STR(b, "");
	free(b);
	b = decode(NULL, 0);
	CHECK_STR(b, "");
	free(b);
	/* a VM list past its cap: the first 4096 are kept, the output stays bounded */
	sb_init(&w);
	sb_append(&w, "\036P\n");
	for (int i = 0; i < 5000; i++)
		sb_appendf(&w, "/proc/%d/numa_maps%cvm%d\n", i, 0, i);
	sb_append(&w, "\036G\n");
	for (int i = 0; i < 5000; i++)
		sb_appendf(&w, "proc/%d/numa_maps%cN0=1\n", i, 0);
	b = decode(w.buf, w.len);
	CHECK(strstr(b, "vm4095 N0=4096\n") != NULL);
	CHECK(strstr(b, "vm4096 ") == NULL);
	CHECK(strstr(b, "\036F /proc/4096/numa_maps\nN0=1\n") != NULL);
	CHECK(strlen(b) < w.len);
	free(b);
	sb_free(&w);
}

/* A decoded reply is a bundle the parsers take whole. */
static void test_parses(void)
{
	char *b = decode(WIRE("\036G\n"
			      "proc/stat\0cpu 1 2 3 4\nproc/stat\0cpu0 1 2 3 4\n"
			      "proc/meminfo\0MemTotal: 100 kB\nproc/meminfo\0MemFree: 10 kB\n"
			      "sys/devices/system/node/node0/cpulist\0" "0\n"));
	struct host_metrics m;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(host_metrics_parse(b, strlen(b), 1.0, &m, &e), 0);
	CHECK_INT(m.numa.n, 1);
	CHECK(m.numa.n == 1 && m.numa.nodes[0].ncpus == 1 && !m.numa.nodes[0].implicit);
	CHECK(m.mem.total == 102400);
	host_metrics_free(&m);
	free(b);
}

int main(void)
{
	test_files_joined();
	test_vm_numa();
	test_vm_numa_bash();
	test_hostile();
	test_parses();
	return check_summary();
}
