/* SPDX-License-Identifier: Apache-2.0 */
/* Manifest text (strict parse, canonical sort, format) and code-file classification; no I/O. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vouch/error.h"
#include "vouch/grow.h"
#include "vouch/hex.h"
#include "vouch/manifest.h"

#define HEX_LEN    (2 * VOUCH_SHA256_LEN)
#define DIGITS_MAX 20 /* decimal digits of UINT64_MAX */

/* ELF identification and header fields this classifier reads (System V gABI). */
enum {
	EI_CLASS = 4,
	EI_DATA = 5,
	EI_VERSION = 6,
	E_TYPE = 16,
	ELF_HEAD_MIN = VOUCH_CODE_ELF_MIN, /* through e_type, the same offset in both classes */
	ELFCLASS32 = 1,
	ELFCLASS64 = 2,
	ELFDATA2LSB = 1,
	ELFDATA2MSB = 2,
	EV_CURRENT = 1,
	ET_EXEC = 2,
	ET_DYN = 3,
};

static const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'};

enum vouch_code_kind vouch_code_classify(const uint8_t *head, size_t len)
{
	unsigned type;

	if (len >= 2 && head[0] == '#' && head[1] == '!')
		return VOUCH_CODE_SCRIPT;
	if (len < ELF_HEAD_MIN || memcmp(head, elf_magic, sizeof(elf_magic)) != 0)
		return VOUCH_CODE_NONE;
	if (head[EI_CLASS] != ELFCLASS32 && head[EI_CLASS] != ELFCLASS64)
		return VOUCH_CODE_NONE;
	if (head[EI_DATA] != ELFDATA2LSB && head[EI_DATA] != ELFDATA2MSB)
		return VOUCH_CODE_NONE;
	if (head[EI_VERSION] != EV_CURRENT)
		return VOUCH_CODE_NONE;
	if (head[EI_DATA] == ELFDATA2LSB)
		type = (unsigned)head[E_TYPE] | (unsigned)head[E_TYPE + 1] << 8;
	else
		type = (unsigned)head[E_TYPE] << 8 | (unsigned)head[E_TYPE + 1];
	if (type == ET_EXEC)
		return VOUCH_CODE_ELF_EXEC;
	if (type == ET_DYN)
		return VOUCH_CODE_ELF_DYN;
	return VOUCH_CODE_NONE;
}

size_t vouch_manifest_escape(const char *path, char *out)
{
	size_t n = 0;

	for (const char *p = path; *p; p++) {
		if (*p == '\\' || *p == '\n' || *p == '\r') {
			out[n++] = '\\';
			out[n++] = *p == '\\' ? '\\' : *p == '\n' ? 'n' : 'r';
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return n;
}

int vouch_manifest_unescape(const char *in, size_t len, char *out, size_t cap, size_t *outlen)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		/* Only the escaped forms are canonical: a raw LF, CR or NUL never appears. */
		if (c == '\n' || c == '\r' || c == '\0')
			return VOUCH_E_MANIFEST_LINE;
		if (c == '\\') {
			if (++i == len)
				return VOUCH_E_MANIFEST_LINE;
			if (in[i] == '\\')
				c = '\\';
			else if (in[i] == 'n')
				c = '\n';
			else if (in[i] == 'r')
				c = '\r';
			else
				return VOUCH_E_MANIFEST_LINE;
		}
		if (n + 1 >= cap)
			return VOUCH_E_RANGE;
		out[n++] = c;
	}
	if (n >= cap)
		return VOUCH_E_RANGE;
	out[n] = '\0';
	*outlen = n;
	return 0;
}

void vouch_manifest_init(struct vouch_manifest *m)
{
	m->entries = NULL;
	m->count = 0;
	m->cap = 0;
}

/* Drop the entries from index @keep on, freeing their paths. */
static void truncate_to(struct vouch_manifest *m, size_t keep)
{
	for (size_t i = keep; i < m->count; i++)
		free(m->entries[i].path);
	m->count = keep;
}

void vouch_manifest_free(struct vouch_manifest *m)
{
	if (!m)
		return;
	truncate_to(m, 0);
	free(m->entries);
	vouch_manifest_init(m);
}

int vouch_manifest_add(struct vouch_manifest *m, const uint8_t sha256[static VOUCH_SHA256_LEN],
                       uint64_t size, const char *path)
{
	struct vouch_manifest_entry *e;
	size_t plen = strlen(path);
	char *copy;

	if (plen == 0 || plen > VOUCH_MANIFEST_PATH_MAX)
		return VOUCH_E_RANGE;
	if (m->count == m->cap) {
		void *v = m->entries;
		int ret = vouch_grow(&v, &m->cap, m->count + 1, sizeof(*m->entries));

		m->entries = v;
		if (ret)
			return ret;
	}
	copy = malloc(plen + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, path, plen + 1);
	e = &m->entries[m->count++];
	memcpy(e->sha256, sha256, VOUCH_SHA256_LEN);
	e->size = size;
	e->path = copy;
	return 0;
}

/* Decimal digits of @v into @buf (no NUL); returns their count. */
static size_t fmt_u64(uint64_t v, char buf[static DIGITS_MAX])
{
	char tmp[DIGITS_MAX];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/*
 * The bytes of a line after "<hex> ", produced one at a time: the size, a space,
 * then the escaped path. Lets sort compare lines without formatting them.
 */
struct tail {
	char num[DIGITS_MAX + 1];
	size_t nlen, ni;
	const unsigned char *p;
	int pending; /* second byte of an escape, or -1 */
};

static void tail_init(struct tail *t, const struct vouch_manifest_entry *e)
{
	t->nlen = fmt_u64(e->size, t->num);
	t->num[t->nlen++] = ' ';
	t->ni = 0;
	t->p = (const unsigned char *)e->path;
	t->pending = -1;
}

/* The next byte (0..255), or -1 at the end of the line. */
static int tail_next(struct tail *t)
{
	int c;

	if (t->ni < t->nlen)
		return (unsigned char)t->num[t->ni++];
	if (t->pending >= 0) {
		c = t->pending;
		t->pending = -1;
		return c;
	}
	if (!*t->p)
		return -1;
	c = *t->p++;
	if (c == '\\' || c == '\n' || c == '\r') {
		t->pending = c == '\\' ? '\\' : c == '\n' ? 'n' : 'r';
		return '\\';
	}
	return c;
}

/*
 * Bytewise order of the text lines. Lower-case hex preserves the order of the
 * digest bytes, so the digests compare directly; only equal digests need the tail.
 */
static int entry_cmp(const void *pa, const void *pb)
{
	const struct vouch_manifest_entry *a = pa, *b = pb;
	struct tail ta, tb;
	int r = memcmp(a->sha256, b->sha256, VOUCH_SHA256_LEN);

	if (r)
		return r;
	tail_init(&ta, a);
	tail_init(&tb, b);
	for (;;) {
		int ca = tail_next(&ta), cb = tail_next(&tb);

		/* -1 (end of line) sorts before every byte: a prefix comes first. */
		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (ca < 0)
			return 0;
	}
}

int vouch_manifest_sort(struct vouch_manifest *m)
{
	size_t out = 0;

	if (m->count < 2)
		return 0;
	qsort(m->entries, m->count, sizeof(m->entries[0]), entry_cmp);
	for (size_t i = 0; i < m->count; i++) {
		if (out > 0 && entry_cmp(&m->entries[out - 1], &m->entries[i]) == 0) {
			free(m->entries[i].path);
			continue;
		}
		m->entries[out++] = m->entries[i];
	}
	m->count = out;
	return 0;
}

/* Length of @path once escaped. */
static size_t escaped_len(const char *path)
{
	size_t n = 0;

	for (const char *p = path; *p; p++)
		n += (*p == '\\' || *p == '\n' || *p == '\r') ? 2 : 1;
	return n;
}

int vouch_manifest_format(const struct vouch_manifest *m, char **out, size_t *len)
{
	char digits[DIGITS_MAX];
	size_t total = 0, pos = 0;
	char *buf;

	for (size_t i = 0; i < m->count; i++) {
		const struct vouch_manifest_entry *e = &m->entries[i];
		size_t line = HEX_LEN + 1 + fmt_u64(e->size, digits) + 1 + escaped_len(e->path) + 1;

		if (__builtin_add_overflow(total, line, &total))
			return -ENOMEM;
	}
	if (total == SIZE_MAX)
		return -ENOMEM;
	buf = malloc(total + 1);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < m->count; i++) {
		const struct vouch_manifest_entry *e = &m->entries[i];

		vouch_hex_encode(e->sha256, VOUCH_SHA256_LEN, buf + pos);
		pos += HEX_LEN;
		buf[pos++] = ' ';
		pos += fmt_u64(e->size, buf + pos);
		buf[pos++] = ' ';
		pos += vouch_manifest_escape(e->path, buf + pos);
		buf[pos++] = '\n';
	}
	buf[pos] = '\0';
	*out = buf;
	*len = pos;
	return 0;
}

/* One line without its LF into @e; @path (VOUCH_MANIFEST_PATH_MAX + 1 bytes) gets the path. */
static int parse_line(const char *s, size_t len, struct vouch_manifest_entry *e, char *path)
{
	size_t i, start, plen = 0;
	uint64_t size = 0;

	if (len < HEX_LEN + 1)
		return VOUCH_E_MANIFEST_LINE;
	if (vouch_hex_decode(e->sha256, VOUCH_SHA256_LEN, s, HEX_LEN, 0, NULL))
		return VOUCH_E_MANIFEST_LINE;
	if (s[HEX_LEN] != ' ')
		return VOUCH_E_MANIFEST_LINE;
	start = i = HEX_LEN + 1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (__builtin_mul_overflow(size, 10, &size) ||
		    __builtin_add_overflow(size, (uint64_t)(s[i] - '0'), &size))
			return VOUCH_E_MANIFEST_LINE;
	}
	/* At least one digit, and no leading zero: one spelling per size. */
	if (i == start || (s[start] == '0' && i - start > 1))
		return VOUCH_E_MANIFEST_LINE;
	if (i >= len || s[i] != ' ')
		return VOUCH_E_MANIFEST_LINE;
	i++;
	if (i == len)
		return VOUCH_E_MANIFEST_LINE;
	if (vouch_manifest_unescape(s + i, len - i, path, VOUCH_MANIFEST_PATH_MAX + 1, &plen))
		return VOUCH_E_MANIFEST_LINE;
	e->size = size;
	return 0;
}

int vouch_manifest_parse(struct vouch_manifest *m, const char *text, size_t len, size_t *errline)
{
	const char *prev = NULL;
	size_t prevlen = 0, pos = 0, line = 0, keep = m->count;
	char *path = NULL;
	int ret;

	*errline = 0;
	if (len > VOUCH_MANIFEST_MAX)
		return VOUCH_E_TOOBIG;
	ret = -ENOMEM;
	path = malloc(VOUCH_MANIFEST_PATH_MAX + 1);
	if (!path)
		goto out;
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		struct vouch_manifest_entry e;
		size_t n;
		int r;

		line++;
		ret = VOUCH_E_MANIFEST_LINE;
		if (!nl)
			goto out;
		n = (size_t)(nl - s);
		ret = parse_line(s, n, &e, path);
		if (ret)
			goto out;
		/* Canonical lines: comparing the text is comparing the entries. */
		if (prev) {
			r = memcmp(prev, s, prevlen < n ? prevlen : n);
			ret = VOUCH_E_MANIFEST_ORDER;
			if (r > 0 || (r == 0 && prevlen >= n))
				goto out;
		}
		ret = vouch_manifest_add(m, e.sha256, e.size, path);
		if (ret)
			goto out;
		prev = s;
		prevlen = n;
		pos += n + 1;
	}
	ret = 0;
out:
	if (ret) {
		*errline = line;
		truncate_to(m, keep);
	}
	free(path);
	return ret;
}
