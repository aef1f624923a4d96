/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for .deb files: the ar layout, debian-binary, uncompressed tar members, control.
 */
#include <errno.h>
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
	fprintf(stderr, "fuzz-deb: %s\n", what);
	abort();
}

/* A refusal says why, in words, and names at most a bounded, NUL-terminated name. */
static void refused(const struct vouch_deb_problem *pb)
{
	require(pb && pb->why && pb->why[0], "a refusal without a reason");
	require(memchr(pb->name, '\0', sizeof(pb->name)) != NULL, "problem name not terminated");
	require(memchr(pb->member, '\0', sizeof(pb->member)) != NULL, "member not terminated");
}

/*
 * Feed @n bytes to a tar reader in pieces whose sizes come from @step, and check what
 * it lists: sorted, every path under @prefix, each a code file's size and no more.
 */
static void tar(const uint8_t *p, size_t n, unsigned flags, unsigned step)
{
	struct vouch_debtar *t;
	struct vouch_debtar_stats st;
	struct vouch_manifest m;
	size_t off = 0;
	int ret;

	if (vouch_debtar_create(&t, flags, "data.tar"))
		return;
	ret = 0;
	while (!ret && off < n) {
		size_t take = 1 + (step = step * 1103515245u + 12345u) % 1500;

		if (take > n - off)
			take = n - off;
		ret = vouch_debtar_feed(t, p + off, take);
		off += take;
	}
	if (!ret)
		ret = vouch_debtar_finish(t, &st);
	require(ret == 0 || ret == VOUCH_E_DEB || ret == -ENOMEM, "undocumented return");
	if (ret == VOUCH_E_DEB) {
		refused(vouch_debtar_problem(t));
		require(vouch_debtar_feed(t, p, n ? 1 : 0) == VOUCH_E_DEB || n == 0,
		        "a failed reader took more bytes");
	}
	if (ret == 0) {
		const char *prefix = flags & VOUCH_DEBTAR_CONTROL ? "/var/lib/dpkg/info/x." : "/";
		size_t len;

		require(st.files == st.elf + st.scripts, "code files do not add up");
		require(st.files + st.skipped == st.entries, "entries do not add up");
		vouch_manifest_init(&m);
		if (!vouch_debtar_add(t, prefix, &m)) {
			require(m.count == st.files, "listed files differ from the count");
			for (size_t i = 0; i < m.count; i++) {
				require(!strncmp(m.entries[i].path, prefix, strlen(prefix)),
				        "a path outside its prefix");
				require(!strstr(m.entries[i].path, "/../") &&
				            !strstr(m.entries[i].path, "/./") &&
				            !strstr(m.entries[i].path, "//"),
				        "a path that is not normalised");
			}
			if (!vouch_manifest_sort(&m)) {
				char *text;

				require(m.count == st.files, "two entries of one path");
				if (!vouch_manifest_format(&m, &text, &len)) {
					struct vouch_manifest back;
					size_t line;

					vouch_manifest_init(&back);
					require(vouch_manifest_parse(&back, text, len, &line) == 0,
					        "a listed manifest does not parse");
					vouch_manifest_free(&back);
					free(text);
				}
			}
		}
		vouch_manifest_free(&m);
		(void)vouch_debtar_control_text(t, &len);
		require(len <= VOUCH_DEB_CONTROL_FILE, "control text too long");
	}
	vouch_debtar_destroy(t);
}

/* The input as a .deb: members in order, the uncompressed tar members read. */
static void deb(const uint8_t *data, size_t size)
{
	struct vouch_deb_layout l = {.offset = VOUCH_AR_MAGIC_LEN};
	struct vouch_deb_problem pb;
	struct vouch_deb_member mem;
	char name[128];

	if (size < VOUCH_AR_MAGIC_LEN || memcmp(data, VOUCH_AR_MAGIC, VOUCH_AR_MAGIC_LEN))
		return;
	while (l.offset < size && size - l.offset >= VOUCH_AR_HEADER) {
		uint64_t before = l.offset;
		const uint8_t *body = data + l.offset + VOUCH_AR_HEADER;
		int ret = vouch_deb_member(&l, data + l.offset, size, &mem, &pb);

		require(ret == 0 || ret == VOUCH_E_DEB, "undocumented member return");
		if (ret) {
			refused(&pb);
			return;
		}
		require(l.offset > before && l.offset <= size, "the layout did not move forward");
		require(mem.size <= size - before - VOUCH_AR_HEADER, "a member past the end");
		if (mem.part == VOUCH_DEB_BINARY &&
		    vouch_deb_binary_check(body, (size_t)mem.size, &pb))
			refused(&pb);
		if (mem.comp == VOUCH_DEB_PLAIN &&
		    (mem.part == VOUCH_DEB_CONTROL || mem.part == VOUCH_DEB_DATA))
			tar(body, (size_t)mem.size,
			    mem.part == VOUCH_DEB_CONTROL ? VOUCH_DEBTAR_CONTROL : 0,
			    (unsigned)size);
	}
	if (vouch_deb_layout_done(&l, &pb))
		refused(&pb);
	if (vouch_deb_control_package((const char *)data, size, name, sizeof(name), &pb) == 0)
		require(strlen(name) >= 2, "a package name too short");
}

/*
 * One target for the package file and its archives: every input is read as a .deb,
 * and also as a data.tar and a control.tar on their own, so inputs grown for one
 * layer feed the others.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	deb(data, size);
	tar(data, size, 0, (unsigned)size);
	tar(data, size, VOUCH_DEBTAR_CONTROL, 7);
	return 0;
}
