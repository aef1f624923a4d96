#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouchd enforcing a policy, in a private mount namespace over a scratch tmpfs only (never a
# host filesystem): payloads that must not run are checked not to have run.
if [ -z "${VOUCH_IN_NS:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null ||
		! unshare -m --propagation private true 2>/dev/null; then
		echo "ok 1 - vouchd tests # SKIP need root and unshare -m for a private mount namespace"
		echo "1..1"
		exit 0
	fi
	VOUCH_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$VOUCH_SRC/tests/integration/lib.sh"
: "${VOUCHD:?VOUCHD must name the vouchd binary}"
S=$T/scratch
dpid=
cleanup() {
	[ -n "$dpid" ] && kill -TERM "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	umount "$S" 2>/dev/null
	cd / && rm -rf "$T"
}
trap cleanup EXIT
mkdir "$S"
mount -t tmpfs -o size=64m,mode=0755 vouch-scratch "$S" || { echo "not ok 1 - mount tmpfs"; echo "1..1"; exit 1; }

# start_daemon: vouchd on the scratch filesystem; waits (bounded) for "ready".
start_daemon() {
	"$VOUCHD" --foreground --state "$T/st" --watch "$S" >"$T/d.out" 2>>"$T/d.err" &
	dpid=$!
	for _ in $(seq 100); do
		grep -q '^ready$' "$T/d.out" 2>/dev/null && return 0
		kill -0 "$dpid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# wait_log PATTERN: bounded wait for a line in the daemon's log.
wait_log() { for _ in $(seq 50); do grep -q "$1" "$T/d.err" && return 0; sleep 0.1; done; return 1; }

# The software: trusted by a signed manifest, or not at all.
cp /bin/echo "$S/trusted"
cp /bin/date "$S/untrusted"
printf '#!/bin/sh\necho script-ran\n' >"$S/good.sh"
printf '#!/bin/sh\necho evil-script-ran\n' >"$S/bad.sh"
chmod 755 "$S/good.sh" "$S/bad.sh"
"$VOUCH" keygen -W -p owner.pub -s owner.sec >/dev/null
"$VOUCH" manifest create -o app.manifest "$S/trusted" "$S/good.sh"
"$VOUCH" sign -s owner.sec app.manifest
cat >policy.txt <<EOF
mode enforce
signer owner $(sed -n 2p owner.pub)
manifest app.manifest signer owner
EOF
"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
"$VOUCH" policy install -p owner.pub --state "$T/st" p.bundle >/dev/null

expect_err "the root filesystem is refused" 2 "root filesystem" \
	timeout 10 "$VOUCHD" --foreground --state "$T/st" --watch /
check "vouchd is ready" start_daemon

expect_rc "trusted program runs" 0 timeout 10 "$S/trusted" hello-from-trusted
check "and its output appears" grep -qx hello-from-trusted "$OUT"
run timeout 10 "$S/untrusted" +%Y
check "untrusted program is refused (exit 126)" test "$RC" -eq 126
check "untrusted program did not run (no output)" test ! -s "$OUT"
check "the refusal is EPERM" grep -q "Operation not permitted" "$ERR"
run timeout 10 bash -c "exec 5<'$S/untrusted' && echo opened"
check "opening an untrusted ELF is refused" test "$RC" -ne 0
check "the open did not happen" test ! -s "$OUT"
loader=$(readlink -f /lib64/ld-linux-x86-64.so.2 2>/dev/null || true)
if [ -x "$loader" ]; then
	run timeout 10 "$loader" "$S/untrusted" +%Y
	check "the loader run directly on an untrusted binary: payload did not run" \
		bash -c "! grep -qE '^[0-9]{4}$' '$OUT'"
	check "the loader run directly: it fails" test "$RC" -ne 0
fi
expect_rc "trusted #! script runs" 0 timeout 10 "$S/good.sh"
check "its output appears" grep -qx script-ran "$OUT"
run timeout 10 "$S/bad.sh"
check "untrusted #! script is refused" test "$RC" -eq 126
check "untrusted script did not run" bash -c "! grep -q evil-script-ran '$OUT'"

cp "$S/trusted" "$S/copy-elsewhere"
expect_rc "a trusted program copied elsewhere still runs" 0 timeout 10 "$S/copy-elsewhere" hi
cp "$S/trusted" "$S/edited"
expect_rc "a copy runs before it is edited" 0 timeout 10 "$S/edited" before
printf 'x' >>"$S/edited"
run timeout 10 "$S/edited" after
check "edited in place, it is decided afresh and refused" test "$RC" -eq 126
check "the edited program did not run" bash -c "! grep -q after '$OUT'"
printf 'just text\n' >"$S/morph"
expect_rc "a text file opens (remembered as not code)" 0 timeout 10 cat "$S/morph"
cat /bin/date >"$S/morph"
run timeout 10 bash -c "exec 5<'$S/morph' && echo opened"
check "rewritten as an untrusted ELF, its next open is refused" test "$RC" -ne 0
check "that open did not happen" test ! -s "$OUT"
check "the daemon logged the denial with its rule" grep -q "deny pid .*untrusted.*rule default" "$T/d.err"

# A new policy without a restart: monitor mode allows, and says what it would deny.
sed 's/^mode enforce/mode monitor/' policy.txt >monitor.txt
sleep 1 # a later compile time, so the install is not a rollback
"$VOUCH" policy compile monitor.txt -s owner.sec -o m.bundle >/dev/null
"$VOUCH" policy install -p owner.pub --state "$T/st" m.bundle >/dev/null
kill -HUP "$dpid"
check "SIGHUP reloads the policy" wait_log "policy reloaded"
run timeout 10 "$S/untrusted" +%Y
check "monitor mode: the untrusted program runs" grep -qE '^[0-9]{4}$' "$OUT"
check "monitor mode: it is logged as would-deny" grep -q "would deny pid .*untrusted" "$T/d.err"

kill -TERM "$dpid"
wait "$dpid"
rc=$?
dpid=
check "SIGTERM stops vouchd cleanly" test "$rc" -eq 0
check "it reports its counters" grep -q "stopping: .* decisions" "$T/d.err"
done_testing
