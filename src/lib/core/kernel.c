/* SPDX-License-Identifier: Apache-2.0 */
/* Sysctl values, module parameters, the lockdown level, the release, boot and build options (no
 * I/O). */
#include <errno.h>
#include <string.h>

#include "vouch/kernel.h"

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* @text without one final "\n": the length that is left. */
static size_t chomp(const char *text, size_t len)
{
	return len > 0 && text[len - 1] == '\n' ? len - 1 : len;
}

int vouch_kernel_int(const char *text, size_t len, int64_t *v)
{
	uint64_t n = 0, max;
	size_t i = 0;
	bool neg;

	*v = 0;
	len = chomp(text, len);
	neg = len > 0 && text[0] == '-';
	i = neg;
	/* One spelling: no leading zeros, no "-0". */
	if (i == len || (text[i] == '0' && (len - i > 1 || neg)))
		return -EINVAL;
	max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++)
		if (!digit(text[i]) || __builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(text[i] - '0'), &n) || n > max)
			return -EINVAL;
	*v = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
}

int vouch_kernel_bool(const char *text, size_t len, bool *v)
{
	len = chomp(text, len);
	if (len != 1 || (text[0] != 'Y' && text[0] != 'N'))
		return -EINVAL;
	*v = text[0] == 'Y';
	return 0;
}

int vouch_kernel_lockdown(const char *text, size_t len, enum vouch_lockdown *level)
{
	static const char *const names[] = {"none", "integrity", "confidentiality"};
	const char *p = text, *end;
	int chosen = -1;

	len = chomp(text, len);
	end = text + len;
	if (len == 0)
		return -EINVAL;
	for (;;) {
		const char *sp = memchr(p, ' ', (size_t)(end - p)), *w = p;
		size_t n = (size_t)((sp ? sp : end) - p);
		bool bracket = n >= 2 && w[0] == '[' && w[n - 1] == ']';
		int known = -1;

		if (bracket) {
			w++;
			n -= 2;
		}
		for (int i = 0; i < 3; i++)
			if (n == strlen(names[i]) && memcmp(w, names[i], n) == 0)
				known = i;
		if (known < 0 || (bracket && chosen >= 0))
			return -EINVAL;
		if (bracket)
			chosen = known;
		if (!sp)
			break;
		p = sp + 1;
	}
	if (chosen < 0)
		return -EINVAL;
	*level = (enum vouch_lockdown)chosen;
	return 0;
}

/* Decimal digits at *@p, at least one, at most 65535; *@p moves past them. */
static bool small_number(const char **p, const char *end, unsigned *v)
{
	unsigned n = 0;
	const char *s = *p;

	if (s == end || !digit(*s))
		return false;
	for (; s < end && digit(*s); s++) {
		n = n * 10 + (unsigned)(*s - '0');
		if (n > 65535)
			return false;
	}
	*p = s;
	*v = n;
	return true;
}

int vouch_kernel_release(const char *text, size_t len, unsigned *major, unsigned *minor)
{
	const char *p = text, *end = text + len;
	unsigned a, b;

	if (!small_number(&p, end, &a) || p == end || *p++ != '.' || !small_number(&p, end, &b))
		return -EINVAL;
	*major = a;
	*minor = b;
	return 0;
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Parameter names as the kernel compares them: '-' and '_' the same. */
static bool name_is(const char *s, size_t n, const char *name)
{
	if (n != strlen(name))
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = s[i] == '-' ? '_' : s[i], b = name[i] == '-' ? '_' : name[i];

		if (a != b)
			return false;
	}
	return true;
}

/* Copy @n bytes at @s into @val (@cap with the NUL). */
static int copy_value(const char *s, size_t n, char *val, size_t cap)
{
	if (cap == 0)
		return -ENAMETOOLONG;
	if (n >= cap) {
		val[0] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(val, s, n);
	val[n] = '\0';
	return 0;
}

int vouch_kernel_cmdline(const char *text, size_t len, const char *name, char *val, size_t cap)
{
	const char *p = text, *end = text + len, *found = NULL;
	size_t found_len = 0;

	if (cap > 0)
		val[0] = '\0';
	for (;;) {
		const char *w, *eq = NULL, *v;
		size_t i, n, vn;
		bool quote = false, quoted;

		while (p < end && space(*p))
			p++;
		if (p == end)
			break;
		/* A word: to white space outside quotes; a quote may open it or its value. */
		quoted = *p == '"';
		if (quoted)
			p++;
		w = p;
		quote = quoted;
		for (i = 0; w + i < end; i++) {
			if (space(w[i]) && !quote)
				break;
			if (!eq && w[i] == '=')
				eq = w + i;
			if (w[i] == '"')
				quote = !quote;
		}
		n = i;
		p = w + n;
		if (!quoted && n == 2 && w[0] == '-' && w[1] == '-')
			break; /* the rest is init's */
		if (!eq)
			continue;
		v = eq + 1;
		vn = (size_t)(w + n - v);
		if (vn > 0 && *v == '"') {
			v++;
			vn--;
			if (vn > 0 && v[vn - 1] == '"')
				vn--;
		} else if (quoted && vn > 0 && v[vn - 1] == '"') {
			vn--;
		}
		if (name_is(w, (size_t)(eq - w), name)) {
			found = v;
			found_len = vn;
		}
	}
	if (!found)
		return -ENOENT;
	return copy_value(found, found_len, val, cap);
}

int vouch_kernel_config(const char *text, size_t len, const char *name, char *val, size_t cap)
{
	const char *end = text + len, *found = NULL;
	size_t n = strlen(name), found_len = 0;

	if (cap > 0)
		val[0] = '\0';
	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t line = (size_t)((nl ? nl : end) - s);

		if (line > n && memcmp(s, name, n) == 0 && s[n] == '=') {
			found = s + n + 1;
			found_len = line - n - 1;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	if (!found)
		return -ENOENT;
	return copy_value(found, found_len, val, cap);
}
