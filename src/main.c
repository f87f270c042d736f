/* main.c — command line, inventory, workers, then one of vdeck's faces:
 * the TUI, a headless script (--exec, -e), the REPL, --check or
 * --list-runbooks.  Only this file decides exit codes and prints errors
 * that reached the top. */
#include "conn/fleet.h"
#include "core/err.h"
#include "core/fd_room.h"
#include "core/log.h"
#include "core/options.h"
#include "core/paths.h"
#include "core/xalloc.h"
#include "demo/demo_platform.h"
#include "exec/completion.h"
#include "exec/lock.h"
#include "exec/summary.h"
#include "lua/inventory_load.h"
#include "lua/lua_stubs.h"
#include "lua/vlua.h"
#include "ops/audit.h"
#include "ops/maintenance.h"
#include "repl/repl.h"
#include "tui/tui.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum mode { MODE_TUI, MODE_EXEC, MODE_EVAL, MODE_REPL, MODE_CHECK, MODE_LIST_RUNBOOKS, MODE_SUMMARY,
	    MODE_COMPLETION, MODE_COMPLETE, MODE_LUA_STUBS };

struct cli {
	enum mode   mode;
	const char *config;
	const char *demo;          /* spec text, "" for the default */
	int         is_demo;
	const char *script;        /* --exec FILE or -e CODE */
	const char *shell;         /* --completion SHELL */
	int         lock;          /* -1: default (on for --exec) */
	int         verbosity;
	struct vd_options opts;
	int         argc;          /* k=v arguments after --exec FILE */
	char      **argv;
};

static const char usage_text[] =
"Usage: vdeck [OPTIONS]                      TUI on the inventory\n"
"       vdeck --exec FILE|RUNBOOK [k=v ...]  run a script or runbook headless\n"
"       vdeck -e CODE                        run a Lua one-liner\n"
"       vdeck --repl                         interactive Lua shell\n"
"       vdeck --check                        state and data age per host, unfinished\n"
"                                            operations, switch drift; exit 3 if a host\n"
"                                            is down\n"
"       vdeck --list-runbooks                runbooks, their descriptions and parameters\n"
"       vdeck --completion bash|zsh          shell completion script (runbooks, parameters,\n"
"                                            hosts and themes are asked of vdeck at TAB)\n"
"       vdeck --lua-stubs [DIR]              LuaLS annotations of the Lua API, to DIR/vdeck.lua\n"
"\n"
"Inventory:\n"
"  -c, --config FILE        inventory (else $VDECK_CONFIG, else\n"
"                           $XDG_CONFIG_HOME/vdeck/cluster.lua, else the local host)\n"
"      --demo[=HOSTSxVMS[:skewed]]  simulated cluster on libvirt's test driver (default 8x120;\n"
"                           :skewed crowds a few hosts and spreads VMs over NUMA nodes)\n"
"      --hosts PATTERNS     only hosts whose name or tag matches (globs, comma-separated)\n"
"\n"
"Behaviour:\n"
"      --dry-run            print every change (XML, commands) and make none\n"
"      --json               vdeck.emit prints one JSON object per line\n"
"      --readonly           refuse every mutating operation\n"
"      --lock, --no-lock    flock per script so runs never overlap (default on for --exec)\n"
"      --accept-new-hostkeys  record unknown SSH host keys (never changed ones)\n"
"      --audit-syslog       also send every audit record to syslog (RFC 5424), as\n"
"                           defaults { audit = { syslog = true } } does\n"
"      --connect-timeout S  seconds a source (libvirt, the host's files or Prometheus) may\n"
"                           stay silent before it counts as down and its data as stale\n"
"                           (default 10)\n"
"      --theme NAME         TUI theme (default, light, mono)\n"
"  -v, --verbose            more diagnostics (repeat for debug; the console's Log view)\n"
"  -q, --quiet              errors only\n"
"  -h, --help               this text\n"
"  -V, --version            version\n"
"\n"
"Code: -c FILE, -e CODE and --exec PATH run Lua code with every right of the user\n"
"running vdeck (a sudo rule must name the whole command, never allow free\n"
"arguments).  --exec NAME (no slash) looks only in the runbook directories.\n"
"Inventories, runbooks, keys.lua, identity and known_hosts files writable by\n"
"anyone but root and you, or in such directories, are refused.\n"
"\n"
"Exit status: 0 ok, 1 script or operation failed, 2 usage or configuration error,\n"
"3 hosts unreachable, 4 lock held by another run, 130 interrupted.\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vdeck: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'vdeck --help'.\n");
	exit(EXIT_USAGE);
}

enum { O_DEMO = 256, O_EXEC, O_REPL, O_JSON, O_DRY, O_HOSTS, O_LIST, O_CHECK, O_THEME,
       O_READONLY, O_LOCK, O_NOLOCK, O_ACCEPT, O_TIMEOUT, O_COMPLETION, O_COMPLETE, O_LUA_STUBS,
       O_AUDIT_SYSLOG };

/* The command line, declared once: getopt's tables are built from it, and
 * so are the shell completion scripts (exec/completion.c).  A NULL help
 * hides an option from completion. */
static const struct cli_option cli_options[] = {
	{ "help", 'h', no_argument, CA_NONE, "usage", 0 },
	{ "version", 'V', no_argument, CA_NONE, "version", 0 },
	{ "config", 'c', required_argument, CA_FILE, "inventory file", 1 },
	{ NULL, 'e', required_argument, CA_TEXT, "run a Lua one-liner", 0 },
	{ "demo", O_DEMO, optional_argument, CA_TEXT, "simulated cluster (HOSTSxVMS)", 1 },
	{ "exec", O_EXEC, required_argument, CA_EXEC, "run a script or runbook headless", 0 },
	{ "repl", O_REPL, no_argument, CA_NONE, "interactive Lua shell", 0 },
	{ "check", O_CHECK, no_argument, CA_NONE, "state and data age per host", 0 },
	{ "list-runbooks", O_LIST, no_argument, CA_NONE, "runbooks and their parameters", 0 },
	{ "hosts", O_HOSTS, required_argument, CA_HOSTS, "only hosts whose name or tag matches", 0 },
	{ "json", O_JSON, no_argument, CA_NONE, "vdeck.emit prints JSON lines", 0 },
	{ "dry-run", O_DRY, no_argument, CA_NONE, "print every change and make none", 0 },
	{ "readonly", O_READONLY, no_argument, CA_NONE, "refuse every mutating operation", 0 },
	{ "lock", O_LOCK, no_argument, CA_NONE, "one run of a script at a time", 0 },
	{ "no-lock", O_NOLOCK, no_argument, CA_NONE, "no lock", 0 },
	{ "accept-new-hostkeys", O_ACCEPT, no_argument, CA_NONE, "record unknown SSH host keys", 0 },
	{ "connect-timeout", O_TIMEOUT, required_argument, CA_TEXT, "seconds before a silent source is down", 0 },
	{ "theme", O_THEME, required_argument, CA_THEME, "console theme", 0 },
	{ "verbose", 'v', no_argument, CA_NONE, "more diagnostics", 0 },
	{ "quiet", 'q', no_argument, CA_NONE, "errors only", 0 },
	{ "completion", O_COMPLETION, required_argument, CA_SHELL, "print the shell completion script", 0 },
	{ "complete", O_COMPLETE, no_argument, CA_NONE, NULL, 0 },
	{ "lua-stubs", O_LUA_STUBS, no_argument, CA_DIR, "write LuaLS annotations (DIR/vdeck.lua)", 0 },
	{ "audit-syslog", O_AUDIT_SYSLOG, no_argument, CA_NONE, "also send audit records to syslog", 0 },
};
#define N_CLI_OPTIONS (sizeof cli_options / sizeof cli_options[0])

static void parse_cli(int argc, char **argv, struct cli *cli)
{
	static struct option longopts[N_CLI_OPTIONS + 1];
	/* "+" stops at the first non-option: k=v after --exec FILE stay arguments. */
	char shortopts[2 * N_CLI_OPTIONS + 2] = "+";
	size_t nl = 0, ns = 1;
	for (size_t i = 0; i < N_CLI_OPTIONS; i++) {
		const struct cli_option *o = &cli_options[i];
		if (o->name)
			longopts[nl++] = (struct option){ o->name, o->has_arg, NULL, o->val };
		if (o->val < 256) {
			shortopts[ns++] = (char)o->val;
			if (o->has_arg == required_argument)
				shortopts[ns++] = ':';
		}
	}
	shortopts[ns] = '\0';
	memset(cli, 0, sizeof *cli);
	cli->lock = -1;
	cli->opts.connect_timeout_ms = 10000;
	int c, modes = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'V': printf("vdeck %s\n", VD_VERSION); exit(0);
		case 'c': cli->config = optarg; break;
		case 'e': cli->mode = MODE_EVAL; cli->script = optarg; modes++; break;
		case 'v': cli->verbosity++; break;
		case 'q': cli->verbosity = -1; break;
		case O_DEMO: cli->is_demo = 1; cli->demo = optarg; break;
		case O_EXEC: cli->mode = MODE_EXEC; cli->script = optarg; modes++; break;
		case O_REPL: cli->mode = MODE_REPL; modes++; break;
		case O_JSON: cli->opts.json = 1; break;
		case O_DRY: cli->opts.dry_run = 1; break;
		case O_HOSTS: cli->opts.hosts = optarg; break;
		case O_LIST: cli->mode = MODE_LIST_RUNBOOKS; modes++; break;
		case O_CHECK: cli->mode = MODE_CHECK; modes++; break;
		case O_THEME: cli->opts.theme = optarg; break;
		case O_READONLY: cli->opts.readonly = 1; break;
		case O_LOCK: cli->lock = 1; break;
		case O_NOLOCK: cli->lock = 0; break;
		case O_ACCEPT: cli->opts.accept_new_hostkeys = 1; break;
		case O_COMPLETION: cli->mode = MODE_COMPLETION; cli->shell = optarg; modes++; break;
		case O_COMPLETE: cli->mode = MODE_COMPLETE; modes++; break;
		case O_LUA_STUBS: cli->mode = MODE_LUA_STUBS; modes++; break;
		case O_AUDIT_SYSLOG: cli->opts.audit_syslog = 1; break;
		case O_TIMEOUT: {
			char *end;
			double s = strtod(optarg, &end);
			if (*end || s < 0.1 || s > 600)
				usage_error("--connect-timeout: '%s' is not a number of seconds (0.1-600)", optarg);
			cli->opts.connect_timeout_ms = (int)(s * 1000);
			break;
		}
		default: fprintf(stderr, "Try 'vdeck --help'.\n"); exit(EXIT_USAGE);
		}
	}
	if (modes > 1)
		usage_error("%s", "choose one of --exec, -e, --repl, --check, --list-runbooks, --completion, "
			    "--lua-stubs");
	cli->argc = argc - optind;
	cli->argv = argv + optind;
	/* --complete KIND ARG...; --lua-stubs [DIR]; --exec FILE k=v... */
	if (cli->mode != MODE_EXEC && cli->mode != MODE_COMPLETE && cli->argc > (cli->mode == MODE_LUA_STUBS))
		usage_error("unexpected argument '%s'", cli->argv[cli->argc - 1]);
	for (int i = 0; cli->mode == MODE_EXEC && i < cli->argc; i++)
		if (!strchr(cli->argv[i], '='))
			usage_error("argument '%s' is not of the form name=value", cli->argv[i]);
	if (cli->is_demo && cli->config)
		usage_error("%s", "--demo and -c are exclusive");
	if (cli->lock == 1 && cli->mode != MODE_EXEC && cli->mode != MODE_EVAL)
		usage_error("%s", "--lock applies to --exec and -e");
}

static int file_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* --exec PATH (with a slash) runs that file; --exec NAME a runbook from the
 * runbook directories only: a cron job's or sudo's current directory never
 * chooses the code. */
static char *resolve_script(const char *script)
{
	if (strchr(script, '/')) {
		if (file_exists(script))
			return x_strdup(script);
		fprintf(stderr, "vdeck: --exec %s: no such file\n", script);
		return NULL;
	}
	struct vd_err err;
	err_clear(&err);
	char *path = vlua_runbook_find(script, &err);
	if (!path)
		fprintf(stderr, "vdeck: --exec %s: %s\n", script, err.msg);
	return path;
}

/* A known_hosts file that does not exist makes every key unknown: said once
 * per file at start, not only in each host's refusal.  With
 * --accept-new-hostkeys it is created with the first key learned. */
static void warn_missing_known_hosts(const struct inventory *inv, int accept_new)
{
	for (size_t i = 0; i < inv->nhosts; i++) {
		const struct host_config *h = &inv->hosts[i];
		if (h->transport != HT_SSH || !h->ssh.known_hosts)
			continue;
		size_t before = 0, after = 0;
		for (size_t j = 0; j < inv->nhosts; j++) {
			const struct host_config *o = &inv->hosts[j];
			if (o->transport != HT_SSH || !o->ssh.known_hosts ||
			    strcmp(o->ssh.known_hosts, h->ssh.known_hosts))
				continue;
			if (j < i)
				before++;
			else if (j > i)
				after++;
		}
		struct stat st;
		if (before || stat(h->ssh.known_hosts, &st) == 0 || errno != ENOENT)
			continue;
		if (accept_new)
			log_info("known_hosts %s does not exist: --accept-new-hostkeys creates it", h->ssh.known_hosts);
		else if (after)
			log_warn("known_hosts %s does not exist: the host keys of %s and %zu more hosts cannot "
				 "be verified and will be refused (add them, or run once with "
				 "--accept-new-hostkeys)", h->ssh.known_hosts, h->name, after);
		else
			log_warn("known_hosts %s does not exist: the host key of %s cannot be verified and "
				 "will be refused (add it, or run once with --accept-new-hostkeys)",
				 h->ssh.known_hosts, h->name);
	}
}

static void local_inventory(struct inventory *inv)
{
	memset(inv, 0, sizeof *inv);
	struct host_config *h = inventory_add(inv);
	h->name = x_strdup("local");
	h->transport = HT_LOCAL;
	h->libvirt_uri = x_strdup(getenv("LIBVIRT_DEFAULT_URI") ? getenv("LIBVIRT_DEFAULT_URI") : "qemu:///system");
	h->interval_ms = 2000;
	h->source = x_strdup("(no inventory: the local host)");
	inv->interval_ms = 2000;
}

/* --demo: the simulated cluster supplies the inventory and, through
 * *demo, the transport of its hosts. */
static int load_inventory(const struct cli *cli, struct inventory *inv, struct demo **demo)
{
	struct vd_err err;
	err_clear(&err);
	if (cli->is_demo) {
		struct demo_spec spec;
		if (demo_parse_spec(cli->demo, &spec, &err) < 0 || !(*demo = demo_new(&spec, &err))) {
			fprintf(stderr, "vdeck: --demo: %s\n", err.msg);
			return -1;
		}
		demo_inventory(*demo, inv);
		return 0;
	}
	const char *path = cli->config ? cli->config : getenv("VDECK_CONFIG");
	char *xdg = NULL;
	if (!path || !*path) {
		xdg = path_xdg("config", "cluster.lua");
		if (file_exists(xdg))
			path = xdg;
		else
			path = NULL;
	}
	int rc = 0;
	if (!path) {
		local_inventory(inv);
	} else if (!file_exists(path)) {
		fprintf(stderr, "vdeck: inventory %s: no such file\n", path);
		rc = -1;
	} else if (inventory_load(path, inv, &err) < 0) {
		fprintf(stderr, "vdeck: %s\n", err.msg);
		rc = -1;
	}
	free(xdg);
	return rc;
}

/* The modes that print something about vdeck itself and start no host:
 * completion scripts and their answers, Lua stubs. */
static int run_tool_mode(const struct cli *cli)
{
	struct vd_err err;
	err_clear(&err);
	int rc = 0;
	if (cli->mode == MODE_COMPLETION) {
		rc = completion_script(stdout, cli->shell, cli_options, N_CLI_OPTIONS, &err);
	} else if (cli->mode == MODE_COMPLETE) {
		/* An inventory that cannot be read completes no host. */
		struct inventory inv;
		struct demo *demo = NULL;
		int loaded = load_inventory(cli, &inv, &demo) == 0;
		rc = completion_words(stdout, cli->argc, cli->argv, loaded ? &inv : NULL, &err);
		if (loaded)
			inventory_free(&inv);
		demo_free(&demo);
	} else if (cli->argc == 0) {   /* --lua-stubs */
		lua_stubs_write(stdout);
	} else {
		char *path = x_asprintf("%s/vdeck.lua", cli->argv[0]);
		FILE *f = fopen(path, "w");
		if (f)
			lua_stubs_write(f);
		if (!f || ferror(f) | fclose(f)) {   /* fclose either way */
			fprintf(stderr, "vdeck: --lua-stubs: %s: %s\n", path, strerror(errno));
			free(path);
			return EXIT_FAILED;
		}
		free(path);
	}
	if (rc < 0) {
		fprintf(stderr, "vdeck: %s\n", err.msg);
		return EXIT_USAGE;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

/* From here the exit is bounded (fleet_stop waits half a second at most):
 * a SIGHUP from a terminal closing, or a second SIGTERM, would only cut it
 * short and leave the demo's files behind.  Ignored, not blocked: any
 * thread may take a signal sent to the process. */
static void ignore_quit_signals(void)
{
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
}

static void on_interrupt(int sig)
{
	(void)sig;
	static volatile sig_atomic_t count;
	if (count++)
		_exit(EXIT_INTERRUPTED);   /* a second ^C while stuck: leave now */
	vlua_interrupt();
}

static int run_mode(struct cli *cli, struct fleet *fleet)
{
	struct cluster *cluster = fleet_cluster(fleet);
	struct vd_err err;
	err_clear(&err);
	if (cli->mode == MODE_TUI)
		return tui_run(fleet, &cli->opts);
	struct vlua *vl = vlua_new(fleet, &cli->opts, &err);
	if (!vl) {
		fprintf(stderr, "vdeck: %s\n", err.msg);
		return EXIT_FAILED;
	}
	int rc = EXIT_OK;
	/* The summary and --check report every host's first answer; scripts
	 * wait for a host only when they read it (lua/lwait.c). */
	if (cli->mode == MODE_SUMMARY || cli->mode == MODE_CHECK)
		vlua_settle(vl);
	switch (cli->mode) {
	case MODE_SUMMARY: summary_print(stdout, cluster); break;
	case MODE_CHECK: rc = check_print(stdout, cluster, cli->opts.json); break;
	case MODE_LIST_RUNBOOKS: rc = vlua_list_runbooks(vl, cli->opts.json); break;
	case MODE_REPL: rc = repl_run(vl, fleet); break;
	case MODE_EVAL: rc = vlua_run_string(vl, cli->script, "=(command line)"); break;
	case MODE_EXEC: rc = vlua_run_file(vl, cli->script, cli->argc, cli->argv); break;
	default: break;
	}
	vlua_free(&vl);
	return rc;
}

int main(int argc, char **argv)
{
	/* Two threads per host, nearly always waiting on the network: glibc's
	 * default of eight arenas per core keeps free memory apart in each of
	 * them (a MiB more resident at 128 hosts); two are enough.  The
	 * environment's MALLOC_ARENA_MAX still wins. */
	if (!getenv("MALLOC_ARENA_MAX"))
		mallopt(M_ARENA_MAX, 2);
	struct cli cli;
	parse_cli(argc, argv, &cli);
	log_set_level(cli.verbosity < 0 ? LOG_ERROR : cli.verbosity == 0 ? LOG_WARN :
		      cli.verbosity == 1 ? LOG_INFO : LOG_DEBUG);
	if (cli.mode == MODE_COMPLETION || cli.mode == MODE_COMPLETE || cli.mode == MODE_LUA_STUBS)
		return run_tool_mode(&cli);
	char *script = NULL;
	if (cli.mode == MODE_EXEC) {
		if (!(script = resolve_script(cli.script)))
			return EXIT_USAGE;
		cli.script = script;
	}
	int lock_fd = -1;
	if (cli.mode == MODE_EXEC && cli.lock != 0) {
		struct vd_err err;
		err_clear(&err);
		lock_fd = run_lock_take(cli.script, &err);
		if (lock_fd < 0) {
			fprintf(stderr, "vdeck: %s\n", err.msg);
			free(script);
			return err.code == VD_ELOCKED ? EXIT_LOCKED : EXIT_FAILED;
		}
	}
	struct inventory inv;
	struct demo *demo = NULL;
	if (load_inventory(&cli, &inv, &demo) < 0) {
		free(script);
		return EXIT_USAGE;
	}
	if (cli.opts.hosts && inventory_filter(&inv, cli.opts.hosts) == 0) {
		fprintf(stderr, "vdeck: --hosts %s matches no host\n", cli.opts.hosts);
		demo_free(&demo);
		inventory_free(&inv);
		free(script);
		return EXIT_USAGE;
	}
	/* Off a terminal the console has nothing to draw on: print the summary. */
	if (cli.mode == MODE_TUI && !isatty(STDOUT_FILENO))
		cli.mode = MODE_SUMMARY;
	/* The console's screen covers whatever reaches stderr from here on:
	 * the start-up warnings below and the workers' connects go to its Log
	 * view instead (or to stderr after all, if it never opens). */
	if (cli.mode == MODE_TUI)
		tui_log_capture();
	warn_missing_known_hosts(&inv, cli.opts.accept_new_hostkeys);
	struct vd_err room_err;
	err_clear(&room_err);
	fd_room_make(fd_room_needed(inv.nhosts), &room_err);
	if (room_err.msg[0])
		log_warn("%s", room_err.msg);
	if (!cli.opts.theme)
		cli.opts.theme = inv.theme;
	if (inv.audit_syslog)
		cli.opts.audit_syslog = 1;
	cli.opts.audit_syslog_socket = inv.audit_syslog_socket;
	if (inv.connect_timeout_ms > 0 && cli.opts.connect_timeout_ms == 10000)
		cli.opts.connect_timeout_ms = inv.connect_timeout_ms;
	struct sigaction sa = { .sa_handler = on_interrupt };
	sigemptyset(&sa.sa_mask);
	if (cli.mode != MODE_TUI && cli.mode != MODE_REPL) {
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	struct cluster cluster;
	cluster_init(&cluster, &inv);
	/* Before any operation of this run: what earlier runs left unfinished
	 * (the console reads it after its first screen: a long audit trail's
	 * tail is megabytes to scan). */
	if (cli.mode != MODE_TUI)
		audit_load_unfinished(cli.opts.audit_path, &cluster);
	maintenance_load(NULL, &cluster);
	struct fleet_opts fo = {
		.connect_timeout_ms = cli.opts.connect_timeout_ms,
		.accept_new_hostkeys = cli.opts.accept_new_hostkeys,
		.poll = 1,
		.local_transport = demo ? demo_transport(demo) : NULL,
		.hold = cli.mode == MODE_TUI,   /* the console starts them after its first screen */
	};
	struct vd_err err;
	err_clear(&err);
	struct fleet *fleet = fleet_start(&cluster, &fo, &err);
	int rc;
	size_t detached = 0;
	if (!fleet) {
		fprintf(stderr, "vdeck: %s\n", err.msg);
		rc = EXIT_FAILED;
	} else {
		rc = run_mode(&cli, fleet);
		ignore_quit_signals();
		detached = fleet_stop(&fleet);
	}
	if (cli.mode == MODE_TUI)
		tui_log_release();
	cluster_free(&cluster);
	/* A worker still polling a simulated host reads through the demo's
	 * transport: the process exits, the demo stays for it, without its
	 * files (a left-behind read fails, and the process is ending). */
	if (!detached)
		demo_free(&demo);
	else
		demo_remove_files(demo);
	inventory_free(&inv);
	free(script);
	if (lock_fd >= 0)
		close(lock_fd);
	/* A worker still inside libvirt keeps its SSH session, and a tunnel's
	 * pump thread, running: the libraries' exit handlers (OpenSSL's
	 * cleanup) must not run under them (a SIGSEGV in RAND_bytes). */
	if (detached) {
		fflush(NULL);
		_exit(rc);
	}
	return rc;
}
