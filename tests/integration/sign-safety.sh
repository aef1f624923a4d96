#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouch never overwrites a user's file with a signature, nor leaves partial output.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
"$VOUCH" keygen -W -p k.pub -s k.sec >/dev/null
printf 'data\n' >a
cp a orig

expect_err "-x naming the input is refused" 2 "vouch: sign: a: is a file being signed" \
	"$VOUCH" sign -s k.sec -x a a
check "the input is unchanged" cmp -s a orig

cp a b.minisig
printf 'other\n' >b
expect_err "FILE.minisig that is itself an input is refused" 2 "b.minisig: is a file being signed" \
	"$VOUCH" sign -s k.sec b b.minisig
check "that input is unchanged" cmp -s b.minisig orig
check "no signature written for the other input" test ! -e b.minisig.minisig

ln a hardlink
expect_err "-x naming a hard link of the input is refused" 2 "is a file being signed" \
	"$VOUCH" sign -s k.sec -x hardlink a
check "the linked input is unchanged" cmp -s a orig

expect_rc "signing normally still works" 0 "$VOUCH" sign -s k.sec a
expect_rc "and verifies" 0 "$VOUCH" verify -q -p k.pub a
left=$(find . -name '*.tmp-*' | wc -l)
check "no temporary files left" test "$left" -eq 0
done_testing
