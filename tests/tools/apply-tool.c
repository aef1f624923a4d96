/* SPDX-License-Identifier: Apache-2.0 */
/* For the update tests: vouch_update_apply() and vouch_update_recover() from the command line,
 * as the update client will call them, so that a test can kill an update at any point.
 *   apply-tool apply STATE PUBKEY BUNDLE|- SRC:DEST:MODE...
 *   apply-tool recover STATE
 * Exit 0 done, 1 refused, 2 usage; prints what was refused, and what recovery did. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vouch/vouch.h"

static const char *const at_names[] = {"update", "policy", "file", "journal"};

int main(int argc, char **argv)
{
	struct vouch_apply_file *files;
	struct vouch_apply_info info;
	struct vouch_pubkey pk;
	char *text = NULL, *bundle = NULL;
	size_t tlen = 0, blen = 0;
	int ret, done = 0, n;

	if (argc == 3 && !strcmp(argv[1], "recover")) {
		ret = vouch_update_recover(argv[2], &done);
		if (ret) {
			fprintf(stderr, "apply-tool: recover: %s\n", vouch_strerror(ret));
			return 1;
		}
		printf("%s\n", done == 0 ? "nothing to do" : done == 1 ? "undone" : "finished");
		return 0;
	}
	if (argc < 5 || strcmp(argv[1], "apply") != 0)
		return 2;
	if (vouch_file_read(argv[3], 4096, &text, &tlen) || vouch_pubkey_parse(&pk, text, tlen)) {
		fprintf(stderr, "apply-tool: %s: not a public key\n", argv[3]);
		return 2;
	}
	if (strcmp(argv[4], "-") != 0 &&
	    (ret = vouch_file_read(argv[4], VOUCH_BUNDLE_MAX, &bundle, &blen))) {
		fprintf(stderr, "apply-tool: %s: %s\n", argv[4], vouch_strerror(ret));
		return 2;
	}
	n = argc - 5;
	files = calloc((size_t)n + 1, sizeof(*files));
	if (!files)
		return 2;
	for (int i = 0; i < n; i++) {
		char *src = argv[5 + i], *dest = strchr(src, ':'), *mode, *data = NULL;
		size_t len = 0;

		mode = dest ? strrchr(dest + 1, ':') : NULL;
		if (!dest || !mode)
			return 2;
		*dest++ = 0;
		*mode++ = 0;
		if ((ret = vouch_file_read(src, (size_t)1 << 30, &data, &len))) {
			fprintf(stderr, "apply-tool: %s: %s\n", src, vouch_strerror(ret));
			return 2;
		}
		files[i] = (struct vouch_apply_file){.dest = dest,
		                                     .data = (const uint8_t *)data,
		                                     .len = len,
		                                     .mode = (mode_t)strtoul(mode, NULL, 8)};
	}
	ret = vouch_update_apply(argv[2], (const uint8_t *)bundle, blen, &pk, files, (size_t)n,
	                         (int64_t)time(NULL), &info);
	for (int i = 0; i < n; i++)
		free((void *)files[i].data);
	free(files);
	free(bundle);
	free(text);
	if (info.recovered)
		printf("recovered: %s\n", info.recovered == 1 ? "undone" : "finished");
	if (ret) {
		if (info.at == VOUCH_APPLY_AT_FILE)
			fprintf(stderr, "apply-tool: %s: %s\n",
			        argv[5 + info.file] + strlen(argv[5 + info.file]) + 1,
			        vouch_strerror(ret));
		else
			fprintf(stderr, "apply-tool: %s: %s\n", at_names[info.at],
			        vouch_strerror(ret));
		return 1;
	}
	printf("applied\n");
	return 0;
}
