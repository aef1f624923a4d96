#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouchd's decision log, written by the real daemon in a private mount namespace over a scratch
# tmpfs: read by root and by a user (their own entries only), verified by vouch and by Go's
# sumdb/tlog (tlogcheck), proven, and shown to fail when truncated, rewritten or forked.
VOUCH_NS_NEEDS="setpriv python3"
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib-daemon.sh" || exit 2
U=${VOUCH_TEST_UID:-65534}
cleanup() {
	[ -n "${tpid:-}" ] && kill "$tpid" 2>/dev/null
	daemon_cleanup
	umount "$T/small" 2>/dev/null
	cd / && rm -rf "$T"
}
trap cleanup EXIT
chmod 0711 "$T"
scratch_mount 64m
ASU=(timeout 10 setpriv --reuid="$U" --regid="$U" --clear-groups -- env -i PATH=/usr/bin:/bin)
as() { "${ASU[@]}" "$@"; }
skip() { pass "$1 # SKIP $2"; }
ST=$T/st L=$T/st/log

cp /bin/echo "$S/trusted"
cp /bin/date "$S/untrusted"
trust_policy "$S/trusted"
"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
chmod 0755 "$S"

# log_size: the size of the log's current checkpoint (root reads it directly).
log_size() { sed -n 2p "$L/checkpoint" 2>/dev/null || echo 0; }
# wait_size N: bounded wait until the checkpoint covers at least N entries.
wait_size() { for _ in $(seq 100); do [ "$(log_size)" -ge "$1" ] && return 0; sleep 0.05; done; return 1; }

check "vouchd starts with a log" start_daemon --policy p.bundle --key owner.pub --log-interval 100
check "it made the device key, mode 0600" test "$(stat -c %a "$ST/log.key")" = 600
check "and published its verifier key, mode 0644" test "$(stat -c %a "$ST/log.pub")" = 644
check "the log directory is root's alone (users read through vouchd)" test "$(stat -c %a "$L")" = 700
expect_rc "vouch log key" 0 "$VOUCH" log key --state "$ST"
check "prints the verifier key in C2SP form name+keyhash+base64" \
	grep -qE '^[^ +]+/vouch\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$' "$OUT"
check "the same as log.pub" cmp -s "$OUT" "$ST/log.pub"
check "a new log has a checkpoint at once (size 0)" test "$(log_size)" -eq 0

run timeout 10 "$S/trusted" hi
run timeout 10 "$S/untrusted"
check "root's untrusted run is denied" test "$RC" -eq 126
run as "$S/untrusted"
check "the user's untrusted run is denied" test "$RC" -eq 126
run as "$S/trusted" hello
check "the user's trusted run runs" grep -qx hello "$OUT"
check "the decisions reach a checkpoint within the interval" wait_size 3

expect_rc "root: vouch log show" 0 "$VOUCH" log show --state "$ST"
check "shows the deny of root's untrusted run with its reason" \
	grep -qE "deny exec $S/untrusted \(pid [0-9]+, uid 0, [^)]*\): default: " "$OUT"
check "shows the user's deny too" grep -qE "deny exec $S/untrusted \(pid [0-9]+, uid $U" "$OUT"
check "shows the first allow of the trusted program" grep -qE "allow exec $S/trusted .*: manifest: " "$OUT"
check "names the subject's executable" grep -qE "uid $U, /usr/bin/(env|setpriv)" "$OUT"
n_all=$(wc -l <"$OUT")
expect_rc "--denied" 0 "$VOUCH" log show --state "$ST" --denied
check "--denied leaves out allows" bash -c "! grep -qE '^#[0-9]+ [^ ]+ allow ' '$OUT' && grep -qE '^#[0-9]+ [^ ]+ deny ' '$OUT'"
expect_rc "--json" 0 "$VOUCH" log show --state "$ST" --json
check "--json: one JSON object per entry, with index, hashes and subject" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == int(sys.argv[2]), len(lines)
for i, l in enumerate(lines):
    e = json.loads(l)
    assert e["index"] == i and e["decision"] in ("allow", "deny", "would-deny")
    assert len(e["sha256"]) == 64 and e["pid"] > 0 and "exe" in e and len(e["exe_sha256"]) == 64
' "$OUT" "$n_all"
run "$VOUCH" log show --state "$ST" --since 2099-01-01T00:00:00Z
check "--since a future time shows nothing" test "$RC" -eq 0 -a ! -s "$OUT"
run "$VOUCH" log show --state "$ST" --since 1h
check "--since 1h shows them all" test "$(wc -l <"$OUT")" -eq "$n_all"
expect_err "--since nonsense is a usage error" 2 "not a time like" "$VOUCH" log show --state "$ST" --since yesterday

# The person at the device: their own entries, through vouchd, and nobody else's.
expect_rc "user: vouch log show (through vouchd)" 0 as "$VOUCH" log show --state "$ST"
check "the user sees their own deny" grep -qE "deny exec $S/untrusted \(pid [0-9]+, uid $U" "$OUT"
check "and nothing of root's" bash -c "! grep -q 'uid 0' '$OUT'"
check "and not every entry" test "$(wc -l <"$OUT")" -lt "$n_all"
expect_rc "user: vouch log tail -n 1" 0 as "$VOUCH" log tail -n 1 --state "$ST"
check "tail -n 1 prints one entry" test "$(wc -l <"$OUT")" -eq 1
run as "$VOUCH" log verify --state "$ST"
check "user: the log directory itself is not readable" test "$RC" -eq 2
user_idx=$(as "$VOUCH" log show --state "$ST" --json --denied | head -n 1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["index"])')
root_idx=$("$VOUCH" log show --state "$ST" --json | python3 -c '
import json, sys
print([json.loads(l)["index"] for l in sys.stdin if json.loads(l)["uid"] == 0][0])')
run as "$VOUCH" log prove --index "$user_idx" --state "$ST"
cp "$OUT" user.proof
check "user: proves their own entry (C2SP tlog-proof@v1)" grep -qx 'c2sp.org/tlog-proof@v1' user.proof
expect_rc "the proof checks against the device key" 0 "$VOUCH" log check-proof --key "$ST/log.pub" user.proof
check "and says which entry it is" grep -q "ok: entry $user_idx is in" "$OUT"
run as "$VOUCH" log prove --index "$root_idx" --state "$ST"
check "user: proving root's entry is refused" grep -q "not yours" "$ERR"

# Root: verify, prove, and consistency across checkpoints.
expect_rc "root: vouch log verify" 0 "$VOUCH" log verify --state "$ST"
check "reports what it checked" grep -qE "verified: [0-9]+ entries .* checkpoint signed by" "$OUT"
expect_rc "verify --json" 0 "$VOUCH" log verify --state "$ST" --json
check "verify --json is one object with verified true" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert d["verified"] is True and d["size"] >= 3' "$OUT"
cp "$L/checkpoint" old.checkpoint
old=$(sed -n 2p old.checkpoint)
for _ in 1 2 3; do timeout 10 "$S/untrusted" 2>/dev/null; done
check "more decisions reach a new checkpoint" wait_size $((old + 3))
"$VOUCH" log consistency --from "$old" --state "$ST" >cons.proof
expect_rc "consistency proof from the old checkpoint checks" 0 \
	"$VOUCH" log check-proof --key "$ST/log.pub" --checkpoint old.checkpoint cons.proof
run "$VOUCH" log check-proof --key "$ST/log.pub" cons.proof
check "a consistency proof needs the old checkpoint" test "$RC" -eq 2
"$VOUCH" log prove --index 0 --state "$ST" >root.proof
expect_rc "root proves entry 0" 0 "$VOUCH" log check-proof --key "$ST/log.pub" root.proof
sed 's/^index 0$/index 1/' root.proof >wrong.proof
expect_rc "the same proof for another index fails" 1 "$VOUCH" log check-proof --key "$ST/log.pub" wrong.proof
expect_rc "a proof under another key fails" 1 "$VOUCH" log check-proof \
	--key PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW root.proof

# The independent verifier: Go's sumdb/note and sumdb/tlog.
TC=$VOUCH_BUILD/interop/tlogcheck
if [ ! -x "$TC" ]; then "$VOUCH_SRC/tests/interop/tlogcheck/build.sh" "$VOUCH_BUILD/interop" >/dev/null 2>&1; fi
if [ -x "$TC" ]; then
	expect_rc "Go tlog: the daemon's log verifies" 0 "$TC" verify "$L" "$ST/log.pub"
	check "and agrees on size and root" grep -q "ok size=$(log_size) root=$(sed -n 3p "$L/checkpoint")" "$OUT"
	expect_rc "Go tlog: the user's inclusion proof verifies" 0 "$TC" inclusion user.proof "$ST/log.pub"
	expect_rc "Go tlog: the consistency proof verifies" 0 "$TC" consistency cons.proof old.checkpoint "$ST/log.pub"
	expect_rc "Go note: the checkpoint's signature verifies" 0 "$TC" note "$L/checkpoint" "$ST/log.pub"
else
	skip "Go tlog verifier" "golang-go or golang-golang-x-mod-dev missing (scripts/deps test)"
fi

# vouch log tail -f, as the user: a new denial appears.
as timeout 8 "$VOUCH" log tail -f -n 0 --denied --state "$ST" >tail.out 2>&1 &
tpid=$!
sleep 0.5
cp /bin/date "$S/untrusted2"
as "$S/untrusted2" 2>/dev/null
for _ in $(seq 60); do grep -q untrusted2 tail.out && break; sleep 0.1; done
check "user: tail -f shows their new denial" grep -qE "deny exec $S/untrusted2 .*uid $U" tail.out
kill "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null; tpid=

expect_rc "vouch status --json" 0 "$VOUCH" status --json --state "$ST"
check "status reports the log" python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["log_entries"] >= 3 and d["log_checkpointed"] >= 3 and d["log_lost"] == 0 and d["log_dir"]' "$OUT"

# Clean shutdown: every decision recorded, and checkpointed.
timeout 10 "$S/untrusted" 2>/dev/null
kill -TERM "$dpid"; wait "$dpid" 2>/dev/null; dpid=
last=$("$VOUCH" log show --state "$ST" | tail -n 1)
check "the decision just before SIGTERM is in the last checkpoint" \
	bash -c "grep -q 'deny exec $S/untrusted (pid' <<<'$last'"
expect_rc "and the log verifies after the stop" 0 "$VOUCH" log verify --state "$ST"

# Tampering, on copies: a changed entry, a truncated log, a rewritten (forked) history.
cp -a "$L" tampered
python3 - tampered/tile/entries <<'EOF'
import os, sys
d = sys.argv[1]
f = sorted(os.path.join(r, n) for r, _, ns in os.walk(d) for n in ns)[0]
b = bytearray(open(f, "rb").read()); i = b.index(b'"deny"') + 2; b[i] ^= 0x20
open(f, "wb").write(bytes(b))
EOF
expect_rc "a changed entry: vouch log verify fails" 1 "$VOUCH" log verify tampered --key "$ST/log.pub"
check "and says which file" grep -q "tile/entries" "$ERR"
[ -x "$TC" ] && expect_rc "a changed entry: Go tlog verify fails" 1 "$TC" verify tampered "$ST/log.pub"
cp -a "$L" cut
size=$(log_size)
rm -rf cut/tile/entries
expect_rc "entries deleted without a record of retention: verify fails" 1 "$VOUCH" log verify cut --key "$ST/log.pub"
mv "$L" "$T/log.old"
check "restarted over an empty log dir: same key, new history" start_daemon --log-interval 100
for _ in $(seq "$((size + 1))"); do timeout 10 "$S/trusted" x >/dev/null; cp /bin/date "$S/u.$RANDOM$RANDOM"; done
for f in "$S"/u.*; do timeout 10 "$f" 2>/dev/null; done
check "the new history grows past the old size" wait_size "$((size + 1))"
"$VOUCH" log consistency --from "$old" --state "$ST" >fork.proof
expect_rc "a rewritten history fails the consistency check against the old checkpoint" 1 \
	"$VOUCH" log check-proof --key "$ST/log.pub" --checkpoint old.checkpoint fork.proof
check "and says so" grep -q "rewritten, truncated or forked" "$ERR"
[ -x "$TC" ] && expect_rc "Go tlog rejects the fork too" 1 "$TC" consistency fork.proof old.checkpoint "$ST/log.pub"
kill -TERM "$dpid"; wait "$dpid" 2>/dev/null; dpid=

# Storage that fills: vouchd keeps enforcing, says so, counts what it could not record.
mkdir "$T/small"
mount -t tmpfs -o size=64k vouch-small "$T/small"
check "vouchd starts with its log on a 64 KiB filesystem" \
	start_daemon --log-dir "$T/small/log" --log-interval 50 --log-max-size 0
for i in $(seq 200); do
	timeout 10 "$S/untrusted" 2>/dev/null
	[ $((i % 20)) -eq 0 ] && "$VOUCH" status --json --state "$ST" | grep -q '"log_error"' && break
done
run "$VOUCH" status --json --state "$ST"
check "vouch status reports the storage error and the lost entries" python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["log_lost"] > 0 and "No space" in d["log_error"], d' "$OUT"
check "the error went to the daemon's log (syslog and stderr) loudly" grep -q "log: .*cannot commit" "$T/d.err"
run timeout 10 "$S/untrusted"
check "and vouchd still enforces" test "$RC" -eq 126
done_testing
