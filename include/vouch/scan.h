/* SPDX-License-Identifier: Apache-2.0 */
/* Building manifests from the filesystem: walking trees, and checking what dpkg installed. */
#ifndef VOUCH_SCAN_H
#define VOUCH_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

/*
 * Both scans open every file once (O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_NOCTTY, and
 * O_NONBLOCK so that a FIFO swapped in cannot block), check with fstat() that it
 * is a regular file, classify it from its first bytes with vouch_code_classify()
 * and hash the code files through that same descriptor: a file is never opened
 * again by its path, so what is listed is what was classified.
 */

/* What a report is about. */
enum vouch_scan_what {
	VOUCH_SCAN_FAILED = 1, /* the scan stops: @err says why (see each function) */
	VOUCH_SCAN_SKIPPED,    /* a path the caller named is neither a regular file nor a
	                          directory (a symbolic link is not followed): passed over */
	VOUCH_SCAN_CHANGED,    /* dpkg: content differs from the recorded MD5: left out */
	VOUCH_SCAN_REPLACED,   /* dpkg: no longer a regular file (e.g. a symlink): left out */
	VOUCH_SCAN_MISSING,    /* dpkg: the listed file does not exist: left out */
	VOUCH_SCAN_UNREADABLE, /* dpkg: cannot be opened or read (@err): left out */
};

struct vouch_scan_event {
	enum vouch_scan_what what;
	/*
	 * The file concerned; NULL if none. FAILED and SKIPPED: as the caller can
	 * find it (its own spelling of the path it gave, then the names below it).
	 * dpkg reports: the installed path ("/usr/bin/x"), after diversions, without
	 * the root. Unescaped: may hold any byte but NUL (escape it before printing).
	 */
	const char *path;
	const char *package; /* dpkg: the package that installed it ("pkg" or "pkg:arch") */
	size_t line;         /* FAILED in a dpkg database file: 1-based line; else 0 */
	int err;             /* FAILED and UNREADABLE: the error code; else 0 */
};

/* Called synchronously, from the thread that called the scan, in a stable order. */
typedef void vouch_scan_report_fn(void *ctx, const struct vouch_scan_event *ev);

/*
 * vouch_manifest_scan_dpkg()'s progress while it checks the listed files: @done of
 * @total checked, and @package, the package of the file a worker took last (NULL
 * when none was taken yet); valid only during the call. Called on the thread that
 * called the scan, about ten times a second while the workers run and once more
 * with @done == @total when they are finished; never from a worker.
 */
typedef void vouch_scan_progress_fn(void *ctx, uint64_t done, uint64_t total, const char *package);

enum {
	VOUCH_SCAN_ONE_FS = 1 << 0, /* vouch_manifest_scan(): stay on each PATH's filesystem */
};

struct vouch_scan_opts {
	/* vouch_manifest_scan(): record paths relative to this directory with a
	 * leading "/" (a staging tree); NULL records absolute paths. */
	const char *base;
	/* vouch_manifest_scan_dpkg(): dpkg's database (NULL: /var/lib/dpkg), and the
	 * root directory the packages were installed under (NULL: /). */
	const char *admindir;
	const char *root;
	unsigned flags;               /* VOUCH_SCAN_* */
	unsigned threads;             /* vouch_manifest_scan_dpkg(): worker threads, 1..64 (0: 2) */
	vouch_scan_report_fn *report; /* may be NULL */
	void *ctx;                    /* passed to @report and @progress */
	vouch_scan_progress_fn *progress; /* vouch_manifest_scan_dpkg(); may be NULL */
};

struct vouch_scan_stats {
	uint64_t files; /* lines the scan added to the manifest (after dropping duplicates) */
	uint64_t elf;   /* code files found, by kind (a file reached twice counts twice) */
	uint64_t scripts;
	uint64_t skipped; /* passed over: regular files that are not code, and everything
	                     that is not a regular file or directory (symlinks, devices) */
	uint64_t bytes;   /* bytes hashed: the sizes of the code files found */
	/* vouch_manifest_scan_dpkg() only: */
	uint64_t packages;     /* md5sums files read (one per installed package that has one) */
	uint64_t listed;       /* files they list */
	uint64_t conffiles;    /* conffiles of installed packages the status file lists (with
	                          their MD5s), checked as the listed files are */
	uint64_t diverted;     /* listed files looked for at a dpkg-divert'ed path */
	uint64_t changed;      /* CHANGED and REPLACED reports */
	uint64_t missing;      /* MISSING reports */
	uint64_t unreadable;   /* UNREADABLE reports */
	uint64_t maintscripts; /* maintainer scripts found in the admindir's info/ (preinst,
	                          postinst, prerm, postrm, config), hashed as found: dpkg
	                          keeps no MD5 of them */
};

/*
 * vouch_manifest_scan() - list every code file under @paths.
 * @m: initialised manifest; the code files are added, and @m is left sorted
 * (vouch_manifest_sort()). On failure entries may have been added: discard @m.
 * @paths, @n: files or directories. Directories are walked recursively without
 * following symbolic links; below a PATH only regular files are opened, and
 * anything else is passed over silently (counted in @stats->skipped). A PATH
 * that is itself a symbolic link or special file is reported SKIPPED. Symbolic
 * links in the leading components of a PATH are followed (with @opts->base,
 * resolved inside the base directory, as if it were "/"). A file that vanishes
 * during the walk is not listed.
 * Recorded paths: a relative PATH is made absolute against the working
 * directory, and "." , ".." and repeated "/" are removed by their spelling
 * alone (symlinks are not resolved); with @opts->base the base's prefix is
 * replaced by "/".
 * @opts: base and flags (VOUCH_SCAN_ONE_FS), report; may be NULL.
 * @stats: receives the counts (all zeroed first); may be NULL.
 * Return: 0; on failure the scan stops, one FAILED report names the path, and
 * the code is returned: -errno (a PATH or base that cannot be opened, a
 * directory that cannot be read, -ENAMETOOLONG for a path over
 * VOUCH_MANIFEST_PATH_MAX), VOUCH_E_RANGE (a PATH not under @opts->base),
 * -ENOMEM, VOUCH_E_CRYPTO.
 * Not thread-safe with respect to the working directory (it is read once).
 */
int vouch_manifest_scan(struct vouch_manifest *m, const char *const *paths, size_t n,
                        const struct vouch_scan_opts *opts, struct vouch_scan_stats *stats);

/*
 * vouch_manifest_scan_dpkg() - list every code file Debian packages installed,
 * each checked against dpkg's record of it first.
 * Reads @opts->admindir/info/PACKAGE.md5sums (lines "<md5>  <path>"), the
 * Conffiles of the status file (of packages installed and configured: not
 * obsolete ones, those the next version removes, nor those not yet installed)
 * and the diversions file (triples of lines: from, to, package; ":" is a local
 * diversion): a file diverted away from a package other than the diverting one
 * is looked for at its new name. Each is parsed strictly (include/vouch/dpkg.h);
 * a missing status or diversions file holds nothing. Each listed file is opened
 * under @opts->root (resolved as if that directory were "/", with openat2
 * RESOLVE_IN_ROOT where the kernel has it), classified from its head, and only
 * a code file is read: whole, once, computing MD5 and SHA-256 together. Its
 * MD5 must equal dpkg's, or the file is reported CHANGED and left out; missing,
 * replaced and unreadable files are reported and left out too: nothing is
 * trusted silently.
 * Files that are not code are not hashed (a changed one goes unnoticed; it is
 * not listed either). Packages without an md5sums file contribute only their
 * conffiles. The maintainer scripts in info/ (PACKAGE.preinst, postinst, prerm,
 * postrm, config: an upgrade runs the installed version's prerm and postrm) are
 * listed too, at their path below @opts->root, hashed as found (dpkg keeps no
 * MD5 of them: only root can change them), when the admindir is below the root.
 * @m: initialised manifest; code files added with their installed paths, and
 * @m left sorted. On failure entries may have been added: discard @m.
 * @opts: admindir, root, threads, report, progress; may be NULL.
 * @stats: receives the counts (all zeroed first); may be NULL.
 * Threads: starts @opts->threads workers and joins them before returning
 * (@opts->progress runs on the calling thread meanwhile, see above);
 * @opts->report runs on the calling thread after they finish, in the order of
 * the md5sums files (by name) and of their lines, then of the status file.
 * Return: 0 (CHANGED and the other left-out reports are not failures); on
 * failure one FAILED report and the code: -errno (admindir, its info directory,
 * an md5sums, the status or the diversions file, or the root cannot be read),
 * VOUCH_E_MANIFEST_LINE (a malformed md5sums, status or diversions line; the
 * report carries the file and line), VOUCH_E_TOOBIG, VOUCH_E_RANGE (bad
 * @opts->threads), -ENOMEM, VOUCH_E_CRYPTO.
 */
int vouch_manifest_scan_dpkg(struct vouch_manifest *m, const struct vouch_scan_opts *opts,
                             struct vouch_scan_stats *stats);

#endif
