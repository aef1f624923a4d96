/* SPDX-License-Identifier: Apache-2.0 */
/* The update journal's text: written one way, read back only in that spelling. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vouch/error.h"
#include "vouch/grow.h"
#include "vouch/hex.h"
#include "vouch/journal.h"

#define MAGIC "vouch-update-journal 1\n"

static bool path_ok(const char *p)
{
	size_t n;

	if (!p || p[0] != '/')
		return false;
	n = strnlen(p, VOUCH_JOURNAL_PATH_MAX + 1);
	return n <= VOUCH_JOURNAL_PATH_MAX;
}

static int check(const struct vouch_journal *j)
{
	if (j->phase != VOUCH_JOURNAL_STAGE && j->phase != VOUCH_JOURNAL_COMMIT)
		return VOUCH_E_JOURNAL;
	if (j->pid <= 0 || j->pid > INT32_MAX || j->nfiles > VOUCH_JOURNAL_MAX_FILES ||
	    (j->nfiles && !j->files))
		return VOUCH_E_JOURNAL;
	for (size_t i = 0; i < j->nfiles; i++) {
		const struct vouch_journal_file *f = &j->files[i];

		if (!path_ok(f->dest))
			return VOUCH_E_JOURNAL;
		if (j->phase == VOUCH_JOURNAL_STAGE ? f->tmp != NULL : !path_ok(f->tmp))
			return VOUCH_E_JOURNAL;
	}
	return 0;
}

int vouch_journal_format(const struct vouch_journal *j, char **out, size_t *len)
{
	size_t cap = sizeof(MAGIC) + 64, n;
	char *buf, *w;
	int ret = check(j);

	*out = NULL;
	*len = 0;
	if (ret)
		return ret;
	for (size_t i = 0; i < j->nfiles; i++)
		cap += 8 + 2 * strlen(j->files[i].dest) +
		       (j->files[i].tmp ? 2 * strlen(j->files[i].tmp) : 1);
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	n = (size_t)snprintf(buf, cap, MAGIC "phase %s\npid %ld\n",
	                     j->phase == VOUCH_JOURNAL_STAGE ? "stage" : "commit", j->pid);
	w = buf + n;
	for (size_t i = 0; i < j->nfiles; i++) {
		const struct vouch_journal_file *f = &j->files[i];
		size_t dl = strlen(f->dest);

		memcpy(w, "file ", 5);
		w += 5;
		vouch_hex_encode((const uint8_t *)f->dest, dl, w);
		w += 2 * dl;
		*w++ = ' ';
		if (f->tmp) {
			size_t tl = strlen(f->tmp);

			vouch_hex_encode((const uint8_t *)f->tmp, tl, w);
			w += 2 * tl;
		} else {
			*w++ = '-';
		}
		*w++ = '\n';
	}
	memcpy(w, "end\n", 4);
	w += 4;
	*out = buf;
	*len = (size_t)(w - buf);
	return 0;
}

bool vouch_next_line(const char *text, size_t len, size_t *at, const char **line, size_t *n)
{
	const char *nl;

	if (*at >= len)
		return false;
	nl = memchr(text + *at, '\n', len - *at);
	if (!nl)
		return false;
	*line = text + *at;
	*n = (size_t)(nl - *line);
	*at += *n + 1;
	return true;
}

int vouch_hex_path(const char *h, size_t n, bool absolute, char **out)
{
	char *p;

	*out = NULL;
	if (n == 0 || n % 2 || n / 2 > VOUCH_JOURNAL_PATH_MAX)
		return VOUCH_E_JOURNAL;
	p = malloc(n / 2 + 1);
	if (!p)
		return -ENOMEM;
	if (vouch_hex_decode((uint8_t *)p, n / 2, h, n, 0, NULL) != 0 || memchr(p, 0, n / 2) ||
	    (absolute && p[0] != '/')) {
		free(p);
		return VOUCH_E_JOURNAL;
	}
	p[n / 2] = 0;
	*out = p;
	return 0;
}

int vouch_journal_parse(struct vouch_journal *j, const char *text, size_t len)
{
	const char *line;
	size_t at = 0, n, cap = 0;
	uint64_t pid;
	int ret = VOUCH_E_JOURNAL;

	memset(j, 0, sizeof(*j));
	if (len < sizeof(MAGIC) - 1 || memcmp(text, MAGIC, sizeof(MAGIC) - 1) != 0)
		return VOUCH_E_JOURNAL;
	at = sizeof(MAGIC) - 1;
	if (!vouch_next_line(text, len, &at, &line, &n))
		return VOUCH_E_JOURNAL;
	if (n == 11 && !memcmp(line, "phase stage", 11))
		j->phase = VOUCH_JOURNAL_STAGE;
	else if (n == 12 && !memcmp(line, "phase commit", 12))
		j->phase = VOUCH_JOURNAL_COMMIT;
	else
		return VOUCH_E_JOURNAL;
	/* "pid N": decimal in its one spelling, 1..INT32_MAX. */
	if (!vouch_next_line(text, len, &at, &line, &n) || n < 5 || memcmp(line, "pid ", 4) ||
	    !vouch_dec_parse(line + 4, n - 4, &pid) || pid == 0 || pid > INT32_MAX)
		return VOUCH_E_JOURNAL;
	j->pid = (long)pid;
	for (;;) {
		struct vouch_journal_file *f;
		const char *sp;

		if (!vouch_next_line(text, len, &at, &line, &n))
			goto bad;
		if (n == 3 && !memcmp(line, "end", 3))
			break;
		if (n < 5 || memcmp(line, "file ", 5) || j->nfiles == VOUCH_JOURNAL_MAX_FILES)
			goto bad;
		sp = memchr(line + 5, ' ', n - 5);
		if (!sp)
			goto bad;
		ret = vouch_grow((void **)&j->files, &cap, j->nfiles + 1, sizeof(*j->files));
		if (ret)
			goto bad;
		f = &j->files[j->nfiles];
		memset(f, 0, sizeof(*f));
		j->nfiles++;
		ret = vouch_hex_path(line + 5, (size_t)(sp - line - 5), true, &f->dest);
		if (ret)
			goto bad;
		n -= (size_t)(sp + 1 - line);
		if (j->phase == VOUCH_JOURNAL_STAGE) {
			ret = VOUCH_E_JOURNAL;
			if (n != 1 || sp[1] != '-')
				goto bad;
		} else {
			ret = vouch_hex_path(sp + 1, n, true, &f->tmp);
			if (ret)
				goto bad;
		}
		ret = VOUCH_E_JOURNAL;
	}
	if (at != len)
		goto bad;
	return check(j);
bad:
	return ret ? ret : VOUCH_E_JOURNAL;
}

void vouch_journal_free(struct vouch_journal *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->nfiles; i++) {
		free(j->files[i].dest);
		free(j->files[i].tmp);
	}
	free(j->files);
	memset(j, 0, sizeof(*j));
}
