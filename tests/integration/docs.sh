#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every command has --help and a man page with EXIT STATUS and SECURITY, rendering cleanly.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
man=$VOUCH_SRC/docs/man
cmds=$("$VOUCH" --help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
check "vouch --help lists commands" test -n "$cmds"
for c in $cmds; do
	expect_rc "vouch $c --help exits 0" 0 "$VOUCH" "$c" --help
	check "vouch $c --help prints Usage" grep -q "^Usage: vouch $c" "$OUT"
	check "man page vouch-$c.1 exists" test -f "$man/vouch-$c.1"
done
for page in "$man"/*.[18]; do
	name=$(basename "$page")
	check "$name has EXIT STATUS" grep -q '^\.SH EXIT STATUS' "$page"
	check "$name has SECURITY" grep -q '^\.SH SECURITY' "$page"
	if command -v groff >/dev/null; then
		run groff -man -ww -z "$page"
		check "$name renders without warnings" test ! -s "$ERR"
	fi
	check "$name is installed by meson" grep -q "docs/man/$name" "$VOUCH_SRC/meson.build"
done
expect_rc "vouch --version" 0 "$VOUCH" --version
check "version printed" grep -qE '^vouch [0-9]+\.[0-9]+\.[0-9]+$' "$OUT"
expect_err "unknown command" 2 "unknown command 'frobnicate'" "$VOUCH" frobnicate
done_testing
