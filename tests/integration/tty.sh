#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Passwords typed at a terminal: prompts, no echo, confirmation, and no terminal at all.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
pty() { python3 "$VOUCH_SRC/tests/integration/ptyrun.py" "$@"; }
if ! command -v python3 >/dev/null; then
	echo "ok 1 - terminal tests # SKIP python3 is needed to drive a pseudo-terminal"
	echo "1..1"
	exit 0
fi
pw='correct horse battery'
printf 'data\n' >f

run pty screen.txt "Password: " "$pw" "Password (again): " "$pw" -- \
	"$VOUCH" keygen -p k.pub -s k.sec
check "keygen at a terminal succeeds" test "$RC" -eq 0
check "it asks for the password" grep -q "Password: " screen.txt
check "and asks again to confirm" grep -q "Password (again): " screen.txt
check "the password is not echoed" bash -c "! grep -qF '$pw' screen.txt"
check "the key is encrypted" grep -q "encrypted secret key" k.sec
expect_rc "the typed password unlocks it (read from a descriptor)" 0 \
	"$VOUCH" sign -s k.sec --password-fd 3 -x f.fd.sig f 3< <(printf '%s\n' "$pw")

run pty screen2.txt "Password: " "one" "Password (again): " "two" -- \
	"$VOUCH" keygen -p m.pub -s m.sec
check "mismatched passwords: exit 2" test "$RC" -eq 2
check "mismatched passwords: said so" grep -q "the two passwords differ" screen2.txt
check "mismatched passwords: no key files" test ! -e m.pub -a ! -e m.sec

run pty screen3.txt "Password: " "$pw" -- "$VOUCH" sign -s k.sec f
check "sign at a terminal succeeds" test "$RC" -eq 0
check "sign asks once" test "$(grep -o 'Password' screen3.txt | wc -l)" -eq 1
expect_rc "that signature verifies" 0 "$VOUCH" verify -q -p k.pub f

rm -f f.minisig
run pty screen4.txt "Password: " "wrong" -- "$VOUCH" sign -s k.sec f
check "wrong password at a terminal: exit 2" test "$RC" -eq 2
check "wrong password: said so" grep -q "wrong password" screen4.txt
check "wrong password: no signature written" test ! -e f.minisig

expect_err "no terminal and no --password-fd: one-line error" 2 "no terminal to ask on" \
	setsid -w "$VOUCH" sign -s k.sec f
check "no signature written without a password" test ! -e f.minisig
done_testing
