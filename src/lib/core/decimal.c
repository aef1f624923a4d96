/* SPDX-License-Identifier: Apache-2.0 */
/* Decimal numbers in the formats: one spelling each. */
#include "internal.h"

bool vouch_dec_parse(const char *s, size_t len, uint64_t *v)
{
	uint64_t n = 0;

	if (len == 0 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9' || __builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(s[i] - '0'), &n))
			return false;
	*v = n;
	return true;
}

size_t vouch_dec_span(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}
