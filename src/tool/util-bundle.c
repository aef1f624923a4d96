/* SPDX-License-Identifier: Apache-2.0 */
/* Tool helpers for policy bundles and the state directory. */
#include <stdlib.h>
#include <string.h>

#include "tool.h"

const char *tool_state_dir(const char *opt)
{
	const char *env = getenv(VOUCH_STATE_DIR_ENV);

	if (opt)
		return opt;
	return env && *env ? env : VOUCH_STATE_DIR_DEFAULT;
}

int tool_load_bundle(const char *cmd, const char *path, struct tool_bundle *tb)
{
	char *text = NULL;
	int ret;

	memset(tb, 0, sizeof(*tb));
	ret = vouch_file_read(path, VOUCH_BUNDLE_MAX, &text, &tb->len);
	if (ret) {
		tool_err(cmd, path, "cannot read policy bundle: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	tb->data = (uint8_t *)text;
	ret = vouch_bundle_parse(&tb->b, &tb->sig, tb->data, tb->len);
	if (ret) {
		tool_err(cmd, path, "not a valid policy bundle: %s", vouch_strerror(ret));
		tool_bundle_free(tb);
		return EXIT_ERROR;
	}
	tb->parsed = true;
	return EXIT_OK;
}

void tool_bundle_free(struct tool_bundle *tb)
{
	if (tb->parsed)
		vouch_bundle_free(&tb->b);
	free(tb->data);
	memset(tb, 0, sizeof(*tb));
}
