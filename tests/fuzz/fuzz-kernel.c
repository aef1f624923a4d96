/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the kernel's text vouch doctor reads: every input as each kind of file. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/kernel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-kernel: %s\n", what);
	abort();
}

/* A value given back is NUL-terminated in its buffer, and its bytes are in the input. */
static void value_ok(int ret, const char *val, size_t cap, const char *text, size_t size)
{
	require(ret == 0 || ret == -ENOENT || ret == -ENAMETOOLONG, "undocumented return");
	require(memchr(val, '\0', cap) != NULL, "value not terminated");
	if (ret != 0) {
		require(val[0] == '\0', "value set on error");
		return;
	}
	for (const char *v = val; *v; v++)
		require(memchr(text, *v, size) != NULL, "value holds a byte not in the text");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	enum vouch_lockdown level = VOUCH_LOCKDOWN_NONE;
	unsigned major = 0, minor = 0;
	char val[16];
	int64_t n = 7;
	bool b = false;
	int ret;

	ret = vouch_kernel_int(text, size, &n);
	require(ret == 0 || ret == -EINVAL, "int: undocumented return");
	if (ret == 0) {
		/* Printed back, the number is the text (but its newline). */
		char back[24];
		int len = snprintf(back, sizeof(back), "%lld", (long long)n);

		require(len > 0 &&
		            ((size_t)len == size ||
		             ((size_t)len + 1 == size && text[size - 1] == '\n')) &&
		            memcmp(back, text, (size_t)len) == 0,
		        "int: not the text's number");
	} else {
		require(n == 0, "int: set on error");
	}
	ret = vouch_kernel_bool(text, size, &b);
	require(ret == 0 || ret == -EINVAL, "bool: undocumented return");
	require(ret != 0 || size == 1 || size == 2, "bool: accepted more than a letter");
	ret = vouch_kernel_lockdown(text, size, &level);
	require(ret == 0 || ret == -EINVAL, "lockdown: undocumented return");
	if (ret == 0) {
		static const char *const names[] = {"[none]", "[integrity]", "[confidentiality]"};

		require(level <= VOUCH_LOCKDOWN_CONFIDENTIALITY, "lockdown: no such level");
		require(memchr(text, '[', size) != NULL, "lockdown: none selected");
		require(size >= strlen(names[level]), "lockdown: shorter than its level");
		{
			int seen = 0;

			for (size_t i = 0; i + strlen(names[level]) <= size; i++)
				seen |= !memcmp(text + i, names[level], strlen(names[level]));
			require(seen, "lockdown: the level is not the one in brackets");
		}
	}
	ret = vouch_kernel_release(text, size, &major, &minor);
	require(ret == 0 || ret == -EINVAL, "release: undocumented return");
	require(ret != 0 || (major <= 65535 && minor <= 65535 && size >= 3), "release: range");
	ret = vouch_kernel_cmdline(text, size, "proc_mem.force_override", val, sizeof(val));
	value_ok(ret, val, sizeof(val), text, size);
	ret = vouch_kernel_cmdline(text, size, "a", val, sizeof(val));
	value_ok(ret, val, sizeof(val), text, size);
	ret = vouch_kernel_config(text, size, "CONFIG_PROC_MEM_NO_FORCE", val, sizeof(val));
	value_ok(ret, val, sizeof(val), text, size);
	return 0;
}
