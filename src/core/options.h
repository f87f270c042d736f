/* options.h — the run-wide choices made on the command line, passed down
 * explicitly (never a global) to the layers that honour them. */
#ifndef VD_OPTIONS_H
#define VD_OPTIONS_H

struct vd_options {
	int         dry_run;          /* print what would change, change nothing */
	int         json;             /* vdeck.emit prints JSON lines */
	int         readonly;         /* refuse every mutating operation */
	int         accept_new_hostkeys;
	int         connect_timeout_ms;
	const char *hosts;            /* --hosts patterns, NULL = all */
	const char *theme;
	const char *audit_path;       /* NULL: $XDG_STATE_HOME/vdeck/audit.jsonl */
	int         audit_syslog;     /* also send each audit record to syslog (ops/audit_syslog.c) */
	const char *audit_syslog_socket;  /* NULL: /dev/log */
};

#endif
