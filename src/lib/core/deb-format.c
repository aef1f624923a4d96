/* SPDX-License-Identifier: Apache-2.0 */
/* A .deb's ar layout, its debian-binary and the Package field of its control file (no I/O). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vouch/deb.h"
#include "vouch/error.h"

static int refuse(struct vouch_deb_problem *pb, const char *member, const char *why,
                  const char *name, size_t n)
{
	snprintf(pb->member, sizeof(pb->member), "%s", member ? member : "");
	pb->why = why;
	if (n > sizeof(pb->name) - 1)
		n = sizeof(pb->name) - 1;
	memcpy(pb->name, name ? name : "", name ? n : 0);
	pb->name[name ? n : 0] = '\0';
	return VOUCH_E_DEB;
}

/*
 * An ar number field: decimal (or octal) digits from its first byte, then spaces
 * to its end; at least one digit. Return: false if malformed or past UINT64_MAX.
 */
static bool ar_number(const uint8_t *s, size_t n, unsigned base, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	for (; i < n && s[i] >= '0' && s[i] < '0' + base; i++) {
		if (__builtin_mul_overflow(*v, base, v) ||
		    __builtin_add_overflow(*v, s[i] - '0', v))
			return false;
	}
	if (i == 0)
		return false;
	for (; i < n; i++)
		if (s[i] != ' ')
			return false;
	return true;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The compression dpkg picks by the name's suffix; false for an unknown one. */
static bool suffix_comp(const char *suffix, bool data, enum vouch_deb_comp *c)
{
	static const struct {
		const char *s;
		enum vouch_deb_comp c;
		bool data_only;
	} known[] = {
	    {"", VOUCH_DEB_PLAIN, false},    {".gz", VOUCH_DEB_GZIP, false},
	    {".xz", VOUCH_DEB_XZ, false},    {".zst", VOUCH_DEB_ZSTD, false},
	    {".bz2", VOUCH_DEB_BZIP2, true},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(suffix, known[i].s) && (data || !known[i].data_only)) {
			*c = known[i].c;
			return true;
		}
	return false;
}

int vouch_deb_member(struct vouch_deb_layout *l, const uint8_t hdr[static VOUCH_AR_HEADER],
                     uint64_t filesize, struct vouch_deb_member *m, struct vouch_deb_problem *pb)
{
	uint64_t v, end;
	size_t n = 16;

	memset(m, 0, sizeof(*m));
	if (hdr[58] != '`' || hdr[59] != '\n')
		return refuse(pb, NULL, "an ar member header does not end in \"`\\n\"", NULL, 0);
	/* The name: printable ASCII, padded with spaces; GNU ar ends it with '/'. */
	while (n > 0 && hdr[n - 1] == ' ')
		n--;
	if (n > 0 && hdr[n - 1] == '/')
		n--;
	for (size_t i = 0; i < n; i++)
		if (hdr[i] <= ' ' || hdr[i] > '~' || hdr[i] == '/')
			return refuse(pb, NULL, "an ar member name is not printable ASCII", NULL,
			              0);
	if (n == 0)
		return refuse(pb, NULL, "an ar member has no name", NULL, 0);
	memcpy(m->name, hdr, n);
	m->name[n] = '\0';
	if (!ar_number(hdr + 16, 12, 10, &v) || !ar_number(hdr + 28, 6, 10, &v) ||
	    !ar_number(hdr + 34, 6, 10, &v) || !ar_number(hdr + 40, 8, 8, &v))
		return refuse(pb, NULL, "an ar member header has a malformed number", m->name, n);
	if (!ar_number(hdr + 48, 10, 10, &m->size))
		return refuse(pb, NULL, "an ar member has a malformed size", m->name, n);
	if (m->size > VOUCH_DEB_MAX)
		return refuse(pb, NULL, "an ar member is larger than vouch reads", m->name, n);
	/* The member's bytes and its padding to an even length must be in the file. */
	end = l->offset + VOUCH_AR_HEADER + m->size + (m->size & 1);
	if (end > filesize)
		return refuse(pb, NULL, "the file ends inside an ar member (truncated)", m->name,
		              n);

	if (!(l->seen & 1u << VOUCH_DEB_BINARY)) {
		if (strcmp(m->name, "debian-binary"))
			return refuse(pb, NULL,
			              "not a Debian binary package (its first member is not "
			              "debian-binary)",
			              m->name, n);
		m->part = VOUCH_DEB_BINARY;
	} else if (m->name[0] == '_') {
		m->part = VOUCH_DEB_IGNORED;
	} else if (starts(m->name, "control.tar")) {
		if (l->seen & 1u << VOUCH_DEB_CONTROL)
			return refuse(pb, NULL, "a second control member", m->name, n);
		if (l->seen & 1u << VOUCH_DEB_DATA)
			return refuse(pb, NULL, "the control member comes after the data member",
			              m->name, n);
		if (!suffix_comp(m->name + strlen("control.tar"), false, &m->comp))
			return refuse(pb, NULL,
			              "a control member compressed in a way dpkg does not read",
			              m->name, n);
		m->part = VOUCH_DEB_CONTROL;
	} else if (starts(m->name, "data.tar")) {
		if (l->seen & 1u << VOUCH_DEB_DATA)
			return refuse(pb, NULL, "a second data member", m->name, n);
		if (!(l->seen & 1u << VOUCH_DEB_CONTROL))
			return refuse(pb, NULL, "the data member comes before the control member",
			              m->name, n);
		if (!suffix_comp(m->name + strlen("data.tar"), true, &m->comp))
			return refuse(pb, NULL,
			              "a data member compressed in a way vouch does not read",
			              m->name, n);
		m->part = VOUCH_DEB_DATA;
	} else if (!strcmp(m->name, "debian-binary")) {
		return refuse(pb, NULL, "a second debian-binary member", m->name, n);
	} else {
		return refuse(pb, NULL, "an ar member that is not part of a Debian package",
		              m->name, n);
	}
	if ((m->part == VOUCH_DEB_CONTROL || m->part == VOUCH_DEB_DATA) && m->size == 0)
		return refuse(pb, NULL, "an empty tar member", m->name, n);
	l->seen |= 1u << m->part;
	l->offset = end;
	return 0;
}

int vouch_deb_layout_done(const struct vouch_deb_layout *l, struct vouch_deb_problem *pb)
{
	if (!(l->seen & 1u << VOUCH_DEB_BINARY))
		return refuse(pb, NULL, "not a Debian binary package (no debian-binary member)",
		              NULL, 0);
	if (!(l->seen & 1u << VOUCH_DEB_CONTROL))
		return refuse(pb, NULL, "no control member", NULL, 0);
	if (!(l->seen & 1u << VOUCH_DEB_DATA))
		return refuse(pb, NULL, "no data member", NULL, 0);
	return 0;
}

int vouch_deb_binary_check(const uint8_t *s, size_t len, struct vouch_deb_problem *pb)
{
	if (len != 4 || memcmp(s, "2.0\n", 4) != 0)
		return refuse(pb, "debian-binary", "not format version \"2.0\"", NULL, 0);
	return 0;
}

static bool name_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

int vouch_deb_control_package(const char *text, size_t len, char *out, size_t cap,
                              struct vouch_deb_problem *pb)
{
	const char *p = text, *end = text + len, *found = NULL;
	size_t found_len = 0;

	/* The first stanza: lines up to the first empty one. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n == 0)
			break;
		if (n > 8 && !memcmp(p, "Package:", 8)) {
			const char *v = p + 8, *ve = p + n;

			if (found)
				return refuse(pb, "control", "two Package fields", NULL, 0);
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			found = v;
			found_len = (size_t)(ve - v);
		}
		p = nl ? nl + 1 : end;
	}
	if (!found)
		return refuse(pb, "control", "no Package field", NULL, 0);
	if (found_len < 2 || found_len >= cap || found[0] == '+' || found[0] == '-' ||
	    found[0] == '.')
		return refuse(pb, "control", "a malformed Package field", found,
		              found_len < 64 ? found_len : 64);
	for (size_t i = 0; i < found_len; i++)
		if (!name_byte(found[i]))
			return refuse(pb, "control", "a malformed Package field", found,
			              found_len < 64 ? found_len : 64);
	memcpy(out, found, found_len);
	out[found_len] = '\0';
	return 0;
}
