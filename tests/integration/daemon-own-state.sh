#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouchd whose state directory lies on a filesystem it marks, as /var/lib/vouch lies on / in
# the default mode: it opens its log's files (device key, log.seen, tiles, checkpoint)
# before marking, so it is ready, enforces, logs there and stops, at its first start (no
# key yet) and its second (a log to reopen). Found in the VM test (tests/integration/vm.sh):
# opened after the marks and before the loop that answers vouchd's own events, each open
# waited for an answer only vouchd could give, and systemd gave up on it.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib-daemon.sh" || exit 2
cleanup() { daemon_cleanup; cd / && rm -rf "$T"; }
trap cleanup EXIT
scratch_mount 64m
ST=$S/st # on the marked filesystem

cp /bin/echo "$S/trusted"
cp /bin/date "$S/untrusted"
trust_policy "$S/trusted"
"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
"$VOUCH" policy install -p owner.pub --state "$ST" p.bundle >/dev/null

# start_own: vouchd with its state on the scratch filesystem; bounded wait for "ready".
start_own() {
	: >"$T/d.out"
	"$VOUCHD" --foreground --state "$ST" --watch "$S" --log-interval 100 >"$T/d.out" 2>>"$T/d.err" &
	dpid=$!
	for _ in $(seq 100); do
		grep -q '^ready$' "$T/d.out" 2>/dev/null && return 0
		kill -0 "$dpid" 2>/dev/null || return 1
		sleep 0.1
	done
	# Stalled: killed, the kernel allows whatever it held, and the test goes on.
	kill -KILL "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
	dpid=
	return 1
}
# stop_own: SIGTERM, and a bounded wait for the exit status.
stop_own() {
	local i
	kill -TERM "$dpid" 2>/dev/null || return 1
	for i in $(seq 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$dpid" 2>/dev/null; then kill -KILL "$dpid"; wait "$dpid" 2>/dev/null; dpid=; return 1; fi
	wait "$dpid"
	local rc=$?
	dpid=
	return $rc
}
log_size() { sed -n 2p "$ST/log/checkpoint" 2>/dev/null || echo 0; }
wait_size() { for _ in $(seq 100); do [ "$(log_size)" -ge "$1" ] && return 0; sleep 0.05; done; return 1; }

if start_own; then
	pass "first start: ready with its state on a filesystem it marks"
	check "it made the device key there" test -s "$ST/log.key" -a -s "$ST/log.pub"
	expect_rc "a trusted program runs" 0 timeout 10 "$S/trusted" ok
	expect_rc "an untrusted one is refused (exit 126)" 126 timeout 10 "$S/untrusted"
	check "the deny is in a checkpoint there" wait_size 1
	check "SIGTERM: it stops, exit 0 (the last checkpoint written there)" stop_own
else
	fail "first start: ready with its state on a filesystem it marks" "no 'ready' within 10 s: killed" \
		"$(tail -n 3 "$T/d.err" 2>/dev/null)"
fi
size=$(log_size)
if start_own; then
	pass "second start: ready, its key and log reopened there"
	expect_rc "an untrusted program is refused again (exit 126)" 126 timeout 10 "$S/untrusted"
	check "the new deny is in a checkpoint there" wait_size $((size + 1))
	check "SIGTERM: it stops, exit 0" stop_own
	expect_rc "vouch log verify accepts the log" 0 timeout 30 "$VOUCH" log verify "$ST/log" --key "$ST/log.pub"
else
	fail "second start: ready, its key and log reopened there" "no 'ready' within 10 s: killed"
fi
done_testing
