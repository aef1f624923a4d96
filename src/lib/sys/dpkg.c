/* SPDX-License-Identifier: Apache-2.0 */
/* Manifests of what dpkg installed: each code file checked against dpkg's MD5, then hashed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <openssl/evp.h>

#include "sys-internal.h"
#include "scan-int.h"
#include "vouch/dpkg.h"
#include "vouch/error.h"
#include "vouch/file.h"
#include "vouch/grow.h"

#define DB_FILE_MAX     (64u * 1024 * 1024)
#define THREADS_DEFAULT 2
#define THREADS_MAX     64
#define ADMINDIR        "/var/lib/dpkg"
#define PROGRESS_NS     100000000L /* progress reports ten times a second */

/* ---- vouch_manifest_scan_dpkg(): dpkg's installed files ---------------------------- */

enum job_state {
	J_NOTCODE,
	J_CODE,
	J_CHANGED,
	J_REPLACED,
	J_MISSING,
	J_UNREADABLE,
};

/* One listed file. The worker that takes it writes its result fields; no one else does. */
struct job {
	const char *rel; /* below the root, no leading "/"; points into a database buffer */
	const char *pkg;
	uint8_t md5[MD5_LEN];
	uint8_t state; /* enum job_state */
	uint8_t kind;  /* enum vouch_code_kind */
	bool nomd5;    /* a maintainer script: dpkg keeps no MD5 of it */
	int err;
	uint64_t size;
	uint8_t sha256[VOUCH_SHA256_LEN];
};

struct diversion {
	const char *from, *to, *pkg; /* from and to absolute */
};

struct db {
	char **bufs; /* file contents, kept: jobs and diversions point into them */
	size_t nbufs, capbufs;
	char **names; /* md5sums file names, cut to the package name */
	size_t nnames;
	struct job *jobs;
	size_t njobs, capjobs;
	struct diversion *div;
	size_t ndiv;
};

static void db_free(struct db *db)
{
	for (size_t i = 0; i < db->nbufs; i++)
		free(db->bufs[i]);
	for (size_t i = 0; i < db->nnames; i++)
		free(db->names[i]);
	free(db->bufs);
	free(db->names);
	free(db->jobs);
	free(db->div);
}

/* Keep @buf (owned from now on) until db_free(). */
static int db_keep(struct db *db, char *buf)
{
	int ret = vouch_grow((void **)&db->bufs, &db->capbufs, db->nbufs + 1, sizeof(*db->bufs));

	if (ret) {
		free(buf);
		return ret;
	}
	db->bufs[db->nbufs++] = buf;
	return 0;
}

/* @s, @len bytes that a dpkg parser found in @buf, made a C string in place. */
static const char *terminate(char *buf, const char *s, size_t len)
{
	/* The byte after it is no later record's (include/vouch/dpkg.h), or the NUL
	 * vouch_file_read() put after the data. */
	buf[(size_t)(s - buf) + len] = '\0';
	return s;
}

/* The jobs of one md5sums file (vouch_dpkg_md5sums_next(): "<md5>  <path>" lines). */
static int parse_md5sums(struct db *db, char *buf, size_t len, const char *pkg, size_t *errline)
{
	struct vouch_dpkg_cursor c;
	struct vouch_dpkg_md5sum l;
	int ret;

	vouch_dpkg_cursor_init(&c, buf, len);
	while ((ret = vouch_dpkg_md5sums_next(&c, &l)) == 1) {
		struct job *j;

		*errline = c.line;
		ret =
		    vouch_grow((void **)&db->jobs, &db->capjobs, db->njobs + 1, sizeof(*db->jobs));
		if (ret)
			return ret;
		j = &db->jobs[db->njobs++];
		memset(j, 0, sizeof(*j));
		memcpy(j->md5, l.md5, MD5_LEN);
		j->rel = terminate(buf, l.path, l.path_len);
		j->pkg = pkg;
	}
	*errline = ret ? c.line : 0;
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Report a failure in the database file @dir/@name (line @line, or 0). Returns @err. */
static int db_fail(const struct vouch_scan_opts *o, const char *dir, const char *name, size_t line,
                   int err)
{
	char path[PATH_MAX];

	if (name && snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path))
		dir = path;
	vouch_scan_report(o, VOUCH_SCAN_FAILED, dir, NULL, line, err);
	return err;
}

/*
 * Read dpkg's file @path whole and keep it with the database (its strings point
 * into it). Missing, when @may_miss: 0 with *@buf NULL. Errors reported as db_fail().
 */
static int db_read(struct db *db, const struct vouch_scan_opts *o, const char *path, bool may_miss,
                   char **buf, size_t *len)
{
	int ret = vouch_file_read(path, DB_FILE_MAX, buf, len);

	if (ret == -ENOENT && may_miss) {
		*buf = NULL;
		return 0;
	}
	if (!ret)
		ret = db_keep(db, *buf);
	return ret ? db_fail(o, path, NULL, 0, ret) : 0;
}

/*
 * The maintainer scripts dpkg runs as root (info/PACKAGE.preinst, postinst, prerm,
 * postrm, config): an upgrade runs the installed version's prerm and postrm, so they
 * are code the machine runs. dpkg records no MD5 of them; they are listed as found,
 * at their path below the root (@below: the admindir's, without the leading '/').
 * Return: 1 if @name is one (a job added), 0 if not, or an error.
 */
static int maint_script(struct db *db, const char *below, const char *name)
{
	static const char *const kinds[] = {".preinst", ".postinst", ".prerm", ".postrm",
	                                    ".config"};
	const char *dot = strrchr(name, '.');
	char *rel = NULL, *pkg = NULL;
	struct job *j;
	bool one = false;
	int ret;

	if (!below || !dot || dot == name)
		return 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		one = one || strcmp(dot, kinds[i]) == 0;
	if (!one)
		return 0;
	if (asprintf(&rel, "%s%sinfo/%s", below, *below ? "/" : "", name) < 0)
		return -ENOMEM;
	if ((ret = db_keep(db, rel)) != 0)
		return ret;
	if (!(pkg = strndup(name, (size_t)(dot - name))))
		return -ENOMEM;
	if ((ret = db_keep(db, pkg)) != 0)
		return ret;
	ret = vouch_grow((void **)&db->jobs, &db->capjobs, db->njobs + 1, sizeof(*db->jobs));
	if (ret)
		return ret;
	j = &db->jobs[db->njobs++];
	memset(j, 0, sizeof(*j));
	j->rel = rel;
	j->pkg = pkg;
	j->nomd5 = true;
	return 1;
}

/* Every info/PACKAGE.md5sums, in name order, and the maintainer scripts beside them. */
static int read_md5sums(struct db *db, const struct vouch_scan_opts *o, const char *admindir,
                        const char *below, struct vouch_scan_stats *st)
{
	char info[PATH_MAX], path[PATH_MAX];
	size_t capnames = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (snprintf(info, sizeof(info), "%s/info", admindir) >= (int)sizeof(info))
		return db_fail(o, admindir, NULL, 0, -ENAMETOOLONG);
	d = opendir(info);
	if (!d)
		return db_fail(o, info, NULL, 0, -errno);
	for (;;) {
		size_t nlen;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = db_fail(o, info, NULL, 0, -errno);
			break;
		}
		nlen = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		ret = maint_script(db, below, de->d_name);
		if (ret < 0) {
			db_fail(o, info, de->d_name, 0, ret);
			break;
		}
		st->maintscripts += (uint64_t)ret;
		ret = 0;
		if (nlen <= 8 || strcmp(de->d_name + nlen - 8, ".md5sums"))
			continue;
		ret =
		    vouch_grow((void **)&db->names, &capnames, db->nnames + 1, sizeof(*db->names));
		if (!ret && !(db->names[db->nnames] = strdup(de->d_name)))
			ret = -ENOMEM;
		if (ret) {
			db_fail(o, info, NULL, 0, ret);
			break;
		}
		db->nnames++;
	}
	closedir(d);
	if (ret)
		return ret;
	/* qsort() of no array is undefined (NULL): an info directory without md5sums. */
	if (db->nnames > 1)
		qsort(db->names, db->nnames, sizeof(*db->names), name_cmp);
	for (size_t i = 0; i < db->nnames; i++) {
		char *buf = NULL, *name = db->names[i];
		size_t len = 0, line = 0;

		if (snprintf(path, sizeof(path), "%s/%s", info, name) >= (int)sizeof(path))
			return db_fail(o, info, name, 0, -ENAMETOOLONG);
		ret = db_read(db, o, path, false, &buf, &len);
		if (ret)
			return ret;
		name[strlen(name) - 8] = '\0'; /* the package name, as jobs refer to it */
		ret = parse_md5sums(db, buf, len, name, &line);
		if (ret)
			return db_fail(o, path, NULL, line, ret);
	}
	st->packages = db->nnames;
	st->listed = db->njobs - st->maintscripts;
	return 0;
}

static int div_cmp(const void *a, const void *b)
{
	return strcmp(((const struct diversion *)a)->from, ((const struct diversion *)b)->from);
}

/* The diversions file (vouch_dpkg_diversions_next(): from, to, package). Missing: none. */
static int read_diversions(struct db *db, const struct vouch_scan_opts *o, const char *admindir)
{
	struct vouch_dpkg_cursor c;
	struct vouch_dpkg_diversion dv;
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0, cap = 0;
	int ret;

	if (snprintf(path, sizeof(path), "%s/diversions", admindir) >= (int)sizeof(path))
		return db_fail(o, admindir, NULL, 0, -ENAMETOOLONG);
	ret = db_read(db, o, path, true, &buf, &len);
	if (ret || !buf)
		return ret;
	vouch_dpkg_cursor_init(&c, buf, len);
	while ((ret = vouch_dpkg_diversions_next(&c, &dv)) == 1) {
		ret = vouch_grow((void **)&db->div, &cap, db->ndiv + 1, sizeof(*db->div));
		if (ret)
			return db_fail(o, path, NULL, 0, ret);
		db->div[db->ndiv++] = (struct diversion){terminate(buf, dv.from, dv.from_len),
		                                         terminate(buf, dv.to, dv.to_len),
		                                         terminate(buf, dv.pkg, dv.pkg_len)};
	}
	if (ret)
		return db_fail(o, path, NULL, c.line, ret);
	if (db->ndiv > 1) /* an empty diversions file leaves db->div NULL */
		qsort(db->div, db->ndiv, sizeof(*db->div), div_cmp);
	return 0;
}

/* Installed and configured: its conffiles in status are the ones on disk. */
static bool conffiles_current(enum vouch_dpkg_state state)
{
	return state == VOUCH_DPKG_INSTALLED || state == VOUCH_DPKG_TRIGGERS_AWAITED ||
	       state == VOUCH_DPKG_TRIGGERS_PENDING;
}

/* @p's name as its info files spell it: "pkg", or "pkg:arch" for Multi-Arch: same. Kept. */
static const char *package_name(struct db *db, const struct vouch_dpkg_package *p)
{
	size_t n = p->name_len + (p->multiarch_same && p->arch ? 1 + p->arch_len : 0);
	char *s = malloc(n + 1);

	if (!s)
		return NULL;
	memcpy(s, p->name, p->name_len);
	if (n > p->name_len) {
		s[p->name_len] = ':';
		memcpy(s + p->name_len + 1, p->arch, p->arch_len);
	}
	s[n] = '\0';
	return db_keep(db, s) ? NULL : s;
}

/*
 * The conffiles of installed packages, from the status file (dpkg keeps their MD5s
 * there, not in md5sums), as jobs. Missing: none. Obsolete ones, those the next
 * version removes and those not yet installed ("newconffile") are not the
 * package's now, and a package half installed or half configured may have the
 * new version's conffiles beside the old: neither is listed.
 */
static int read_status(struct db *db, const struct vouch_scan_opts *o, const char *admindir,
                       struct vouch_scan_stats *st)
{
	struct vouch_dpkg_cursor c, cc;
	struct vouch_dpkg_package pk;
	struct vouch_dpkg_conffile cf;
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0;
	int ret;

	if (snprintf(path, sizeof(path), "%s/status", admindir) >= (int)sizeof(path))
		return db_fail(o, admindir, NULL, 0, -ENAMETOOLONG);
	ret = db_read(db, o, path, true, &buf, &len);
	if (ret || !buf)
		return ret;
	vouch_dpkg_cursor_init(&c, buf, len);
	while ((ret = vouch_dpkg_status_next(&c, &pk)) == 1) {
		const char *pkg = NULL;

		if (!pk.conffiles || !conffiles_current(pk.state))
			continue;
		vouch_dpkg_conffiles_cursor(&cc, &pk);
		while ((ret = vouch_dpkg_conffiles_next(&cc, &cf)) == 1) {
			struct job *j;

			if (cf.obsolete || cf.remove_on_upgrade || !cf.has_md5)
				continue;
			while (cf.path_len > 0 && cf.path[0] == '/') {
				cf.path++;
				cf.path_len--;
			}
			if (cf.path_len == 0)
				continue; /* "/" itself: not a file */
			if (!pkg && !(pkg = package_name(db, &pk)))
				return db_fail(o, path, NULL, 0, -ENOMEM);
			ret = vouch_grow((void **)&db->jobs, &db->capjobs, db->njobs + 1,
			                 sizeof(*db->jobs));
			if (ret)
				return db_fail(o, path, NULL, 0, ret);
			j = &db->jobs[db->njobs++];
			memset(j, 0, sizeof(*j));
			memcpy(j->md5, cf.md5, MD5_LEN);
			/* Followed by the space before its MD5, which is read already. */
			j->rel = terminate(buf, cf.path, cf.path_len);
			j->pkg = pkg;
			st->conffiles++;
		}
		if (ret)
			return db_fail(o, path, NULL, cc.line, ret);
	}
	if (ret)
		return db_fail(o, path, NULL, c.line, ret);
	return 0;
}

/* "pkg" and "pkg:arch" name the same package for dpkg-divert. */
static bool same_package(const char *divpkg, const char *pkg)
{
	size_t n = strcspn(pkg, ":");

	return strlen(divpkg) == n && memcmp(divpkg, pkg, n) == 0;
}

/* Where dpkg put @j's file: diverted away unless @j's package is the diverting one. */
static bool apply_diversion(const struct db *db, struct job *j)
{
	size_t lo = 0, hi = db->ndiv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(db->div[mid].from + 1, j->rel);

		if (r == 0) {
			const struct diversion *dv = &db->div[mid];

			if (strcmp(dv->pkg, ":") != 0 && same_package(dv->pkg, j->pkg))
				return false;
			j->rel = dv->to + 1;
			return true;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

struct pool {
	struct job *jobs;
	size_t n;
	atomic_size_t next;
	atomic_size_t done; /* jobs checked, for progress */
	atomic_int err;     /* first fatal error of any worker */
	int rootfd;
};

static void check_job(struct pool *p, struct job *j, struct hasher *h)
{
	struct look r;
	struct stat st;
	int fd, ret;

	fd = vouch_scan_open_in_root(p->rootfd, j->rel, OPEN_FILE);
	if (fd == -ENOENT || fd == -ENOTDIR) {
		j->state = J_MISSING;
		return;
	}
	if (fd == -ELOOP) {
		/* O_NOFOLLOW: most likely the file itself is now a symlink; make sure. */
		int pfd =
		    vouch_scan_open_in_root(p->rootfd, j->rel, O_PATH | O_NOFOLLOW | O_CLOEXEC);

		ret = pfd >= 0 && fstat(pfd, &st) == 0 && S_ISLNK(st.st_mode);
		if (pfd >= 0)
			close(pfd);
		j->state = ret ? J_REPLACED : J_UNREADABLE;
		j->err = -ELOOP;
		return;
	}
	if (fd < 0) {
		j->state = J_UNREADABLE;
		j->err = fd;
		return;
	}
	if (fstat(fd, &st) != 0) {
		j->state = J_UNREADABLE;
		j->err = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		j->state = J_REPLACED;
	} else if ((ret = vouch_scan_examine(fd, h, &r)) != 0) {
		j->state = J_UNREADABLE;
		j->err = ret;
		if (ret == VOUCH_E_CRYPTO || ret == -ENOMEM) {
			int zero = 0;

			atomic_compare_exchange_strong(&p->err, &zero, ret);
		}
	} else if (r.kind == VOUCH_CODE_NONE) {
		j->state = J_NOTCODE;
	} else {
		j->state = j->nomd5 || memcmp(r.md5, j->md5, MD5_LEN) == 0 ? J_CODE : J_CHANGED;
		j->kind = (uint8_t)r.kind;
		j->size = r.size;
		memcpy(j->sha256, r.sha256, VOUCH_SHA256_LEN);
	}
	close(fd);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct hasher h;
	int ret = vouch_scan_hasher_init(&h, true);

	if (ret) {
		int zero = 0;

		atomic_compare_exchange_strong(&p->err, &zero, ret);
		return NULL;
	}
	while (!atomic_load(&p->err)) {
		size_t i = atomic_fetch_add(&p->next, 1);

		if (i >= p->n)
			break;
		check_job(p, &p->jobs[i], &h);
		atomic_fetch_add(&p->done, 1);
	}
	vouch_scan_hasher_free(&h);
	return NULL;
}

/*
 * Report progress from this thread until the workers are done or one failed. A job's
 * package is never written by a worker: reading it beside them is safe.
 */
static void watch_pool(struct pool *p, const struct vouch_scan_opts *o)
{
	const struct timespec tick = {0, PROGRESS_NS};

	for (;;) {
		size_t done = atomic_load(&p->done), next = atomic_load(&p->next);
		const char *pkg = next > 0 ? p->jobs[(next <= p->n ? next : p->n) - 1].pkg : NULL;

		if (done >= p->n || atomic_load(&p->err))
			break;
		o->progress(o->ctx, done, p->n, pkg);
		nanosleep(&tick, NULL);
	}
}

/* Check every job on @threads workers (or on this thread if none can start). */
static int run_pool(struct pool *p, unsigned threads, const struct vouch_scan_opts *o)
{
	pthread_t tid[THREADS_MAX];
	unsigned started = 0;

	for (unsigned i = 0; i < threads; i++)
		if (pthread_create(&tid[started], NULL, worker, p) == 0)
			started++;
	if (started == 0)
		worker(p);
	else if (o->progress)
		watch_pool(p, o);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (o->progress && !atomic_load(&p->err))
		o->progress(o->ctx, p->n, p->n, p->n ? p->jobs[p->n - 1].pkg : NULL);
	return atomic_load(&p->err);
}

/* Turn the workers' results into manifest lines and reports, in job order. */
static int collect(struct vouch_manifest *m, const struct db *db, const struct vouch_scan_opts *o,
                   struct vouch_scan_stats *st)
{
	char *path = malloc(VOUCH_MANIFEST_PATH_MAX + 2);
	int ret = 0;

	if (!path)
		return -ENOMEM;
	for (size_t i = 0; i < db->njobs; i++) {
		const struct job *j = &db->jobs[i];
		size_t rlen = strlen(j->rel);

		if (rlen >= VOUCH_MANIFEST_PATH_MAX) {
			vouch_scan_report(o, VOUCH_SCAN_UNREADABLE, j->rel, j->pkg, 0,
			                  -ENAMETOOLONG);
			st->unreadable++;
			continue;
		}
		path[0] = '/';
		memcpy(path + 1, j->rel, rlen + 1);
		switch ((enum job_state)j->state) {
		case J_NOTCODE:
			st->skipped++;
			break;
		case J_CODE:
			ret = vouch_manifest_add(m, j->sha256, j->size, path);
			if (ret)
				goto out;
			if (j->kind == VOUCH_CODE_SCRIPT)
				st->scripts++;
			else
				st->elf++;
			st->bytes += j->size;
			break;
		case J_CHANGED:
		case J_REPLACED:
			st->changed++;
			vouch_scan_report(
			    o, j->state == J_CHANGED ? VOUCH_SCAN_CHANGED : VOUCH_SCAN_REPLACED,
			    path, j->pkg, 0, 0);
			break;
		case J_MISSING:
			st->missing++;
			vouch_scan_report(o, VOUCH_SCAN_MISSING, path, j->pkg, 0, 0);
			break;
		case J_UNREADABLE:
			st->unreadable++;
			vouch_scan_report(o, VOUCH_SCAN_UNREADABLE, path, j->pkg, 0, j->err);
			break;
		}
	}
out:
	free(path);
	return ret;
}

/*
 * Where @admindir is below @root, as a path from the root without its leading '/'
 * (into @admbuf); NULL if it is not below it (its maintainer scripts are then not
 * where the root's dpkg runs them, and are not listed).
 */
static const char *admindir_below(const char *admindir, const char *root,
                                  char rootbuf[static PATH_MAX], char admbuf[static PATH_MAX])
{
	size_t rlen;

	if (!realpath(root, rootbuf) || !realpath(admindir, admbuf))
		return NULL;
	rlen = strlen(rootbuf);
	if (rlen == 1)
		return admbuf + 1; /* root "/" */
	if (strncmp(admbuf, rootbuf, rlen) != 0 || admbuf[rlen] != '/')
		return NULL;
	return admbuf + rlen + 1;
}

int vouch_manifest_scan_dpkg(struct vouch_manifest *m, const struct vouch_scan_opts *opts,
                             struct vouch_scan_stats *stats)
{
	static const struct vouch_scan_opts none;
	struct vouch_scan_stats dummy;
	struct db db;
	struct pool pool;
	const char *admindir, *root, *below;
	char rootbuf[PATH_MAX], admbuf[PATH_MAX];
	size_t before = m->count;
	unsigned threads;
	int ret;

	if (!opts)
		opts = &none;
	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	memset(&db, 0, sizeof(db));
	admindir = opts->admindir ? opts->admindir : ADMINDIR;
	root = opts->root ? opts->root : "/";
	threads = opts->threads ? opts->threads : THREADS_DEFAULT;
	pool.rootfd = -1;
	if (threads > THREADS_MAX) {
		ret = VOUCH_E_RANGE;
		vouch_scan_report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	pool.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pool.rootfd < 0) {
		ret = -errno;
		vouch_scan_report(opts, VOUCH_SCAN_FAILED, root, NULL, 0, ret);
		goto out;
	}
	ret = read_diversions(&db, opts, admindir);
	if (ret)
		goto out;
	below = admindir_below(admindir, root, rootbuf, admbuf);
	ret = read_md5sums(&db, opts, admindir, below, stats);
	if (ret)
		goto out;
	ret = read_status(&db, opts, admindir, stats);
	if (ret)
		goto out;
	for (size_t i = 0; i < db.njobs; i++)
		stats->diverted += apply_diversion(&db, &db.jobs[i]);
	pool.jobs = db.jobs;
	pool.n = db.njobs;
	atomic_init(&pool.next, 0);
	atomic_init(&pool.done, 0);
	atomic_init(&pool.err, 0);
	ret = run_pool(&pool, threads, opts);
	if (!ret)
		ret = collect(m, &db, opts, stats);
	if (!ret)
		ret = vouch_manifest_sort(m);
	if (ret) {
		vouch_scan_report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	stats->files = m->count >= before ? m->count - before : 0;
out:
	if (pool.rootfd >= 0)
		close(pool.rootfd);
	db_free(&db);
	return ret;
}
