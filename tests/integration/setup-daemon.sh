#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouch setup with a real vouchd, in a private mount namespace marking only a scratch tmpfs:
# the dpkg tree lives on the scratch filesystem, setup installs a monitor-mode policy, vouchd
# records what enforce mode would refuse, vouch log summary shows it (root, and a user through
# vouchd), setup --enforce refuses, then -y switches and vouchd reloads: the untrusted program
# is refused by the kernel, the dpkg-installed one runs.
VOUCH_NS_NEEDS="setpriv python3"
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib-daemon.sh" || exit 2
U=${VOUCH_TEST_UID:-65534}
cleanup() {
	daemon_cleanup
	cd / && rm -rf "$T"
}
trap cleanup EXIT
chmod 0711 "$T"
scratch_mount 64m
chmod 0755 "$S"
ASU=(timeout 10 setpriv --reuid="$U" --regid="$U" --clear-groups -- env -i PATH=/usr/bin:/bin)
as() { "${ASU[@]}" "$@"; }
ST=$T/st E=$T/etc R=$S/root A=$T/admin

# A small dpkg tree on the marked filesystem: a program and a script dpkg "installed".
mkdir -p "$R/usr/bin" "$A/info"
cp /bin/echo "$R/usr/bin/tool"
printf '#!/bin/sh\necho script\n' >"$R/usr/bin/script"
chmod 0755 "$R/usr/bin/tool" "$R/usr/bin/script"
(cd "$R" && md5sum usr/bin/tool usr/bin/script) >"$A/info/a.md5sums"
cp /bin/date "$S/untrusted"
chmod 0755 "$S/untrusted"
opts=(--dir "$E" --state "$ST" --admindir "$A" --root "$R" --no-start)

expect_rc "setup: monitor mode, installed" 0 "$VOUCH" setup "${opts[@]}" --no-password
check "vouchd starts from the installed policy alone" start_daemon --log-interval 100
expect_rc "vouch status" 0 "$VOUCH" status --state "$ST" --json
check "vouchd is in monitor mode" grep -q '"mode":"monitor"' "$OUT"
expect_rc "the untrusted program runs in monitor mode" 0 "$S/untrusted" +%s
expect_rc "and as a user" 0 as "$S/untrusted" +%s
expect_rc "the dpkg-installed program runs" 0 "$R/usr/bin/tool" hi

# summary_has N: bounded wait until root's summary counts N would-deny decisions.
summary_has() {
	for _ in $(seq 100); do
		run "$VOUCH" log summary --state "$ST" --json
		[ "$RC" -eq 0 ] && python3 -c 'import json, sys; o = json.load(open(sys.argv[1]))
sys.exit(0 if o["would_deny"] >= int(sys.argv[2]) else 1)' "$OUT" "$1" && return 0
		sleep 0.1
	done
	return 1
}
check "root's log summary counts the would-deny decisions" summary_has 2
check "--json: the untrusted program, by the default rule" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
g = [g for g in o["groups"] if g["path"] == sys.argv[2]]
assert len(g) == 1 and g[0]["rule"] == "default" and g[0]["would_deny"] >= 2, o
assert not [g for g in o["groups"] if g["path"].endswith("/usr/bin/tool")], o' "$OUT" "$S/untrusted"
expect_rc "text summary" 0 "$VOUCH" log summary --state "$ST"
check "a line for the untrusted program" grep -qE "^ +[0-9]+ +[0-9]+ +0  default +$S/untrusted$" "$OUT"
expect_rc "a user's summary, through vouchd" 0 as "$VOUCH" log summary --state "$ST" --json
check "the user sees their own would-deny decision only" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["would_deny"] == 1 and [g["path"] for g in o["groups"]] == [sys.argv[2]], o' "$OUT" "$S/untrusted"
run as "$VOUCH" log summary --state "$ST"
check "and is told the entries came unchecked through vouchd" grep -q "not checked by this command" "$ERR"

run "$VOUCH" setup "${opts[@]}" --enforce
check "setup --enforce: refused while the log has would-deny decisions" test "$RC" -eq 1
check "it showed them" grep -q " $S/untrusted$" "$OUT"
expect_rc "still monitor mode" 0 "$VOUCH" status --state "$ST" --json
check "vouchd still in monitor mode" grep -q '"mode":"monitor"' "$OUT"

run "$VOUCH" setup "${opts[@]}" --enforce -y --json
check "setup --enforce -y: exit 0" test "$RC" -eq 0
check "the running vouchd was reloaded, and said so" python3 -c '
import json, sys; o = json.load(open(sys.argv[1])); assert o["vouchd"] == "reloaded" and o["mode"] == "enforce", o' "$OUT"
expect_rc "vouch status" 0 "$VOUCH" status --state "$ST" --json
check "vouchd is enforcing" grep -q '"mode":"enforce"' "$OUT"
run "$S/untrusted" +%s
check "the untrusted program is refused by the kernel now" test "$RC" -eq 126
run as "$S/untrusted" +%s
check "for a user too" test "$RC" -eq 126
expect_rc "the dpkg-installed program still runs" 0 "$R/usr/bin/tool" hi
expect_rc "and its script" 0 "$R/usr/bin/script"
check "the summary now counts deny decisions" bash -c '
for _ in $(seq 100); do
	"$1" log summary --state "$2" --json >"$3" 2>/dev/null &&
		python3 -c "import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))[\"deny\"] >= 2 else 1)" "$3" && exit 0
	sleep 0.1
done; exit 1' _ "$VOUCH" "$ST" "$T/sum.json"
expect_rc "setup --monitor" 0 "$VOUCH" setup "${opts[@]}" --monitor
expect_rc "the untrusted program runs again" 0 "$S/untrusted" +%s
done_testing
