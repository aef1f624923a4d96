/* SPDX-License-Identifier: Apache-2.0 */
/* vouch_update_apply(): a new policy and the files it vouches for, in place together. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vouch/apply.h"
#include "vouch/bundle.h"
#include "vouch/digest.h"
#include "vouch/error.h"
#include "vouch/file.h"
#include "vouch/install.h"
#include "vouch/journal.h"
#include "vouch/paths.h"
#include "vouch/store.h"

#define LOCK_NAME "update.lock"
/* A journal names at most VOUCH_JOURNAL_MAX_FILES pairs of paths in hex. */
#define JOURNAL_CAP ((size_t)VOUCH_JOURNAL_MAX_FILES * 4 * (VOUCH_JOURNAL_PATH_MAX + 8) + 4096)

/* One update at a time: an exclusive lock on STATE/update.lock, held until @fd closes. */
static int lock_state(const char *state, int *fd)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/" LOCK_NAME, state) >= sizeof(path))
		return -ENAMETOOLONG;
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int ret = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(*fd);
		*fd = -1;
		return ret;
	}
	return 0;
}

static int journal_path(const char *state, char path[static PATH_MAX])
{
	return (size_t)snprintf(path, PATH_MAX, "%s/" VOUCH_STATE_JOURNAL, state) >= PATH_MAX
	           ? -ENAMETOOLONG
	           : 0;
}

static int journal_write(const char *state, const struct vouch_journal *j)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	int ret = journal_path(state, path);

	if (!ret)
		ret = vouch_journal_format(j, &text, &len);
	if (!ret)
		ret = vouch_file_write_atomic(path, text, len, 0600, 0);
	free(text);
	return ret;
}

static int journal_remove(const char *state)
{
	char path[PATH_MAX];
	int ret = journal_path(state, path);

	if (ret)
		return ret;
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	return vouch_fsync_dir_at(AT_FDCWD, state);
}

/* Rename @tmp over @dest if @tmp is still there (a second run of a commit is harmless). */
static int commit_one(const char *tmp, const char *dest)
{
	struct stat st;

	if (lstat(tmp, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	return vouch_file_commit(tmp, dest, 0);
}

/* The recovery itself, under the lock. */
static int recover_locked(const char *state, int *done)
{
	struct vouch_journal j;
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	int ret = journal_path(state, path);

	*done = 0;
	if (ret)
		return ret;
	/* A journal's own write that was cut short leaves its temporary file. */
	vouch_file_remove_stale(path);
	ret = vouch_file_read(path, JOURNAL_CAP, &text, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	ret = vouch_journal_parse(&j, text, len);
	free(text);
	if (ret)
		goto out;
	if (j.pid != (long)getpid() && kill((pid_t)j.pid, 0) == 0) {
		ret = -EBUSY;
		goto out;
	}
	for (size_t i = 0; i < j.nfiles; i++) {
		if (j.phase == VOUCH_JOURNAL_STAGE) {
			vouch_file_remove_stale(j.files[i].dest);
		} else {
			ret = commit_one(j.files[i].tmp, j.files[i].dest);
			if (ret)
				goto out;
		}
	}
	ret = journal_remove(state);
	if (!ret)
		*done = j.phase == VOUCH_JOURNAL_STAGE ? 1 : 2;
out:
	vouch_journal_free(&j);
	return ret;
}

int vouch_update_recover(const char *state, int *done)
{
	int fd = -1, ret = lock_state(state, &fd);

	*done = 0;
	if (ret)
		return ret;
	ret = recover_locked(state, done);
	close(fd);
	return ret;
}

/* A destination is an absolute path of plain components, its directory there. */
static int dest_ok(const struct vouch_apply_file *f)
{
	char copy[PATH_MAX];
	const char *p = f->dest;
	struct stat st;
	size_t n;

	if (!p || p[0] != '/' || (f->mode & ~(mode_t)0777))
		return -EINVAL;
	n = strlen(p);
	if (n >= PATH_MAX || n > VOUCH_JOURNAL_PATH_MAX - 32 || p[n - 1] == '/')
		return -EINVAL;
	for (const char *c = p; *c; c++)
		if (c[0] == '/' && (c[1] == '/' || (c[1] == '.' && (c[2] == '/' || !c[2])) ||
		                    (c[1] == '.' && c[2] == '.' && (c[3] == '/' || !c[3]))))
			return -EINVAL;
	if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return -EISDIR;
	memcpy(copy, p, n + 1);
	if (stat(dirname(copy), &st) != 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Whether the policy in force after the update vouches for @f's bytes. */
static int vouched(const struct vouch_bundle *b, struct vouch_store_reader *r,
                   const struct vouch_cpolicy *cp, const struct vouch_apply_file *f)
{
	uint8_t h[VOUCH_SHA256_LEN];
	struct vouch_trust_rec rec;
	int ret = vouch_sha256(f->data, f->len, h);

	if (ret)
		return ret;
	if (f->len > vouch_cpolicy_max_size(cp))
		return VOUCH_E_NOTFOUND;
	ret = b ? vouch_bundle_lookup(b, h, &rec) : vouch_store_lookup(r, h, &rec);
	if (ret)
		return ret;
	if ((rec.flags & VOUCH_TRUST_DENY) ||
	    !(rec.flags & (VOUCH_TRUST_ALLOW | VOUCH_TRUST_MANIFEST)))
		return VOUCH_E_NOTFOUND;
	return 0;
}

int vouch_update_apply(const char *state, const uint8_t *bundle, size_t blen,
                       const struct vouch_pubkey *pk, const struct vouch_apply_file *files,
                       size_t nfiles, int64_t now, struct vouch_apply_info *info)
{
	struct vouch_apply_info dummy;
	struct vouch_bundle b = {0};
	struct vouch_sig sig;
	struct vouch_store *store = NULL;
	struct vouch_store_reader *reader = NULL;
	struct vouch_policy_staged *pst = NULL;
	struct vouch_install_info iinfo;
	struct vouch_journal j = {0};
	char(*tmps)[PATH_MAX] = NULL;
	size_t nstaged = 0, nj;
	bool policy_staged = false, journaled = false;
	int lockfd = -1, ret;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (nfiles + 2 > VOUCH_JOURNAL_MAX_FILES || (!bundle && !nfiles))
		return -EINVAL;
	info->at = VOUCH_APPLY_AT_JOURNAL;
	ret = lock_state(state, &lockfd);
	if (ret)
		return ret;
	ret = recover_locked(state, &info->recovered);
	if (ret)
		goto out;

	/* Every check first: the policy, then each file against the policy in force after. */
	info->at = VOUCH_APPLY_AT_POLICY;
	if (bundle) {
		ret = vouch_bundle_parse(&b, &sig, bundle, blen);
		if (ret)
			goto out;
	} else {
		char path[PATH_MAX];

		if ((size_t)snprintf(path, sizeof(path), "%s/" VOUCH_STATE_STORE, state) >=
		    sizeof(path)) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		ret = vouch_store_open(&store, path);
		if (!ret)
			ret = vouch_store_reader_create(store, &reader);
		if (ret)
			goto out;
	}
	info->at = VOUCH_APPLY_AT_FILE;
	for (size_t i = 0; i < nfiles; i++) {
		info->file = i;
		ret = dest_ok(&files[i]);
		if (!ret)
			ret = vouched(bundle ? &b : NULL, reader,
			              bundle ? &b.policy : vouch_store_policy(store), &files[i]);
		if (ret)
			goto out;
	}
	ret = -ENOMEM;
	pst = calloc(1, sizeof(*pst));
	tmps = calloc(nfiles ? nfiles : 1, sizeof(*tmps));
	j.files = calloc(nfiles + 2, sizeof(*j.files));
	if (!pst || !tmps || !j.files)
		goto out;

	/* The stage phase, journaled before the first file is written. */
	info->at = VOUCH_APPLY_AT_JOURNAL;
	j.phase = VOUCH_JOURNAL_STAGE;
	j.pid = (long)getpid();
	nj = 0;
	if (bundle) {
		/* vouch_policy_stage() names them, as the journal must (checked above). */
		snprintf(pst->store, sizeof(pst->store), "%s/" VOUCH_STATE_STORE, state);
		snprintf(pst->copy, sizeof(pst->copy), "%s/" VOUCH_STATE_BUNDLE, state);
		j.files[nj++].dest = strdup(pst->store);
		j.files[nj++].dest = strdup(pst->copy);
		if (!j.files[0].dest || !j.files[1].dest) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < nfiles; i++)
		j.files[nj++].dest = (char *)files[i].dest;
	j.nfiles = nj;
	ret = journal_write(state, &j);
	if (ret)
		goto out;
	journaled = true;
	if (bundle) {
		info->at = VOUCH_APPLY_AT_POLICY;
		ret = vouch_policy_stage(state, &b, &sig, bundle, blen, pk, 0, now, &iinfo, pst);
		info->previous = iinfo.previous;
		if (ret)
			goto out;
		policy_staged = true;
	}
	info->at = VOUCH_APPLY_AT_FILE;
	for (size_t i = 0; i < nfiles; i++) {
		info->file = i;
		ret = vouch_file_stage(files[i].dest, files[i].data, files[i].len, files[i].mode,
		                       tmps[i]);
		if (ret)
			goto out;
		nstaged++;
	}

	/* The commit phase: once this journal is durable, the update will happen. */
	info->at = VOUCH_APPLY_AT_JOURNAL;
	j.phase = VOUCH_JOURNAL_COMMIT;
	nj = 0;
	if (bundle) {
		j.files[nj++].tmp = pst->store_tmp;
		j.files[nj++].tmp = pst->copy_tmp;
	}
	for (size_t i = 0; i < nfiles; i++)
		j.files[nj++].tmp = tmps[i];
	ret = journal_write(state, &j);
	if (ret)
		goto out;
	/* From here on nothing is undone: a failure is finished by the next run. */
	policy_staged = false;
	nstaged = 0;
	journaled = false;
	for (size_t i = 0; i < j.nfiles; i++) {
		info->at = i < (bundle ? 2u : 0u) ? VOUCH_APPLY_AT_POLICY : VOUCH_APPLY_AT_FILE;
		info->file = i - (bundle ? 2u : 0u);
		ret = commit_one(j.files[i].tmp, j.files[i].dest);
		if (ret)
			goto out;
	}
	info->at = VOUCH_APPLY_AT_JOURNAL;
	ret = journal_remove(state);
	if (!ret)
		info->at = VOUCH_APPLY_AT_NONE;
out:
	for (size_t i = 0; i < nstaged; i++)
		vouch_file_discard(tmps[i]);
	if (policy_staged)
		vouch_policy_discard(pst);
	if (journaled && ret)
		(void)journal_remove(state);
	if (bundle && j.files) {
		free(j.files[0].dest); /* the others are borrowed */
		free(j.files[1].dest);
	}
	free(j.files);
	free(tmps);
	free(pst);
	vouch_store_reader_destroy(reader);
	vouch_store_close(store);
	vouch_bundle_free(&b);
	if (lockfd >= 0)
		close(lockfd);
	return ret;
}
