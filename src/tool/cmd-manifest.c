/* SPDX-License-Identifier: Apache-2.0 */
/* vouch manifest: list the code files of trees (create), of installed Debian packages
 * (from-dpkg) or of Debian package files (from-deb). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"
#include "vouch/debfile.h"
#include "vouch/manifest.h"
#include "vouch/scan.h"

static const char *const CMD = "manifest";

static const char usage_create[] =
    "Usage: vouch manifest create -o OUT [--base DIR] [-x] [-v] [--json] PATH...\n";
static const char usage_dpkg[] =
    "Usage: vouch manifest from-dpkg -o OUT [--admindir DIR] [--root DIR] [-v] [--json]\n";
static const char usage_deb[] = "Usage: vouch manifest from-deb -o OUT [-v] [--json] PKG.deb...\n";

static void help_create(void)
{
	printf("%s", usage_create);
	printf("\n"
	       "Write to OUT a manifest of every code file under each PATH: ELF executables\n"
	       "and shared objects (by their ELF header) and scripts (a \"#!\" first line), as\n"
	       "sorted lines \"sha256 size path\". Directories are walked recursively; symbolic\n"
	       "links are never followed. OUT is replaced atomically, and only if the whole\n"
	       "walk succeeded. Sign it with 'vouch sign'.\n"
	       "\n"
	       "  -o, --output OUT          manifest to write (required)\n"
	       "      --base DIR            record paths relative to DIR with a leading \"/\"\n"
	       "                            (a staging tree); every PATH must be under DIR\n"
	       "  -x, --one-file-system     do not descend into other filesystems\n"
	       "  -v, --verbose             print a summary on standard error\n"
	       "      --json                print a JSON summary on standard output\n"
	       "  -h, --help                show this help\n");
}

static void help_dpkg(void)
{
	printf("%s", usage_dpkg);
	printf("\n"
	       "Write to OUT a manifest of every code file that Debian packages installed,\n"
	       "as dpkg's md5sums files list them. Each code file is checked against the MD5\n"
	       "dpkg recorded: a file changed since installation, missing or unreadable is\n"
	       "reported on standard error and left out. Exit status 0 when OUT is written,\n"
	       "also with such reports (see vouch-manifest(1)).\n"
	       "\n"
	       "  -o, --output OUT          manifest to write (required)\n"
	       "      --admindir DIR        dpkg's database (default /var/lib/dpkg)\n"
	       "      --root DIR            where the packages are installed (default /)\n"
	       "  -v, --verbose             print a summary on standard error\n"
	       "      --json                print a JSON summary on standard output\n"
	       "  -h, --help                show this help\n");
}

static void help_deb(void)
{
	printf("%s", usage_deb);
	printf("\n"
	       "Write to OUT a manifest of every code file the Debian packages PKG.deb would\n"
	       "install, read from the package files themselves (their data archive), with\n"
	       "the paths they will have (\"./usr/bin/x\" as \"/usr/bin/x\"), and their\n"
	       "maintainer scripts that are code, as /var/lib/dpkg/info/PACKAGE.SCRIPT. Symbolic\n"
	       "links are not listed. A package that is malformed, or that dpkg and vouch\n"
	       "could read differently, is refused, and OUT is not written.\n"
	       "\n"
	       "  -o, --output OUT          manifest to write (required)\n"
	       "  -v, --verbose             print a summary per package on standard error\n"
	       "      --json                print a JSON summary on standard output\n"
	       "  -h, --help                show this help\n");
}

static void help(void)
{
	printf(
	    "Usage: vouch manifest create -o OUT [--base DIR] [-x] [-v] [--json] PATH...\n"
	    "       vouch manifest from-dpkg -o OUT [--admindir DIR] [--root DIR] [-v] [--json]\n"
	    "       vouch manifest from-deb -o OUT [-v] [--json] PKG.deb...\n"
	    "       vouch manifest SUBCOMMAND --help\n"
	    "\n"
	    "Make manifests: sorted lines \"sha256 size path\" naming code files (ELF\n"
	    "executables, shared objects, \"#!\" scripts) to vouch for. Sign them with\n"
	    "'vouch sign'.\n"
	    "\n"
	    "Subcommands:\n"
	    "  create      list the code files under the given paths\n"
	    "  from-dpkg   list the code files Debian packages installed, each checked\n"
	    "              against dpkg's recorded MD5 first\n"
	    "  from-deb    list the code files Debian package files would install\n");
}

/* A path for a message; malloc'd or NULL. tool_err() escapes it, once, as every message. */
static char *printable(const char *path)
{
	return strdup(path);
}

struct reporter {
	bool dpkg;
	const char *cmd;
	bool shown; /* a progress line is on the terminal */
};

/* Clear a progress line from the terminal, so that a report or the end starts clean. */
static void progress_clear(struct reporter *r)
{
	if (!r->shown)
		return;
	r->shown = false;
	fputs("\r\033[K", stderr);
}

/*
 * One line on the terminal, rewritten in place: files checked of all, and the
 * package being read. Shorter than the terminal is wide, so it never wraps.
 */
static void on_progress(void *ctx, uint64_t done, uint64_t total, const char *package)
{
	struct reporter *r = ctx;
	struct winsize ws;
	char *line = NULL;
	size_t len = 0, width = 80;
	FILE *f;

	if (done >= total) {
		progress_clear(r);
		return;
	}
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col;
	f = open_memstream(&line, &len);
	if (!f)
		return;
	fprintf(f, "vouch: %s: checking %" PRIu64 "/%" PRIu64 " files (%" PRIu64 "%%) ", r->cmd,
	        done, total, total ? done * 100 / total : 100);
	/* A package name is part of a file name in dpkg's database: escaped. */
	if (package)
		tool_escape(f, package, strlen(package), 0);
	if (fclose(f) != 0) {
		free(line);
		return;
	}
	if (len > width - 1)
		len = width - 1;
	fputs("\r", stderr);
	fwrite(line, 1, len, stderr);
	fputs("\033[K", stderr);
	r->shown = true;
	free(line);
}

static void on_report(void *ctx, const struct vouch_scan_event *ev)
{
	struct reporter *r = ctx;
	char *p = ev->path ? printable(ev->path) : NULL;
	const char *what = p ? p : ev->path ? "(a path)" : NULL;
	const char *pkg = ev->package ? ev->package : "?";
	const char *cmd = r->cmd; /* the command running the scan: manifest, or setup */

	progress_clear(r);

	switch (ev->what) {
	case VOUCH_SCAN_FAILED:
		if (ev->line)
			tool_err(cmd, what, "line %zu: %s", ev->line,
			         ev->err == VOUCH_E_MANIFEST_LINE ? "malformed line"
			                                          : vouch_strerror(ev->err));
		else if (ev->err == VOUCH_E_RANGE && !r->dpkg)
			tool_err(cmd, what, "not under the --base directory");
		else
			tool_err(cmd, what, "%s", vouch_strerror(ev->err));
		break;
	case VOUCH_SCAN_SKIPPED:
		tool_err(cmd, what,
		         "not a regular file or directory (symbolic links are not "
		         "followed): skipped");
		break;
	case VOUCH_SCAN_CHANGED:
		tool_err(cmd, what, "changed since installation (package %s): left out", pkg);
		break;
	case VOUCH_SCAN_REPLACED:
		tool_err(cmd, what, "no longer a regular file (package %s): left out", pkg);
		break;
	case VOUCH_SCAN_MISSING:
		tool_err(cmd, what, "missing (package %s): left out", pkg);
		break;
	case VOUCH_SCAN_UNREADABLE:
		tool_err(cmd, what, "cannot read: %s (package %s): left out",
		         vouch_strerror(ev->err), pkg);
		break;
	}
	free(p);
}

/* Format @m (already sorted) and replace @out with it. EXIT_* */
static int write_manifest(const char *cmd, const char *out, const struct vouch_manifest *m)
{
	char *text = NULL;
	size_t len = 0;
	int ret = vouch_manifest_format(m, &text, &len);

	if (!ret)
		ret = vouch_file_write_atomic(out, text, len, 0644, 0);
	free(text);
	if (ret) {
		char *p = printable(out);

		tool_err(cmd, p ? p : out, "cannot write: %s", vouch_strerror(ret));
		free(p);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/*
 * The files read, then OUT: OUT must be none of them, nor an existing FIFO, device
 * or directory. @fs holds the inputs; OUT is added here. EXIT_*
 */
static int check_out(const char *cmd, struct tool_files *fs, const char *out)
{
	int ret = tool_files_add(fs, out, "the manifest", true);

	if (ret) {
		tool_err(cmd, NULL, "%s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	return tool_files_check(cmd, fs);
}

/*
 * An existing OUT that is one of the code files @m lists (at @prefix followed by
 * the listed path) is a program about to be vouched for: never replaced by the
 * manifest. Only entries of OUT's size can be it, and only they are looked at.
 */
static int check_listed(const char *cmd, const char *out, const struct vouch_manifest *m,
                        const char *prefix)
{
	struct stat ost, st;
	char path[PATH_MAX];

	if (stat(out, &ost) != 0 || !S_ISREG(ost.st_mode))
		return EXIT_OK;
	for (size_t i = 0; i < m->count; i++) {
		const struct vouch_manifest_entry *e = &m->entries[i];
		int n;

		if (e->size != (uint64_t)ost.st_size)
			continue;
		n = snprintf(path, sizeof(path), "%s%s", prefix, e->path);
		if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) != 0)
			continue;
		if (st.st_dev == ost.st_dev && st.st_ino == ost.st_ino) {
			tool_err(cmd, out,
			         "is a code file the manifest lists (%s); not overwriting it with "
			         "the manifest",
			         path);
			return EXIT_ERROR;
		}
	}
	return EXIT_OK;
}

/*
 * dpkg's files that the scan reads, as inputs: only an OUT that exists already can
 * be one of them (a new file is not there to be read).
 */
static int add_dpkg_inputs(struct tool_files *fs, const char *admindir, const char *out)
{
	struct stat st;
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d;
	int n, ret = 0;

	if (lstat(out, &st) != 0)
		return 0;
	n = snprintf(path, sizeof(path), "%s/diversions", admindir);
	if (n > 0 && (size_t)n < sizeof(path))
		ret = tool_files_add(fs, path, "dpkg's diversions file", false);
	n = snprintf(path, sizeof(path), "%s/status", admindir);
	if (!ret && n > 0 && (size_t)n < sizeof(path))
		ret = tool_files_add(fs, path, "dpkg's status file", false);
	n = snprintf(path, sizeof(path), "%s/info", admindir);
	if (ret || n < 0 || (size_t)n >= sizeof(path) || !(d = opendir(path)))
		return ret;
	/* The names the scan reads (dpkg.c): "PACKAGE.md5sums", not hidden. */
	while (!ret && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len <= 8 || de->d_name[0] == '.' || strcmp(de->d_name + len - 8, ".md5sums"))
			continue;
		n = snprintf(path, sizeof(path), "%s/info/%s", admindir, de->d_name);
		if (n > 0 && (size_t)n < sizeof(path))
			ret = tool_files_add(fs, path, "a dpkg md5sums file", false);
	}
	closedir(d);
	return ret;
}

static void json_field(const char *name, uint64_t v, bool last)
{
	printf("\"%s\":%" PRIu64 "%s", name, v, last ? "}\n" : ",");
}

static int flush_stdout(void)
{
	if (fflush(stdout) != 0) {
		tool_err(CMD, "standard output", "%s", strerror(errno));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

enum {
	OPT_BASE = 256,
	OPT_JSON,
	OPT_ADMINDIR,
	OPT_ROOT,
};

static int run_create(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"base", required_argument, NULL, OPT_BASE},
	    {"one-file-system", no_argument, NULL, 'x'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct reporter rep = {false, CMD, false};
	struct vouch_scan_opts so = {.report = on_report, .ctx = &rep};
	struct vouch_scan_stats st;
	struct vouch_manifest m;
	struct tool_files fs;
	const char *out = NULL;
	bool verbose = false, json = false;
	int c, rc, ret = 0;

	optind = 1;
	opterr = 0; /* one-line errors: tool_bad_option() reports */
	while ((c = getopt_long(argc, argv, ":o:xvh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_BASE:
			so.base = optarg;
			break;
		case 'x':
			so.flags |= VOUCH_SCAN_ONE_FS;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			help_create();
			return EXIT_OK;
		default:
			return tool_bad_option(CMD, c, argc, argv);
		}
	}
	if (!out)
		return tool_usage(CMD, "create: -o OUT is required");
	if (out[0] == '\0')
		return tool_usage(CMD, "create: -o OUT is empty");
	if (optind == argc)
		return tool_usage(CMD, "create: no PATH to list");
	vouch_manifest_init(&m);
	tool_files_init(&fs);
	for (int i = optind; i < argc && !ret; i++)
		ret = tool_files_add(&fs, argv[i], "a PATH being listed", false);
	if (ret)
		tool_err(CMD, NULL, "%s", vouch_strerror(ret));
	rc = EXIT_ERROR;
	if (ret || check_out(CMD, &fs, out))
		goto out;
	if (vouch_manifest_scan(&m, (const char *const *)argv + optind, (size_t)(argc - optind),
	                        &so, &st))
		goto out;
	/* Recorded paths are absolute, or below the base with a leading "/". */
	if (check_listed(CMD, out, &m, so.base ? so.base : ""))
		goto out;
	rc = write_manifest(CMD, out, &m);
	if (rc)
		goto out;
	if (verbose) {
		char *p = printable(out);

		tool_err(CMD, p ? p : out,
		         "%" PRIu64 " code files listed (%" PRIu64 " ELF, %" PRIu64
		         " scripts), %" PRIu64 " entries skipped, %" PRIu64 " bytes hashed",
		         st.files, st.elf, st.scripts, st.skipped, st.bytes);
		free(p);
	}
	if (json) {
		printf("{");
		json_field("files", st.files, false);
		json_field("elf", st.elf, false);
		json_field("scripts", st.scripts, false);
		json_field("skipped", st.skipped, false);
		json_field("bytes", st.bytes, true);
		rc = flush_stdout();
	}
out:
	tool_files_free(&fs);
	vouch_manifest_free(&m);
	return rc;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int tool_manifest_from_dpkg(const char *cmd, const char *out, const char *admindir,
                            const char *root, struct vouch_scan_stats *st)
{
	struct reporter rep = {true, cmd, false};
	struct vouch_scan_opts so = {
	    .admindir = admindir, .root = root, .report = on_report, .ctx = &rep, .threads = 2};
	struct vouch_manifest m;
	struct tool_files fs;
	int rc = EXIT_ERROR, ret;

	/* Progress only for a person watching: never into a file or pipe. */
	if (isatty(STDERR_FILENO))
		so.progress = on_progress;
	vouch_manifest_init(&m);
	tool_files_init(&fs);
	ret = add_dpkg_inputs(&fs, admindir ? admindir : "/var/lib/dpkg", out);
	if (ret)
		tool_err(cmd, NULL, "%s", vouch_strerror(ret));
	if (ret || check_out(cmd, &fs, out))
		goto out;
	ret = vouch_manifest_scan_dpkg(&m, &so, st);
	progress_clear(&rep);
	if (ret)
		goto out;
	/* Recorded paths are the installed ones, "/usr/bin/x", found below the root. */
	if (check_listed(cmd, out, &m, root ? root : ""))
		goto out;
	rc = write_manifest(cmd, out, &m);
out:
	tool_files_free(&fs);
	vouch_manifest_free(&m);
	return rc;
}

static int run_dpkg(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"admindir", required_argument, NULL, OPT_ADMINDIR},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct vouch_scan_stats st;
	struct timespec t0;
	const char *out = NULL, *admindir = NULL, *root = NULL;
	bool verbose = false, json = false;
	int c, rc;

	optind = 1;
	opterr = 0; /* one-line errors: tool_bad_option() reports */
	while ((c = getopt_long(argc, argv, ":o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_ADMINDIR:
			admindir = optarg;
			break;
		case OPT_ROOT:
			root = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			help_dpkg();
			return EXIT_OK;
		default:
			return tool_bad_option(CMD, c, argc, argv);
		}
	}
	if (!out)
		return tool_usage(CMD, "from-dpkg: -o OUT is required");
	if (out[0] == '\0')
		return tool_usage(CMD, "from-dpkg: -o OUT is empty");
	if (optind != argc)
		return tool_usage(CMD, "from-dpkg: unexpected argument '%s'", argv[optind]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = tool_manifest_from_dpkg(CMD, out, admindir, root, &st);
	if (rc)
		return rc;
	if (verbose) {
		char *p = printable(out);

		tool_err(CMD, p ? p : out,
		         "%" PRIu64 " packages list %" PRIu64 " files; %" PRIu64
		         " code files listed (%" PRIu64 " ELF, %" PRIu64 " scripts, %" PRIu64
		         " bytes hashed); %" PRIu64 " conffiles in status; left out: %" PRIu64
		         " changed, %" PRIu64 " missing, %" PRIu64 " unreadable; %.1f s",
		         st.packages, st.listed, st.files, st.elf, st.scripts, st.bytes,
		         st.conffiles, st.changed, st.missing, st.unreadable, seconds_since(&t0));
		free(p);
	}
	if (json) {
		printf("{");
		json_field("packages", st.packages, false);
		json_field("listed", st.listed, false);
		json_field("conffiles", st.conffiles, false);
		json_field("maintscripts", st.maintscripts, false);
		json_field("files", st.files, false);
		json_field("elf", st.elf, false);
		json_field("scripts", st.scripts, false);
		json_field("skipped", st.skipped, false);
		json_field("diverted", st.diverted, false);
		json_field("changed", st.changed, false);
		json_field("missing", st.missing, false);
		json_field("unreadable", st.unreadable, false);
		json_field("bytes", st.bytes, true);
		rc = flush_stdout();
	}
	return rc;
}

static int run_deb(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct vouch_debfile_info total;
	struct vouch_manifest m;
	struct tool_files fs;
	const char *out = NULL;
	bool verbose = false, json = false;
	uint64_t packages = 0;
	int c, rc, ret = 0;

	optind = 1;
	opterr = 0; /* one-line errors: tool_bad_option() reports */
	while ((c = getopt_long(argc, argv, ":o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			help_deb();
			return EXIT_OK;
		default:
			return tool_bad_option(CMD, c, argc, argv);
		}
	}
	if (!out)
		return tool_usage(CMD, "from-deb: -o OUT is required");
	if (out[0] == '\0')
		return tool_usage(CMD, "from-deb: -o OUT is empty");
	if (optind == argc)
		return tool_usage(CMD, "from-deb: no PKG.deb to read");
	memset(&total, 0, sizeof(total));
	vouch_manifest_init(&m);
	tool_files_init(&fs);
	for (int i = optind; i < argc && !ret; i++)
		ret = tool_files_add(&fs, argv[i], "a package being read", false);
	if (ret)
		tool_err(CMD, NULL, "%s", vouch_strerror(ret));
	rc = EXIT_ERROR;
	if (ret || check_out(CMD, &fs, out))
		goto out;
	for (int i = optind; i < argc; i++) {
		struct vouch_debfile_info info;
		struct vouch_deb_problem pb;
		int fd = tool_open_regular(argv[i]);

		ret = fd < 0 ? fd : vouch_debfile_manifest(fd, &m, &info, &pb);
		if (fd >= 0)
			close(fd);
		if (ret) {
			tool_deb_problem(CMD, argv[i], ret, &pb);
			goto out;
		}
		packages++;
		total.files += info.files;
		total.elf += info.elf;
		total.scripts += info.scripts;
		total.skipped += info.skipped;
		total.bytes += info.bytes;
		total.entries += info.entries;
		total.control_files += info.control_files;
		if (verbose)
			tool_err(CMD, argv[i],
			         "package %s: %" PRIu64 " code files listed (%" PRIu64
			         " ELF, %" PRIu64 " scripts, %" PRIu64
			         " of them maintainer scripts), %" PRIu64
			         " entries not code, %" PRIu64 " bytes hashed",
			         info.package, info.files, info.elf, info.scripts,
			         info.control_files, info.skipped, info.bytes);
	}
	/* Several packages: one sorted manifest, a line two packages share once. */
	if (vouch_manifest_sort(&m)) {
		tool_err(CMD, NULL, "%s", vouch_strerror(-ENOMEM));
		goto out;
	}
	rc = write_manifest(CMD, out, &m);
	if (rc)
		goto out;
	if (json) {
		printf("{");
		json_field("packages", packages, false);
		json_field("entries", total.entries, false);
		json_field("files", total.files, false);
		json_field("elf", total.elf, false);
		json_field("scripts", total.scripts, false);
		json_field("maintainer_scripts", total.control_files, false);
		json_field("skipped", total.skipped, false);
		json_field("bytes", total.bytes, true);
		rc = flush_stdout();
	}
out:
	tool_files_free(&fs);
	vouch_manifest_free(&m);
	return rc;
}

int cmd_manifest(int argc, char **argv)
{
	if (argc < 2)
		return tool_usage(CMD, "no subcommand (create, from-dpkg or from-deb)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		help();
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "create"))
		return run_create(argc - 1, argv + 1);
	if (!strcmp(argv[1], "from-dpkg"))
		return run_dpkg(argc - 1, argv + 1);
	if (!strcmp(argv[1], "from-deb"))
		return run_deb(argc - 1, argv + 1);
	return tool_usage(CMD, "unknown subcommand '%s' (create, from-dpkg or from-deb)", argv[1]);
}
