/* SPDX-License-Identifier: Apache-2.0 */
/* The files one command reads and writes: no output may be an input, another output or a FIFO. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

void tool_files_init(struct tool_files *fs)
{
	memset(fs, 0, sizeof(*fs));
}

void tool_files_free(struct tool_files *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->v[i].path);
		free(fs->v[i].name);
	}
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

/*
 * Where @path's last component lives: the directory it resolves to (symlinks and
 * ".." as the kernel resolves them) and the name in it. A name that cannot be a
 * new file ("", ".", "..", a trailing "/") has no place; nor has one whose
 * directory cannot be reached (writing there fails anyway).
 */
static int probe_place(struct tool_file *f, const char *path)
{
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	struct stat st;
	int n;

	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (!slash)
		n = snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		n = snprintf(dir, sizeof(dir), "/");
	else
		n = snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (n < 0 || (size_t)n >= sizeof(dir) || stat(dir, &st) != 0)
		return 0;
	f->name = strdup(name);
	if (!f->name)
		return -ENOMEM;
	f->placed = true;
	f->pdev = st.st_dev;
	f->pino = st.st_ino;
	return 0;
}

int tool_files_add(struct tool_files *fs, const char *path, const char *role, bool output)
{
	struct tool_file *f;
	struct stat st;
	int ret;

	ret = vouch_grow((void **)&fs->v, &fs->cap, fs->n + 1, sizeof(*fs->v));
	if (ret)
		return ret;
	f = &fs->v[fs->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return -ENOMEM;
	f->role = role;
	f->output = output;
	if (stat(path, &st) == 0) {
		f->exists = true;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->mode = st.st_mode;
	}
	if (lstat(path, &st) == 0) {
		f->linked = true;
		f->ldev = st.st_dev;
		f->lino = st.st_ino;
	}
	ret = probe_place(f, path);
	if (ret) {
		free(f->path);
		return ret;
	}
	fs->n++;
	return 0;
}

bool tool_file_same(const struct tool_file *a, const struct tool_file *b)
{
	if (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino)
		return true;
	/* The same symbolic link (rename() would replace the link, not what it names). */
	if (a->linked && b->linked && a->ldev == b->ldev && a->lino == b->lino)
		return true;
	/* Not there yet: the same name in the same directory, however it was spelled. */
	return a->placed && b->placed && a->pdev == b->pdev && a->pino == b->pino &&
	       !strcmp(a->name, b->name);
}

/* One line naming @o, the output refused, and @x, the file it would be. EXIT_ERROR. */
static int clash(const char *cmd, const struct tool_file *o, const struct tool_file *x)
{
	bool same = !strcmp(o->path, x->path);

	if (x->output)
		tool_err(cmd, o->path,
		         "is the same file as %s%s%s%s, also to be written; "
		         "nothing written",
		         x->role, same ? "" : " (", same ? "" : x->path, same ? "" : ")");
	else
		tool_err(cmd, o->path, "is %s%s%s%s; not overwriting it with %s", x->role,
		         same ? "" : " (", same ? "" : x->path, same ? "" : ")", o->role);
	return EXIT_ERROR;
}

int tool_files_check(const char *cmd, const struct tool_files *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct tool_file *o = &fs->v[i];

		if (!o->output)
			continue;
		/* Replacing a FIFO, a device or /dev/stdout with a file is never what was meant. */
		if (o->exists && !S_ISREG(o->mode)) {
			tool_err(cmd, o->path, "%s; not replacing it with %s",
			         S_ISDIR(o->mode) ? "is a directory" : "is not a regular file",
			         o->role);
			return EXIT_ERROR;
		}
		for (size_t j = 0; j < fs->n; j++) {
			const struct tool_file *x = &fs->v[j];

			/* Each pair of outputs once, the earlier named as the one clashed with. */
			if (j == i || (x->output && j > i))
				continue;
			if (tool_file_same(o, x))
				return clash(cmd, o, x);
		}
	}
	return EXIT_OK;
}
