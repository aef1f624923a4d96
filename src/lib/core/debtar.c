/* SPDX-License-Identifier: Apache-2.0 */
/* The tar archives of a .deb read as a stream: every header checked, every code file hashed (no
 * I/O). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/deb.h"
#include "vouch/digest.h"
#include "vouch/error.h"
#include "vouch/grow.h"
#include "vouch/manifest.h"

/* What an entry is, once read. */
enum kind {
	K_FILE = 1, /* a regular file, or a hard link to one */
	K_DIR,
	K_SYMLINK,
	K_OTHER, /* device, FIFO */
};

struct ent {
	char *path; /* normalised: no "./", no trailing '/'; "" is the root */
	uint64_t size;
	uint8_t sha256[VOUCH_SHA256_LEN];
	uint8_t kind; /* enum kind */
	uint8_t code; /* enum vouch_code_kind */
};

enum state {
	S_HEADER = 0, /* gathering a 512-byte header */
	S_LONG,       /* the bytes of a GNU long name or long link */
	S_DATA,       /* a regular file's bytes */
	S_PAD,        /* up to the next 512-byte boundary */
	S_END,        /* after the end-of-archive block: zeros only */
	S_FAILED,
};

struct vouch_debtar {
	unsigned flags;
	char member[24];
	enum state state;
	int err;
	struct vouch_deb_problem pb;

	uint8_t blk[VOUCH_TAR_BLOCK];
	size_t fill;

	/* A long name being read ('L' or 'K'), and those waiting for their entry. */
	char longtype;
	char *longbuf;
	size_t longsize, longhave;
	char *next_name, *next_link;

	/* The regular file being read: an index into @v. */
	size_t cur;
	uint64_t left, pad;
	uint8_t head[VOUCH_CODE_HEAD];
	size_t headn, headwant;
	bool hashing, keep_control;
	struct vouch_sha256 sha;

	char *control;
	size_t control_len;

	struct ent *v;
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1 into @v, 0 empty */
	size_t nslots;
	uint64_t path_bytes;

	struct vouch_debtar_stats st;
};

int vouch_debtar_create(struct vouch_debtar **out, unsigned flags, const char *member)
{
	struct vouch_debtar *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->flags = flags;
	snprintf(t->member, sizeof(t->member), "%s", member ? member : "");
	*out = t;
	return 0;
}

void vouch_debtar_destroy(struct vouch_debtar *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	free(t->slots);
	free(t->longbuf);
	free(t->next_name);
	free(t->next_link);
	free(t->control);
	vouch_sha256_wipe(&t->sha);
	free(t);
}

const struct vouch_deb_problem *vouch_debtar_problem(const struct vouch_debtar *t)
{
	return t->err == VOUCH_E_DEB ? &t->pb : NULL;
}

const char *vouch_debtar_control_text(const struct vouch_debtar *t, size_t *len)
{
	*len = t->control ? t->control_len : 0;
	return t->control;
}

static int fail(struct vouch_debtar *t, int err)
{
	t->err = err;
	t->state = S_FAILED;
	return err;
}

/* Refuse the archive because of @why, about the entry named by @n bytes at @name. */
static int refuse(struct vouch_debtar *t, const char *why, const char *name, size_t n)
{
	memcpy(t->pb.member, t->member, sizeof(t->pb.member));
	t->pb.why = why;
	if (!name)
		n = 0;
	if (n > sizeof(t->pb.name) - 1)
		n = sizeof(t->pb.name) - 1;
	if (n)
		memcpy(t->pb.name, name, n);
	t->pb.name[n] = '\0';
	return fail(t, VOUCH_E_DEB);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3u;
	return h;
}

/* The slot holding @path, or the empty slot where it would go. */
static size_t slot_of(const struct vouch_debtar *t, const char *path)
{
	size_t mask = t->nslots - 1, i = (size_t)fnv1a(path) & mask;

	while (t->slots[i] && strcmp(t->v[t->slots[i] - 1].path, path))
		i = (i + 1) & mask;
	return i;
}

static const struct ent *find(const struct vouch_debtar *t, const char *path)
{
	size_t i;

	if (!t->nslots)
		return NULL;
	i = slot_of(t, path);
	return t->slots[i] ? &t->v[t->slots[i] - 1] : NULL;
}

/* Keep the table at most half full. Return: 0 or -ENOMEM. */
static int rehash(struct vouch_debtar *t)
{
	size_t want = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *old = t->slots;
	size_t oldn = t->nslots;

	if (t->nslots && (t->n + 1) * 2 <= t->nslots)
		return 0;
	t->slots = calloc(want, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->nslots = want;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			t->slots[slot_of(t, t->v[old[i] - 1].path)] = old[i];
	free(old);
	return 0;
}

/* Add an entry named @path (taken over: freed on failure). Return: 0 or an error. */
static int add_entry(struct vouch_debtar *t, char *path, enum kind kind, struct ent **out)
{
	size_t len = strlen(path);
	size_t i;
	int ret;

	if (find(t, path)) {
		refuse(t, "a name that appears twice in the archive", path, len);
		free(path);
		return t->err;
	}
	if (t->n >= VOUCH_DEB_ENTRIES_MAX || t->path_bytes + len > VOUCH_MANIFEST_MAX) {
		refuse(t, "more entries than vouch reads in one archive", path, len);
		free(path);
		return t->err;
	}
	ret = rehash(t);
	if (!ret)
		ret = vouch_grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
	if (ret) {
		free(path);
		return fail(t, ret);
	}
	i = slot_of(t, path);
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	t->v[t->n].path = path;
	t->v[t->n].kind = (uint8_t)kind;
	t->slots[i] = (uint32_t)(t->n + 1);
	t->n++;
	t->path_bytes += len;
	*out = &t->v[t->n - 1];
	return 0;
}

/*
 * A numeric header field: octal digits after optional spaces, ended by NUL or
 * space with only NULs and spaces after (as dpkg reads it), or GNU's base-256 for
 * a non-negative number (first byte 0x80). Return: false if malformed or too large.
 */
static bool tar_number(const uint8_t *s, size_t n, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	if (s[0] == 0x80) {
		for (i = 1; i < n; i++) {
			if (*v >> 56)
				return false;
			*v = *v << 8 | s[i];
		}
		return true;
	}
	while (i < n && s[i] == ' ')
		i++;
	if (i == n || s[i] < '0' || s[i] > '7')
		return false;
	for (; i < n && s[i] >= '0' && s[i] <= '7'; i++) {
		if (*v >> 60)
			return false;
		*v = *v << 3 | (uint64_t)(s[i] - '0');
	}
	for (; i < n; i++)
		if (s[i] != '\0' && s[i] != ' ')
			return false;
	return true;
}

/* A numeric field that may also be GNU's negative base-256 (an mtime before 1970). */
static bool tar_number_any(const uint8_t *s, size_t n)
{
	uint64_t v;

	return s[0] == 0xff || tar_number(s, n, &v);
}

static bool all_zero(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i])
			return false;
	return true;
}

/*
 * The name @s (@n bytes, no NUL) as a path below the archive's root: NULL after
 * refusing it. "./a/b" and "a/b" are "a/b"; "./" and "." are the root, "".
 */
static char *normalise(struct vouch_debtar *t, const char *s, size_t n, bool dir)
{
	const char *p = s, *end = s + n;
	char *out;

	if (n == 0) {
		refuse(t, "an entry with an empty name", NULL, 0);
		return NULL;
	}
	if (s[0] == '/') {
		refuse(t, "an absolute name", s, n);
		return NULL;
	}
	if (n >= 2 && s[0] == '.' && s[1] == '/')
		p += 2;
	else if (n == 1 && s[0] == '.')
		p++;
	if (p < end && end[-1] == '/') {
		if (!dir) {
			refuse(t, "a name ending in '/' that is not a directory", s, n);
			return NULL;
		}
		end--;
	}
	if (p == end && !dir) {
		refuse(t, "an entry that names the archive's root but is not a directory", s, n);
		return NULL;
	}
	if ((size_t)(end - p) + 1 > VOUCH_MANIFEST_PATH_MAX) {
		refuse(t, "a name longer than a manifest path may be", s, n);
		return NULL;
	}
	for (const char *c = p; c < end;) {
		const char *slash = memchr(c, '/', (size_t)(end - c));
		size_t len = slash ? (size_t)(slash - c) : (size_t)(end - c);

		if (len == 0 || (len == 1 && c[0] == '.')) {
			refuse(t, "a name with an empty or \".\" component", s, n);
			return NULL;
		}
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			refuse(t, "a name with a \"..\" component", s, n);
			return NULL;
		}
		c += len + (slash ? 1 : 0);
		if (slash && c == end) {
			refuse(t, "a name with an empty component", s, n);
			return NULL;
		}
	}
	out = malloc((size_t)(end - p) + 1);
	if (!out) {
		fail(t, -ENOMEM);
		return NULL;
	}
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return out;
}

/* The header's name: the long name before it, or ustar's prefix "/" name, or the name. */
static char *header_name(struct vouch_debtar *t, bool posix, size_t *n)
{
	const char *name = (const char *)t->blk, *prefix = (const char *)t->blk + 345;
	size_t nn = strnlen(name, 100), pn = posix ? strnlen(prefix, 155) : 0;
	char *s;

	if (t->next_name) {
		s = t->next_name;
		t->next_name = NULL;
		*n = strlen(s);
		return s;
	}
	s = malloc(pn + 1 + nn + 1);
	if (!s)
		return NULL;
	if (pn) {
		memcpy(s, prefix, pn);
		s[pn] = '/';
		pn++;
	}
	memcpy(s + pn, name, nn);
	s[pn + nn] = '\0';
	*n = pn + nn;
	return s;
}

static int header(struct vouch_debtar *t)
{
	static const uint8_t gnu[8] = {'u', 's', 't', 'a', 'r', ' ', ' ', '\0'};
	static const uint8_t posix[8] = {'u', 's', 't', 'a', 'r', '\0', '0', '0'};
	const uint8_t *b = t->blk;
	const bool control = t->flags & VOUCH_DEBTAR_CONTROL;
	uint64_t sum = 0, want, size;
	char type = (char)b[156], *raw = NULL, *path = NULL, *link = NULL;
	size_t rawn = 0;
	bool is_posix;
	struct ent *e;
	enum kind kind;
	int ret;

	if (b[0] == '\0') {
		if (!all_zero(b, VOUCH_TAR_BLOCK))
			return refuse(t, "a header with an empty name", NULL, 0);
		if (t->next_name || t->next_link)
			return refuse(t, "a GNU long name that no entry follows", NULL, 0);
		t->state = S_END;
		return 0;
	}
	for (size_t i = 0; i < VOUCH_TAR_BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : b[i];
	if (!tar_number(b + 148, 8, &want) || want != sum)
		return refuse(t, "a tar header whose checksum is wrong", (const char *)b,
		              strnlen((const char *)b, 100));
	if (!memcmp(b + 257, gnu, 8))
		is_posix = false;
	else if (!memcmp(b + 257, posix, 8))
		is_posix = true;
	else
		return refuse(t, "a tar header that is neither GNU nor POSIX ustar",
		              (const char *)b, strnlen((const char *)b, 100));
	if (!tar_number(b + 124, 12, &size))
		return refuse(t, "a tar header with a malformed size", (const char *)b,
		              strnlen((const char *)b, 100));
	if (!tar_number_any(b + 100, 8) || !tar_number_any(b + 108, 8) ||
	    !tar_number_any(b + 116, 8) || !tar_number_any(b + 136, 12))
		return refuse(t, "a tar header with a malformed number", (const char *)b,
		              strnlen((const char *)b, 100));
	if (size > VOUCH_DEB_DATA_MAX)
		return refuse(t, "an entry larger than vouch reads", (const char *)b,
		              strnlen((const char *)b, 100));

	if (type == 'L' || type == 'K') {
		if ((type == 'L' && t->next_name) || (type == 'K' && t->next_link))
			return refuse(t, "two GNU long names for one entry", NULL, 0);
		if (size < 2 || size > VOUCH_MANIFEST_PATH_MAX + 1)
			return refuse(t, "a GNU long name of a size vouch does not read", NULL, 0);
		t->longbuf = malloc((size_t)size);
		if (!t->longbuf)
			return fail(t, -ENOMEM);
		t->longtype = type;
		t->longsize = (size_t)size;
		t->longhave = 0;
		t->pad = (VOUCH_TAR_BLOCK - size % VOUCH_TAR_BLOCK) % VOUCH_TAR_BLOCK;
		t->state = S_LONG;
		return 0;
	}

	switch (type) {
	case '0':
	case '\0':
	case '1':
		kind = K_FILE;
		break;
	case '2':
		kind = K_SYMLINK;
		break;
	case '3':
	case '4':
	case '6':
		kind = K_OTHER;
		break;
	case '5':
		kind = K_DIR;
		break;
	default:
		return refuse(t,
		              type == 'x' || type == 'g'
		                  ? "a POSIX extended header (dpkg does not read them)"
		              : type == 'S' ? "a sparse file (dpkg does not unpack them)"
		                            : "an entry of a type dpkg does not unpack",
		              (const char *)b, strnlen((const char *)b, 100));
	}
	raw = header_name(t, is_posix, &rawn);
	if (!raw)
		return fail(t, -ENOMEM);
	if (t->next_link && type != '1' && type != '2') {
		ret =
		    refuse(t, "a GNU long link name before an entry that is not a link", raw, rawn);
		goto out;
	}
	/* dpkg reads the bytes of regular files only: any other size would be headers to it. */
	if (size && (type != '0' && type != '\0')) {
		ret = refuse(t, "an entry that is not a regular file but has a size", raw, rawn);
		goto out;
	}
	path = normalise(t, raw, rawn, kind == K_DIR);
	if (!path) {
		ret = t->err;
		goto out;
	}
	if (control && !(kind == K_DIR && path[0] == '\0') &&
	    (type != '0' && type != '\0' ? true : strchr(path, '/') != NULL)) {
		ret =
		    refuse(t, "control.tar holds something other than files at its top", raw, rawn);
		goto out;
	}
	if (type == '1') {
		const struct ent *target;
		const char *ln = t->next_link ? t->next_link : (const char *)b + 157;
		size_t lnn =
		    t->next_link ? strlen(t->next_link) : strnlen((const char *)b + 157, 100);

		link = normalise(t, ln, lnn, false);
		if (!link) {
			ret = t->err;
			goto out;
		}
		target = find(t, link);
		if (!target || target->kind != K_FILE) {
			ret = refuse(t, "a hard link to a name that is not an earlier file", raw,
			             rawn);
			goto out;
		}
		{
			const struct ent copy = *target;

			ret = add_entry(t, path, K_FILE, &e);
			path = NULL;
			if (ret)
				goto out;
			e->size = copy.size;
			e->code = copy.code;
			memcpy(e->sha256, copy.sha256, sizeof(e->sha256));
		}
		t->st.entries++;
		if (e->code != VOUCH_CODE_NONE) {
			t->st.files++;
			if (e->code == VOUCH_CODE_SCRIPT)
				t->st.scripts++;
			else
				t->st.elf++;
		} else {
			t->st.skipped++;
		}
		ret = 0;
		goto out;
	}
	if (type == '2' && !t->next_link && b[157] == '\0') {
		ret = refuse(t, "a symbolic link without a target", raw, rawn);
		goto out;
	}
	ret = add_entry(t, path, kind, &e);
	path = NULL;
	if (ret)
		goto out;
	t->st.entries++;
	if (kind != K_FILE) {
		t->st.skipped++;
		goto out;
	}
	e->size = size;
	t->cur = (size_t)(e - t->v);
	t->left = size;
	t->pad = (VOUCH_TAR_BLOCK - size % VOUCH_TAR_BLOCK) % VOUCH_TAR_BLOCK;
	t->headn = 0;
	t->headwant = size < VOUCH_CODE_HEAD ? (size_t)size : VOUCH_CODE_HEAD;
	t->hashing = false;
	t->keep_control = control && !strcmp(e->path, "control");
	if (t->keep_control) {
		if (size > VOUCH_DEB_CONTROL_FILE) {
			ret = refuse(t, "a control file larger than vouch reads", raw, rawn);
			goto out;
		}
		t->control = malloc((size_t)size + 1);
		if (!t->control) {
			ret = fail(t, -ENOMEM);
			goto out;
		}
		t->control_len = 0;
	}
	t->state = S_DATA;
	if (size == 0) {
		/* Empty: not code, and nothing to read. */
		t->st.skipped++;
		t->state = S_HEADER;
	}
out:
	free(raw);
	free(path);
	free(link);
	free(t->next_link);
	t->next_link = NULL;
	return ret;
}

/* The regular file's bytes: its head classifies it; a code file is hashed whole. */
static int data(struct vouch_debtar *t, const uint8_t *p, size_t n)
{
	struct ent *e = &t->v[t->cur];
	int ret;

	t->left -= n;
	if (t->keep_control) {
		memcpy(t->control + t->control_len, p, n);
		t->control_len += n;
	}
	if (t->headn < t->headwant) {
		size_t take = t->headwant - t->headn < n ? t->headwant - t->headn : n;

		memcpy(t->head + t->headn, p, take);
		t->headn += take;
		if (t->headn == t->headwant) {
			e->code = (uint8_t)vouch_code_classify(t->head, t->headn);
			if (e->code != VOUCH_CODE_NONE) {
				t->hashing = true;
				if ((ret = vouch_sha256_init(&t->sha)) ||
				    (ret = vouch_sha256_update(&t->sha, t->head, t->headn)))
					return fail(t, ret);
			}
		}
		p += take;
		n -= take;
	}
	if (t->hashing && n && (ret = vouch_sha256_update(&t->sha, p, n)))
		return fail(t, ret);
	return 0;
}

static int file_done(struct vouch_debtar *t)
{
	struct ent *e = &t->v[t->cur];
	int ret;

	if (t->hashing) {
		t->hashing = false;
		if ((ret = vouch_sha256_final(&t->sha, e->sha256)))
			return fail(t, ret);
		t->st.files++;
		t->st.bytes += e->size;
		if (e->code == VOUCH_CODE_SCRIPT)
			t->st.scripts++;
		else
			t->st.elf++;
	} else {
		t->st.skipped++;
	}
	t->keep_control = false;
	t->state = t->pad ? S_PAD : S_HEADER;
	return 0;
}

int vouch_debtar_feed(struct vouch_debtar *t, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int ret;

	while (len > 0) {
		size_t take;

		switch (t->state) {
		case S_FAILED:
			return t->err;
		case S_HEADER:
			take = VOUCH_TAR_BLOCK - t->fill < len ? VOUCH_TAR_BLOCK - t->fill : len;
			memcpy(t->blk + t->fill, p, take);
			t->fill += take;
			p += take;
			len -= take;
			if (t->fill == VOUCH_TAR_BLOCK) {
				t->fill = 0;
				if ((ret = header(t)))
					return ret;
			}
			break;
		case S_LONG:
			if (t->longhave < t->longsize) {
				take = t->longsize - t->longhave < len ? t->longsize - t->longhave
				                                       : len;
				memcpy(t->longbuf + t->longhave, p, take);
				t->longhave += take;
			} else {
				take = t->pad < len ? (size_t)t->pad : len;
				t->pad -= take;
			}
			p += take;
			len -= take;
			if (t->longhave == t->longsize && t->pad == 0) {
				/* One NUL, at the end: dpkg reads the name as a C string. */
				if (memchr(t->longbuf, '\0', t->longsize) !=
				    t->longbuf + t->longsize - 1)
					return refuse(t, "a GNU long name not ended by its one NUL",
					              NULL, 0);
				if (t->longtype == 'L')
					t->next_name = t->longbuf;
				else
					t->next_link = t->longbuf;
				t->longbuf = NULL;
				t->state = S_HEADER;
			}
			break;
		case S_DATA:
			take = t->left < len ? (size_t)t->left : len;
			if ((ret = data(t, p, take)))
				return ret;
			p += take;
			len -= take;
			if (t->left == 0 && (ret = file_done(t)))
				return ret;
			break;
		case S_PAD:
			take = t->pad < len ? (size_t)t->pad : len;
			t->pad -= take;
			p += take;
			len -= take;
			if (t->pad == 0)
				t->state = S_HEADER;
			break;
		case S_END:
			if (!all_zero(p, len))
				return refuse(t, "data after the end of the archive", NULL, 0);
			len = 0;
			break;
		}
	}
	return t->state == S_FAILED ? t->err : 0;
}

int vouch_debtar_finish(struct vouch_debtar *t, struct vouch_debtar_stats *st)
{
	if (t->state == S_FAILED)
		return t->err;
	if (t->state != S_END)
		return refuse(t, "the archive is cut short (no end-of-archive block)", NULL, 0);
	if (st)
		*st = t->st;
	return 0;
}

int vouch_debtar_add(const struct vouch_debtar *t, const char *prefix, struct vouch_manifest *m)
{
	size_t plen = strlen(prefix);
	char *path = malloc(VOUCH_MANIFEST_PATH_MAX + 1);
	int ret = 0;

	if (!path)
		return -ENOMEM;
	for (size_t i = 0; i < t->n && !ret; i++) {
		const struct ent *e = &t->v[i];
		size_t len = strlen(e->path);

		if (e->kind != K_FILE || e->code == VOUCH_CODE_NONE)
			continue;
		if (plen + len > VOUCH_MANIFEST_PATH_MAX) {
			ret = VOUCH_E_RANGE;
			break;
		}
		memcpy(path, prefix, plen);
		memcpy(path + plen, e->path, len + 1);
		ret = vouch_manifest_add(m, e->sha256, e->size, path);
	}
	free(path);
	return ret;
}
