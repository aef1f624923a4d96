#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouchd enforcing a policy, in a private mount namespace over a scratch tmpfs only (never a
# host filesystem): payloads that must not run are checked not to have run.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib-daemon.sh" || exit 2
cleanup() {
	umount "$S/late" "$T/outside" 2>/dev/null
	daemon_cleanup
	cd / && rm -rf "$T"
}
trap cleanup EXIT
scratch_mount 400m

# The software: trusted by a signed manifest, or not at all.
cp /bin/echo "$S/trusted"
cp /bin/date "$S/untrusted"
printf '#!/bin/sh\necho script-ran\n' >"$S/good.sh"
printf '#!/bin/sh\necho evil-script-ran\n' >"$S/bad.sh"
chmod 755 "$S/good.sh" "$S/bad.sh"
trust_policy "$S/trusted" "$S/good.sh"
echo 'message "Ask the IT desk (x1234) to vouch for it."' >>policy.txt
"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
"$VOUCH" keygen -W -p other.pub -s other.sec >/dev/null
chmod 755 "$T" # the non-root user below reaches the control socket in $T/st

expect_err "--policy needs --key" 2 "go together" \
	timeout 10 "$VOUCHD" --foreground --state "$T/st" --watch "$S" --policy p.bundle
expect_err "--policy signed by another key is refused" 2 "p.bundle: not installed: signed by a different key" \
	timeout 10 "$VOUCHD" --foreground --state "$T/st" --watch "$S" --policy p.bundle --key other.pub
check "and nothing was installed" test ! -e "$T/st/trust.mdb"
"$VOUCH" policy install -p owner.pub --state "$T/st" p.bundle >/dev/null
expect_err "the root filesystem is refused" 2 "root filesystem" \
	timeout 10 "$VOUCHD" --foreground --state "$T/st" --watch /
rm -rf "$T/st"
check "vouchd --policy BUNDLE --key PUBKEY is ready" start_daemon --policy p.bundle --key owner.pub
check "it installed the bundle it was given" cmp -s p.bundle "$T/st/policy.bundle"
expect_err "a second vouchd on the same state is refused" 2 "another vouchd is running" \
	timeout 10 "$VOUCHD" --foreground --state "$T/st" --watch "$S"

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

# The person at the device: the reason on the terminal, 'vouch why', 'vouch status'.
python3 "$VOUCH_SRC/tests/integration/ptyrun.py" "$T/tty.out" -- "$S/untrusted" +%Y
check "on a terminal, the denied program's user is told why" \
	grep -q "vouch: $S/untrusted was not run: not vouched for" "$T/tty.out"
check "with the policy's message" grep -q "Ask the IT desk (x1234)" "$T/tty.out"
check "and the payload did not run" bash -c "! grep -qE '^[0-9]{4}' '$T/tty.out'"
run "$S/untrusted" +%Y
check "a program whose stderr is a file is not written to" bash -c "! grep -q 'was not run' '$ERR'"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
run nobody "$VOUCH" why --state "$T/st" "$S/untrusted"
check "vouch why on a file vouchd will not let it read: exit 1" test "$RC" -eq 1
check "vouchd gives the reason" grep -q "may not run: vouchd denied it" "$OUT"
check "the rule and the policy's message" \
	bash -c "grep -q 'rule:    default' '$OUT' && grep -q 'Ask the IT desk' '$OUT'"
expect_rc "vouch status as a user who is not root" 0 nobody "$VOUCH" status --state "$T/st"
check "status shows the mode" grep -q "^mode: *enforce" "$OUT"
check "status shows the marked filesystem" grep -q "tmpfs $S\$" "$OUT"
expect_rc "vouch status --json" 0 "$VOUCH" status --state "$T/st" --json
check "its JSON has the counters" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["running"] and s["mode"] == "enforce" and s["policy_hashes"] == 2, s
assert s["decisions"] > 0 and s["denials"] > 0 and s["cache_hits"] > 0, s
assert s["queue_depth"] == 0 and s["queue_capacity"] == 1024 and s["notices"] >= 1, s
assert [f["path"] for f in s["filesystems"]] == [sys.argv[2]], s
' "$OUT" "$S"
check "and the figures of its two rings: the log queue and the notice queue" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["log_queue_capacity"] == 16384 and s["notice_queue_capacity"] == 64, s
assert s["log_queue_pushed"] >= s["log_entries"] >= 1, s  # a new log: every entry came through it
assert s["notice_queue_pushed"] >= s["notices"] >= 1, s
for q in ("log_queue", "notice_queue"):
    assert 0 <= s[q + "_depth"] <= s[q + "_max"] <= s[q + "_capacity"], (q, s)
    assert s[q + "_max"] >= 1, (q, s)
' "$OUT"
expect_err "vouch reload by a user who is not root is refused" 1 "only root may reload" \
	nobody "$VOUCH" reload --state "$T/st"
# The control protocol as another program speaks it: one line in, an answer out.
cat >ask.py <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
sys.stdout.buffer.write(data)
PY
run nobody env -i PATH=/usr/bin:/bin python3 ask.py "$T/st/vouchd.sock" 'status\n'
check "ctl: a request naming no protocol (an older vouch) is answered 3 version, naming vouchd's" \
	grep -qE '^vouch-ctl/1 3 version .*speaks vouch-ctl/1 .*use the vouch of' "$OUT"
check "ctl: which an older vouch shows whole: every line after the first has a tab" python3 -c '
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[1:] == [b"end\t0", b""], lines' "$OUT"
run nobody env -i PATH=/usr/bin:/bin python3 ask.py "$T/st/vouchd.sock" 'vouch-ctl/7 status\n'
check "ctl: a request in another version: 3 version, naming both" \
	grep -qE '^vouch-ctl/1 3 version .*vouch-ctl/1, not vouch-ctl/7' "$OUT"
run nobody env -i PATH=/usr/bin:/bin python3 ask.py "$T/st/vouchd.sock" 'vouch-ctl/1 frob\n'
check "ctl: an unknown verb: 2 unknown-request" grep -q '^vouch-ctl/1 2 unknown-request ' "$OUT"
run nobody env -i PATH=/usr/bin:/bin python3 ask.py "$T/st/vouchd.sock" 'vouch-ctl/1 log 0 1001\n'
check "ctl: arguments out of range: 1 usage" grep -q '^vouch-ctl/1 1 usage usage: log FROM MAX' "$OUT"
run nobody env -i PATH=/usr/bin:/bin python3 ask.py "$T/st/vouchd.sock" 'vouch-ctl/1 status\nstatus\n'
check "ctl: anything after the request's line: 1 usage" grep -q '^vouch-ctl/1 1 usage ' "$OUT"
run nobody env -i PATH=/usr/bin:/bin python3 ask.py "$T/st/vouchd.sock" 'vouch-ctl/1 reload\n'
check "ctl: reload by a user: 5 needs-root" grep -q '^vouch-ctl/1 5 needs-root ' "$OUT"
run nobody env -i PATH=/usr/bin:/bin python3 ask.py "$T/st/vouchd.sock" 'vouch-ctl/1 status\n'
check "ctl: status: 0 ok, key/value lines, and the end line counting them" python3 -c '
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[0] == b"vouch-ctl/1 0 ok" and lines[-1] == b"", lines[:2]
assert lines[-2] == b"end\t%d" % (len(lines) - 3), lines[-2]
assert all(b"\t" in l for l in lines[1:-1])' "$OUT"
cat >pieces.py <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
if sys.argv[2] == "two":  # a request in two pieces is one request
    s.send(b"vouch-ctl/1 sta"); time.sleep(0.3); s.send(b"tus\n")
else:  # a byte every 0.2 s buys no more than the one second
    t = time.time()
    for ch in b"vouch-ctl/1 status\n":
        try:
            s.send(bytes([ch]))
        except OSError:
            break
        time.sleep(0.2)
print(s.recv(200).split(b"\n")[0].decode())
PY
run nobody env -i PATH=/usr/bin:/bin timeout 10 python3 pieces.py "$T/st/vouchd.sock" two
check "ctl: a request sent in two pieces is answered" grep -qx 'vouch-ctl/1 0 ok' "$OUT"
SECONDS=0
run nobody env -i PATH=/usr/bin:/bin timeout 10 python3 pieces.py "$T/st/vouchd.sock" trickle
check "ctl: a request trickled byte by byte is cut after a second (usage), not waited for" \
	bash -c "grep -q '^vouch-ctl/1 1 usage ' '$OUT' && [ $SECONDS -le 5 ]"
expect_err "vouch status with no vouchd" 2 "vouchd is not running" \
	"$VOUCH" status --state "$T/nothing-here"

# A filesystem mounted after start, below the watched path, is marked as it appears.
mkdir "$S/late"
mount -t tmpfs -o size=16m late-tmpfs "$S/late"
check "a tmpfs mounted after start is marked" wait_log "marked $S/late (tmpfs)"
cp /bin/date "$S/late/untrusted2"
run timeout 10 "$S/late/untrusted2" +%Y
check "an untrusted program on it is refused" test "$RC" -eq 126
check "and did not run" test ! -s "$OUT"
mkdir -p "$T/outside"
mount -t tmpfs -o size=1m outside "$T/outside"
sleep 0.5
run "$VOUCH" status --state "$T/st"
check "a mount outside the watched path is left alone" bash -c "! grep -q '$T/outside' '$OUT'"
umount "$T/outside"

# A new policy without a restart: monitor mode allows, and says what it would deny.
sed 's/^mode enforce/mode monitor/' policy.txt >monitor.txt
echo "update-every 30d" >>monitor.txt
sleep 1 # a later compile time, so the install is not a rollback
"$VOUCH" policy compile monitor.txt -s owner.sec -o m.bundle >/dev/null
# Installed beside vouchd's state and moved into place (as a package would), then SIGHUP.
"$VOUCH" policy install -p owner.pub --state "$T/st2" m.bundle >/dev/null
cp "$T/st2/trust.mdb" "$T/st/trust.mdb.new" && mv "$T/st/trust.mdb.new" "$T/st/trust.mdb"
kill -HUP "$dpid"
check "SIGHUP reloads the policy" wait_log "^vouchd: policy reloaded$"
run nobody "$VOUCH" status --state "$T/st"
check "status shows the new policy's update deadline" grep -qx " *a device must update at least every 30 days" "$OUT"
run nobody "$VOUCH" status --state "$T/st" --json
check "status --json: policy_update_every in seconds" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["policy_update_every"] == 30 * 86400' "$OUT"
check "status --json: no update ever, so overdue" python3 -c '
import json, sys
u = json.load(open(sys.argv[1]))["update"]
assert not u["recorded"] and u["overdue"] and u["every"] == 30 * 86400 and u["succeeded"] is None, u' "$OUT"
run nobody "$VOUCH" status --state "$T/st"
check "status says the device is overdue, loudly" grep -q "^WARNING: *overdue: the policy asks for an update every 30 days, and none has succeeded" "$OUT"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
printf 'vouch-update-state 1\nchecked %s\nsucceeded %s\nchanged never\nroot 2\ntargets 7\nfailure -\ntarget %s 5 %s\nend\n' \
	"$now" "$now" "$(printf 'groups/lab/tool' | od -An -tx1 | tr -d ' \n')" "$(printf '%064d' 1)" >"$T/st/update.state"
run nobody "$VOUCH" status --state "$T/st"
check "an update that succeeded now: not overdue, and its versions shown" bash -c \
	"grep -q '^updates: *last success $now, last change never; root version 2, targets version 7, 1 targets installed' '$OUT' && ! grep -q overdue '$OUT'"
run nobody "$VOUCH" status --state "$T/st" --json
check "status --json: the update record" python3 -c '
import json, sys
u = json.load(open(sys.argv[1]))["update"]
assert u["recorded"] and not u["overdue"] and u["targets_version"] == 7, u
assert u["targets"] == [{"path": "groups/lab/tool", "length": 5, "sha256": "0" * 63 + "1"}], u' "$OUT"
printf 'vouch-update-state 1\nchecked never\n' >"$T/st/update.state"
run nobody "$VOUCH" status --state "$T/st"
check "a damaged update record is said so, and counts as no update" bash -c \
	"grep -q 'WARNING: .*update.state: malformed update state' '$OUT' && grep -q 'overdue' '$OUT'"
rm -f "$T/st/update.state"
run timeout 10 "$S/untrusted" +%Y
check "monitor mode: the untrusted program runs" grep -qE '^[0-9]{4}$' "$OUT"
check "monitor mode: it is logged as would-deny" grep -q "would deny pid .*untrusted" "$T/d.err"
sleep 1
"$VOUCH" policy compile policy.txt -s owner.sec -o e.bundle >/dev/null
"$VOUCH" policy install -p owner.pub --state "$T/st2" e.bundle >/dev/null
cp "$T/st2/trust.mdb" "$T/st/trust.mdb.new" && mv "$T/st/trust.mdb.new" "$T/st/trust.mdb"
expect_rc "vouch reload by root" 0 "$VOUCH" reload --state "$T/st"
check "it says what is now enforced" grep -q "reloaded: mode enforce" "$OUT"
run timeout 10 "$S/untrusted" +%Y
check "after vouch reload the untrusted program is refused again" test "$RC" -eq 126
check "and did not run" test ! -s "$OUT"
# 'vouch policy install' into a running vouchd's state: picked up at once, no restart.
sleep 1
"$VOUCH" policy compile monitor.txt -s owner.sec -o m2.bundle >/dev/null
expect_rc "vouch policy install while vouchd runs" 0 "$VOUCH" policy install -p owner.pub --state "$T/st" m2.bundle
check "it says vouchd reloaded it" grep -q "m2.bundle: vouchd reloaded it" "$OUT"
run timeout 10 "$S/untrusted" +%Y
check "the new (monitor) policy is in force at once" grep -qE '^[0-9]{4}$' "$OUT"
sleep 1
"$VOUCH" policy compile policy.txt -s owner.sec -o e2.bundle >/dev/null
"$VOUCH" policy install -p owner.pub --state "$T/st" e2.bundle >/dev/null
run timeout 10 "$S/untrusted" +%Y
check "and back to enforce the same way" test "$RC" -eq 126 -a ! -s "$OUT"

kill -TERM "$dpid"
wait "$dpid"
rc=$?
dpid=
check "SIGTERM stops vouchd cleanly" test "$rc" -eq 0
check "it reports its counters" grep -q "stopping: .* decisions" "$T/d.err"
check "and removes its socket" test ! -e "$T/st/vouchd.sock"

# A full queue is answered as the mode says (deny in enforce), never dropped. One worker,
# room for one event: while the worker hashes a large file, a burst overflows the queue.
head -c 200000000 /dev/urandom | cat /bin/echo - >"$S/big"
chmod 755 "$S/big"
for i in $(seq 12); do cp /bin/echo "$S/burst$i"; done
"$VOUCH" manifest create -o burst.manifest "$S/big" "$S"/burst*
"$VOUCH" sign -s owner.sec burst.manifest
echo "manifest burst.manifest signer owner" >>policy.txt
sleep 1
"$VOUCH" policy compile policy.txt -s owner.sec -o b.bundle >/dev/null
"$VOUCH" policy install -p owner.pub --state "$T/st" b.bundle >/dev/null
check "vouchd with one worker and a queue of one is ready" start_daemon --workers 1 --queue 1
timeout 30 "$S/big" big-ran >"$T/big.out" 2>&1 &
bigpid=$!
sleep 0.05
bpids=$bigpid
for i in $(seq 12); do
	timeout 30 "$S/burst$i" "burst-ran" >"$T/burst$i.out" 2>&1 &
	bpids="$bpids $!"
done
# shellcheck disable=SC2086 # a list of pids
wait $bpids
check "the trusted large program ran once hashed" grep -qx big-ran "$T/big.out"
check "the burst overflowed the queue: some were denied at once" \
	grep -q "queue full (1 waiting): denied" "$T/d.err"
check "those denied did not run; the rest did" python3 -c '
import sys
T = sys.argv[1]
ran = sum(open(f"{T}/burst{i}.out").read().strip() == "burst-ran" for i in range(1, 13))
denied = sum("Operation not permitted" in open(f"{T}/burst{i}.out").read() for i in range(1, 13))
assert ran + denied == 12 and denied >= 1 and ran >= 1, (ran, denied)
' "$T"
run "$VOUCH" status --state "$T/st" --json
check "status counts them" python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["queue_full"] >= 1 and s["workers"] == 1 and s["queue_max"] == 1, s' "$OUT"

# Fail-safety, as documented in vouchd(8): if vouchd dies, the kernel allows what it had
# not answered (a crash never freezes the machine), and a restart enforces again at once.
kill -STOP "$dpid"
timeout 30 "$S/untrusted" +%Y >"$T/pending.out" 2>&1 &
ppid=$!
sleep 0.5
check "while vouchd is stopped, the exec waits for its answer" kill -0 "$ppid"
kill -KILL "$dpid"
kill -CONT "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null
dpid=
wait "$ppid"
check "killed, vouchd's pending exec is allowed by the kernel (fail-open, documented)" \
	grep -qE '^[0-9]{4}$' "$T/pending.out"
run timeout 10 "$S/untrusted" +%Y
check "with no vouchd, nothing is enforced" grep -qE '^[0-9]{4}$' "$OUT"
check "the killed vouchd left its socket behind" test -S "$T/st/vouchd.sock"
sleep 1
"$VOUCH" policy compile policy.txt -s owner.sec -o k.bundle >/dev/null
expect_rc "installing with only a stale socket there succeeds" 0 \
	"$VOUCH" policy install -p owner.pub --state "$T/st" k.bundle
check "and does not claim a reload" bash -c "! grep -q reloaded '$OUT' && test ! -s '$ERR'"
# Restarted as systemd would (Type=notify): it says READY=1 once enforcing.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
with open(sys.argv[2], "w") as out:
    try:
        while True:
            out.write(s.recv(4096).decode() + "\n")
            out.flush()
    except socket.timeout:
        pass
' "$T/notify.sock" "$T/notify.out" &
npid=$!
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
export NOTIFY_SOCKET=$T/notify.sock
check "restarted after a crash (stale socket), it is ready" start_daemon
unset NOTIFY_SOCKET
check "it told systemd READY=1" bash -c "for i in \$(seq 50); do grep -qx READY=1 '$T/notify.out' && exit 0; sleep 0.1; done; exit 1"
run timeout 10 "$S/untrusted" +%Y
check "and enforces again" test "$RC" -eq 126
kill -TERM "$dpid"
wait "$dpid"
dpid=
check "and STOPPING=1 when it stops" bash -c "for i in \$(seq 50); do grep -qx STOPPING=1 '$T/notify.out' && exit 0; sleep 0.1; done; exit 1"
kill "$npid" 2>/dev/null
wait "$npid" 2>/dev/null

run "$VOUCHD" --list-filesystems
check "--list-filesystems (marks nothing) lists the root filesystem" grep -qE '^[0-9]+:[0-9]+ [^ ]+ /$' "$OUT"
check "and no kernel filesystem" bash -c "! grep -qE ' (proc|sysfs|devpts|cgroup2) ' '$OUT'"
done_testing
