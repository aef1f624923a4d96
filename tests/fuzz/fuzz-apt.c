/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for what apt writes to a DPkg::Pre-Install-Pkgs hook (versions 2 and 3). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-apt: %s\n", what);
	abort();
}

static const char *text, *end;

static void inside(const char *s, size_t n, const char *what)
{
	require(s >= text && s <= end && n <= (size_t)(end - s), what);
	require(!memchr(s, '\0', n) && !memchr(s, '\n', n), what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vouch_apt_cursor c;
	struct vouch_apt_action a;
	size_t before;
	int ret;

	text = (const char *)data;
	end = text + size;
	ret = vouch_apt_begin(&c, text, size);
	require(ret == 0 || ret == VOUCH_E_CTL_VERSION || ret == VOUCH_E_MANIFEST_LINE ||
	            ret == VOUCH_E_TOOBIG,
	        "undocumented begin return");
	if (ret)
		return 0;
	require(c.version == 2 || c.version == 3, "a version that is neither");
	do {
		before = c.line;
		ret = vouch_apt_next(&c, &a);
		require(ret == 1 || ret == 0 || ret == VOUCH_E_MANIFEST_LINE,
		        "undocumented return");
		if (ret != 1)
			break;
		require(c.line == before + 1, "an action is not one line");
		inside(a.name, a.name_len, "name outside the input");
		inside(a.oldver, a.oldver_len, "version outside the input");
		inside(a.newver, a.newver_len, "version outside the input");
		require(a.name_len > 0 && a.oldver_len > 0 && a.newver_len > 0, "an empty field");
		require((a.op == VOUCH_APT_UNPACK) == (a.deb != NULL), "a path without an unpack");
		if (a.deb) {
			inside(a.deb, a.deb_len, "path outside the input");
			require(a.deb_len > 0 && a.deb[0] == '/', "a path that is not absolute");
		}
		require(c.version == 2 || a.newarch, "v3 without an architecture");
	} while (1);
	return 0;
}
