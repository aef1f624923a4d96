/* SPDX-License-Identifier: Apache-2.0 */
/* TUF's JSON: parsing a buffer with jansson, and OLPC canonical JSON (securesystemslib's
 * encode_canonical). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tuf-internal.h"
#include "vouch/error.h"
#include "vouch/grow.h"
#include "vouch/json.h"
#include "vouch/tuf.h"

/* The deepest nesting canonicalized: metadata is a few levels deep; this bounds the recursion. */
#define CANON_DEPTH 64

struct buf {
	char *p;
	size_t len, cap;
};

static int put(struct buf *b, const char *s, size_t n)
{
	void *p = b->p;
	size_t need;

	if (__builtin_add_overflow(b->len, n, &need) || __builtin_add_overflow(need, 1, &need))
		return -ENOMEM;
	if (vouch_grow(&p, &b->cap, need, 1))
		return -ENOMEM;
	b->p = p;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/*
 * A string as encode_canonical writes it: between quotes, '\\' and '"' preceded by '\\', every
 * other byte as it is. jansson's strings are valid UTF-8 already; checked again because a
 * json_t may come from json_stringn_nocheck(), and NUL (JSON_ALLOW_NUL) is refused: no
 * implementation agrees on its spelling.
 */
static int put_string(struct buf *b, const char *s, size_t n)
{
	size_t i, run = 0;
	int ret;

	if (!vouch_utf8_valid(s, n) || memchr(s, '\0', n))
		return VOUCH_E_TUF;
	if ((ret = put(b, "\"", 1)))
		return ret;
	for (i = 0; i < n; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		if ((ret = put(b, s + run, i - run)) || (ret = put(b, "\\", 1)))
			return ret;
		run = i;
	}
	if ((ret = put(b, s + run, n - run)))
		return ret;
	return put(b, "\"", 1);
}

struct member {
	const char *key;
	size_t klen;
	json_t *value;
};

/* By the bytes of the names: what Python's sort of str gives too (UTF-8 keeps code point order). */
static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static int canon(struct buf *b, const json_t *v, int depth)
{
	char num[32];
	int ret = 0;

	if (depth > CANON_DEPTH)
		return VOUCH_E_TUF;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		struct member *m = NULL;
		const char *key;
		json_t *value;

		if (n && !(m = calloc(n, sizeof(*m))))
			return -ENOMEM;
		/* jansson's iteration macro takes a non-const object; nothing is modified. */
		json_object_foreach((json_t *)v, key, value)
		{
			if (i == n)
				break;
			m[i].key = key;
			m[i].klen = strlen(key);
			m[i].value = value;
			i++;
		}
		if (n)
			qsort(m, i, sizeof(*m), member_cmp);
		ret = put(b, "{", 1);
		for (size_t j = 0; !ret && j < i; j++) {
			if (j && (ret = put(b, ",", 1)))
				break;
			if ((ret = put_string(b, m[j].key, m[j].klen)) || (ret = put(b, ":", 1)))
				break;
			ret = canon(b, m[j].value, depth + 1);
		}
		free(m);
		return ret ? ret : put(b, "}", 1);
	}
	case JSON_ARRAY:
		if ((ret = put(b, "[", 1)))
			return ret;
		for (size_t j = 0; j < json_array_size(v); j++) {
			if (j && (ret = put(b, ",", 1)))
				return ret;
			if ((ret = canon(b, json_array_get(v, j), depth + 1)))
				return ret;
		}
		return put(b, "]", 1);
	case JSON_STRING:
		return put_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER: {
		int n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));

		if (n < 0 || (size_t)n >= sizeof(num))
			return VOUCH_E_TUF;
		return put(b, num, (size_t)n);
	}
	case JSON_TRUE:
		return put(b, "true", 4);
	case JSON_FALSE:
		return put(b, "false", 5);
	case JSON_NULL:
		return put(b, "null", 4);
	case JSON_REAL:
	default:
		return VOUCH_E_TUF;
	}
}

int vouch_tuf_canonical(const json_t *v, char **out, size_t *len)
{
	struct buf b = {0};
	int ret;

	*out = NULL;
	*len = 0;
	if (!v)
		return VOUCH_E_TUF;
	ret = canon(&b, v, 0);
	if (!ret && !b.p)
		ret = -ENOMEM;
	if (ret) {
		free(b.p);
		return ret;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

char *vouch_tuf_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

int vouch_tuf_parse(json_t **v, const uint8_t *bytes, size_t len)
{
	json_error_t err;

	*v = NULL;
	if (!bytes || !len)
		return VOUCH_E_TUF;
	/*
	 * Duplicate names are refused: two readers could otherwise see two values of one
	 * member (one the signature covers, another the client acts on). No NUL in strings
	 * (jansson's default), nothing after the value (JSON_DISABLE_EOF_CHECK not set).
	 */
	*v = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!*v)
		return json_error_code(&err) == json_error_out_of_memory ? -ENOMEM : VOUCH_E_TUF;
	return 0;
}
